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
