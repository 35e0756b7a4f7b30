/**
 * Secrets are redacted by value, not only by key. A key named `bgpPassword` is easy; a password in
 * a repository URL (`https://user:pass@git.example.com/...`), a kubeconfig's server URL, an
 * ssh command template (`sshpass -p hunter2 ssh ...`) or a bearer token in an error message is
 * not under a secret-named key. So:
 *
 * - every value found under a secret-named key, in URL userinfo or after a credential flag is
 *   *registered* when the input is read (options file, kubeconfig), and every registered value is
 *   replaced wherever it appears later, whatever surrounds it;
 * - the credential shapes themselves (URL userinfo, `--password X`, `token=X`, `Bearer X`) are
 *   redacted in any text even when nothing registered them.
 *
 * The CLI passes everything it prints (`installOutputRedaction`) and every report and diagnostics
 * file it writes through `redact`.
 */

export const REDACTED = '<redacted>';

/** Keys whose values never reach logs or reports. */
export const SECRET_KEY = /password|passwd|secret|token|credential|kubeconfig|key$/i;

/** `scheme://USERINFO@`: the userinfo is a secret (a password, or a token used as the user). */
// Greedy to the last `@` before the path: a password may hold an unencoded `@`.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/'"]+)@/gi;

/**
 * A credential after a flag or an assignment in a command line: `--password X`, `--token=X`,
 * `password=X`, `PASS=X`, an environment assignment whose NAME holds a secret word
 * (`AWS_SECRET_ACCESS_KEY=X`, `PGPASSWORD=X`, `GITHUB_TOKEN=X`, `*_KEY=X`; not ssh's
 * `PasswordAuthentication=yes`, and never a name after `-` or `.`: an HTML `data-key=`
 * attribute or a flag's tail is no assignment), `curl -u USER:PASS` / `--user USER:PASS` (a value with a colon),
 * a `Cookie:`, `X-Auth-Token:`, `X-Api-Key:` or `Private-Token:` header, `sshpass -p X`, `Authorization: Bearer X`, `Authorization: Basic X`
 * (any scheme, and Proxy-Authorization), a bare `Basic X`/`Digest X`, and a password glued to its
 * flag (`mysql -pSECRET`; a `-p` followed by a digit is a port, `ssh -p2222`, and stays); an
 * assignment whose name has an `AUTH`, `PAT` or `PWD` segment (`DOCKER_AUTH_CONFIG=`,
 * `GITHUB_PAT=`, `MYSQL_PWD=`); a JSON body's secret-named key (`{"password": "X"}`); and a
 * secret word glued to its value by a colon (`password:X`; with a space after the colon it is our
 * own `field: expected ...` error text, and after a `/` or before `LINE:` a file's `FILE:LINE:`,
 * and stays). `-P` stays: it is mysql's and scp's port. Group
 * 1 is kept, group 2 (the value, maybe quoted) is the secret.
 */
const COMMAND_CREDENTIAL =
  /((?:--?(?:password|passwd|pass|token|secret|api-key|auth)[= ]|(?<![-\w.])(?![A-Za-z0-9_]*authentication=)(?=[A-Za-z0-9_]*(?:password|passwd|secret|token|credential|apikey|api_key|access_key|private_key)[A-Za-z0-9_]*=|(?:[A-Za-z0-9_]*_)?(?:pass|key)=|(?:[A-Za-z0-9]+_)*(?:auth|pat|pwd)(?:_[A-Za-z0-9]+)*=)[A-Za-z_][A-Za-z0-9_]*=|(?<=^|[\s'"])(?:-u\s*|--user[= ]\s*)(?=[^\s'"]*:)|\b(?:cookie|set-cookie|private-token|api-key|x-[a-z0-9-]*(?:token|key|auth|secret|session)[a-z0-9-]*)\s*:\s*|\bsshpass\s+-p\s*|\b(?:proxy-)?authorization\s*:\s*(?:[A-Za-z-]+\s+)?|\b(?:Bearer|Basic|Digest)\s+|(?<=^|\s)-p(?=[^\s\d-])|"[A-Za-z0-9_-]*(?:password|passwd|pwd|secret|token|apikey|api_key)[A-Za-z0-9_-]*"\s*:\s*|(?<![-\w./])[A-Za-z0-9_]*(?:password|passwd|pwd|secret|token):(?!\d+:)(?=[^\s/'"])))('[^']*'|"[^"]*"|[^\s'"]+)/gi;

