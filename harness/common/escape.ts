/**
 * Escaping for values the tool echoes (file names, flag values, fields of a user's file). A newline
 * in a value must not start a new `FILE:LINE:` line, and an ESC must not reach the terminal as an
 * ANSI sequence, so every control character is shown as an escape instead.
 */

/**
 * Cc is the C0 controls (newline, tab, ESC, ...), DEL and the C1 controls (0x9b is a one-byte CSI
 * on some terminals); then the Unicode line and paragraph separators, which some tools treat as line
 * breaks.
 */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/**
 * `value` with each control character written as `\n`, `\r`, `\t`, `\xHH` or `\uHHHH`; printable
 * text (any script) is unchanged. Backslashes are left alone so that ordinary paths read as typed.
 */
export function escapeControl(value: string): string {
  return value.replace(CONTROL, escapeOne);
}

/**
 * The bidirectional-text controls (U+202A-202E embeddings and overrides, U+2066-2069 isolates,
 * U+200E/F marks): shown, they reorder what follows, so `evil.yaml` can read as `lmay.live`.
 */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/gu;

/**
 * The one rule for text from outside the tool (cluster output, spec fields, a shard's results)
 * on every channel — console, GitHub annotations and step summary, `list`, errors, HTML, JUnit,
 * YAML: control characters and bidi controls shown as escapes, so the text stays one line that
 * reads as it is; and a GitHub Actions workflow command cannot start it. The runner reads a line
 * that starts with `::` as a command (`::error`, `::add-mask::`, `::stop-commands::`) and `##[`
 * anywhere as an old-style one, so a leading `::` gets a backslash and `##[` becomes `##\[`.
 * Channels with their own syntax (HTML, XML, annotation data) apply theirs on top.
 */
export function escapeUntrusted(value: string): string {
  const oneLine = escapeControl(value).replace(BIDI, (char) => `\\u${char.charCodeAt(0).toString(16)}`);
  return oneLine.replace(/^(\s*)::/, '$1\\::').replace(/##\[/g, '##\\[');
}

/** escapeUntrusted line by line, for channels that show several lines (HTML `<pre>`, JUnit bodies). */
export function escapeUntrustedLines(value: string): string {
  return value.split('\n').map(escapeUntrusted).join('\n');
}

/**
 * A copy of `value` with escapeUntrusted applied to every string in it (keys too), for data
 * written in a format that shows strings as they are: the YAML ConformanceReport folds a string
 * with a newline over lines (one may then start with `::`) and keeps bidi controls raw.
 */
export function escapeUntrustedDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeUntrusted(value) as T;
  if (Array.isArray(value)) return value.map(escapeUntrustedDeep) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [escapeUntrusted(key), escapeUntrustedDeep(inner)]),
    ) as T;
  }
  return value;
}

/**
 * JSON text in which no character that controls a terminal or the reading direction appears raw:
 * JSON.stringify escapes C0 controls but leaves DEL, C1 controls, U+2028/2029 and bidi overrides
 * (U+202E) as they are. Written as \uXXXX escapes, the value read back is unchanged.
 */
export function jsonWithoutControls(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/**
 * `value` as one POSIX-shell word that reads back as `value`, for a command line the tool prints
 * for copying: as it is when it holds only safe characters; else in single quotes; and when it
 * holds a control or bidi character (or `##[`), in bash's `$'...'` form with those written as
 * `\xHH`/`\uHHHH`, so the printed line stays one inert line (the one rule) yet pastes exactly.
 */
export function shellQuoted(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  const special = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]|##\[/u;
  if (!special.test(value)) return `'${value.replace(/'/g, `'\\''`)}'`;
  const body = Array.from(value, (char) => {
    if (char === '\\' || char === "'") return `\\${char}`;
    if (char === '[') return '\\x5b';
    return /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]/u.test(char) ? escapeOne(char) : char;
  }).join('');
  return `$'${body}'`;
}