/**
 * `user:password@host` without a scheme (an ssh or scp target): the part after the colon. Only
 * after a start, a space, a quote or `=`, so a URL (handled above) and `host:path` never match.
 */
const TARGET_PASSWORD = /(?<=^|[\s'"=])([^\s:@'"/]+:)([^\s@'"/]+)@(?=[A-Za-z0-9[])/g;

const registered = new Set<string>();
/** Registered values, longest first, so that a secret containing another is replaced whole. */
let ordered: string[] = [];

/** Values shorter than this are not replaced on their own (a one-letter "password" would mangle every line). */
const MIN_LENGTH = 4;

/** Remembers values to redact from now on, wherever they appear. */
export function registerSecrets(values: Iterable<string>): void {
  let changed = false;
  for (const value of values) {
    const trimmed = value.trim();
    if (trimmed.length < MIN_LENGTH || registered.has(trimmed)) continue;
    registered.add(trimmed);
    changed = true;
  }
  if (changed) ordered = [...registered].sort((a, b) => b.length - a.length);
}

/** Forgets every registered value (tests). */
export function clearSecrets(): void {
  registered.clear();
  ordered = [];
}

function unquote(value: string): string {
  return /^(['"]).*\1$/.test(value) ? value.slice(1, -1) : value;
}

/** The credentials that the shapes above find in one string: userinfo, flag values, tokens. */
export function credentialsIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(URL_USERINFO)) {
    const userinfo = match[2] as string;
    found.push(userinfo);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) found.push(userinfo.slice(colon + 1));
  }
  for (const match of text.matchAll(COMMAND_CREDENTIAL)) found.push(unquote(match[2] as string));
  for (const match of text.matchAll(TARGET_PASSWORD)) found.push(match[2] as string);
  return found.filter((v) => v.length > 0 && v !== REDACTED);
}

/**
 * Every secret in a parsed input (an options file, a settings section): the strings under
 * secret-named keys, and the credentials inside any other string.
 */
export function secretsIn(value: unknown, underSecretKey = false): string[] {
  if (typeof value === 'string')
    return underSecretKey ? [value, ...credentialsIn(value)] : credentialsIn(value);
  if (typeof value === 'number' && underSecretKey) return [String(value)];
  if (Array.isArray(value)) return value.flatMap((item) => secretsIn(item, underSecretKey));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      secretsIn(item, underSecretKey || SECRET_KEY.test(key)),
    );
  }
  return [];
}

/** `text` with every registered secret and every credential shape replaced by `<redacted>`. */
export function redact(text: string): string {
  let result = text;
  for (const value of ordered) {
    if (result.includes(value)) result = result.split(value).join(REDACTED);
  }
  return result
    .replace(URL_USERINFO, (_m, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(TARGET_PASSWORD, (_m, user: string) => `${user}${REDACTED}@`)
    .replace(COMMAND_CREDENTIAL, (match, flag: string, value: string) =>
      // Already redacted (a report rendered from redacted values): the match may run on into a
      // format's escape (`<redacted>\` before a JSON `"`), which must stay.
      {
        if (unquote(value).startsWith(REDACTED)) return match;
        // A JSON key's quoted value keeps its quotes: the JSON stays JSON.
        return flag.startsWith('"') && value.startsWith('"') ? `${flag}"${REDACTED}"` : `${flag}${REDACTED}`;
      },
    );
}

/**
 * A copy of JSON data (a run's results) with every string redacted. Reports are rendered from it,
 * so redaction never cuts into the escapes of a format: redacting the written JSON text once took
 * the `\\` of a `\\"` with the token after `Bearer`, and the file no longer parsed.
 */
export function redactStrings<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) =>
    typeof item === 'string' ? redact(item) : item,
  ) as T;
}

/** A copy safe to print and report: values under secret-named keys replaced, credentials in other strings too. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && v !== undefined ? REDACTED : redactValue(v),
      ]),
    );
  }
  return value;
}

type Write = typeof process.stdout.write;

/**
 * Every string the process writes to stdout and stderr passes through `redact` (the console
 * reporters, logs, errors, commander's messages, a provider's progress lines). Idempotent.
 */
export function installOutputRedaction(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    const marked = stream as NodeJS.WriteStream & { __ecRedacting?: boolean };
    if (marked.__ecRedacting) continue;
    marked.__ecRedacting = true;
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      original(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest)) as Write;
  }
}
