/**
 * The catalogue cache (issue #15, start-up): `list` and `validate` on unchanged inputs print what
 * they printed the last time, without loading zod, yaml or the spec modules (about half a second).
 *
 * An entry is found by a hash over everything the output is made from: the bytes and paths of
 * every spec and fixture file the command reads (spec/inputs.ts lists them), the tool's own code
 * (its spec/, common/ and cli/ modules, zod's and yaml's versions, Node's version), the working
 * folder (messages name files relative to it) and the command's options. A change to any of them
 * is a new key, so a stale entry is never found; the result stored is computed from the very bytes
 * that were hashed. Inputs are read as bounded regular files (common/input-file.ts): when one
 * cannot be read so, the command runs without the cache and reports it as it always did.
 * Anything wrong with the cache itself (no folder, read-only, a damaged entry) is silently the
 * normal, uncached path. So is a cache another user could have written: a folder or entry that is
 * not the user's own, is a link, or is writable by group or others is ignored (a planted entry
 * could make `validate` say "valid" for a spec the guard refuses). An entry is data: what it
 * holds is escaped again before it is printed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../common/errors.js';
import { escapeUntrusted, escapeUntrustedLines } from '../common/escape.js';
import { readInputFile } from '../common/input-file.js';
import { SPEC_MAX_BYTES } from '../common/limits.js';
import { type CatalogueInputs, type CatalogueSource, catalogueInputs, readSpecText } from '../spec/inputs.js';

/** What a command printed: its standard output, or the usage error (exit 2) it ended with. */
export type Outcome = { stdout: string } | { error: { message: string; lines: string[] } };

export interface CatalogueRequest {
  /** The command and its options that change what it prints. */
  command: string;
  options: Record<string, unknown>;
  files?: string[];
  suitesDir?: string;
  /** False for `--no-cache`: neither read nor write an entry. */
  cache: boolean;
}

/** Changes when an entry's layout changes. */
const FORMAT = 'egress-conformance catalogue cache 1';
/** Entries kept; the least recently used beyond this are removed after each write. */
const KEEP_ENTRIES = 16;
const ENTRY_MAX_BYTES = 8 * 1024 * 1024;
/** Inputs larger than this in all are loaded without the cache (the snapshot is held in memory). */
const SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;
/** The tool's folders whose code makes `list` and `validate` output (dist/ or harness/). */
const CODE_FOLDERS = ['spec', 'common', 'cli'];
const CODE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `EC_CACHE_DIR`, else `$XDG_CACHE_HOME/egress-conformance`, else `~/.cache/egress-conformance`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.EC_CACHE_DIR) return resolve(env.EC_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'egress-conformance');
  try {
    const home = homedir();
    return home ? join(home, '.cache', 'egress-conformance') : undefined;
  } catch {
    // No home folder (an account without one): no cache.
    return undefined;
  }
}

/**
 * The outcome of `compute` for the request's inputs: from the cache when an entry has the same
 * key, else computed (from the bytes hashed) and stored. Usage errors about the inputs themselves
 * (a missing `--suites` folder) are thrown as without the cache.
 */
export async function catalogueOutcome(
  request: CatalogueRequest,
  compute: (source: CatalogueSource) => Promise<Outcome>,
): Promise<Outcome> {
  const inputs = await catalogueInputs(request.files, request.suitesDir);
  const dir = request.cache ? cacheDir() : undefined;
  const snapshot = dir === undefined ? undefined : await readAll(inputs);
  const key = snapshot === undefined ? undefined : await keyOf(request, inputs, snapshot);
  if (dir === undefined || snapshot === undefined || key === undefined) {
    return compute({ inputs, read: readSpecText });
  }
  if (!(await ownedByUser(dir, true))) return compute({ inputs, read: readSpecText });
  const stored = await readEntry(dir, key);
  if (stored !== undefined) return reescaped(stored);
  const outcome = await compute({
    inputs,
    read: async (path) => snapshot.get(path)?.toString('utf8') ?? readSpecText(path),
  });
  await writeEntry(dir, key, outcome);
  return outcome;
}

/**
 * True when `path` is the user's own and only theirs to write: not a symbolic link, owned by this
 * uid, no group or other write bit. `missing`: what a path that does not exist yet counts as.
 */
async function ownedByUser(path: string, missing: boolean): Promise<boolean> {
  const uid = process.getuid?.();
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return false;
    if (uid !== undefined && info.uid !== uid) return false;
    return (info.mode & 0o022) === 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? missing : false;
  }
}

/** A stored outcome, escaped as freshly computed output is (escaping is idempotent). */
function reescaped(outcome: Outcome): Outcome {
  if ('stdout' in outcome) return { stdout: escapeUntrustedLines(outcome.stdout) };
  return {
    error: {
      message: escapeUntrusted(outcome.error.message),
      lines: outcome.error.lines.map(escapeUntrusted),
    },
  };
}

/** Prints an outcome as the command would have: stdout, or the usage error for main() to report. */
export function printOutcome(outcome: Outcome): void {
  if ('error' in outcome) throw new UsageError(outcome.error.message, outcome.error.lines);
  process.stdout.write(outcome.stdout);
}

/** Every input file's bytes, read as the loader reads them; undefined when any cannot be. */
async function readAll(inputs: CatalogueInputs): Promise<Map<string, Buffer> | undefined> {
  const paths = [...new Set([...inputs.specs, ...[...inputs.fixtureFiles.values()].flat()])];
  try {
    const contents = await Promise.all(
      paths.map((path) => readInputFile(path, { maxBytes: SPEC_MAX_BYTES })),
    );
    const total = contents.reduce((sum, bytes) => sum + bytes.length, 0);
    if (total > SNAPSHOT_MAX_BYTES) return undefined;
    return new Map(paths.map((path, i) => [path, contents[i] as Buffer]));
  } catch {
    return undefined;
  }
}

async function keyOf(
  request: CatalogueRequest,
  inputs: CatalogueInputs,
  snapshot: Map<string, Buffer>,
): Promise<string | undefined> {
  const hash = createHash('sha256');
  // Each field length-prefixed, so that no two different sequences of fields hash alike.
  const put = (data: string | Buffer) => hash.update(`${Buffer.byteLength(data)}:`).update(data);
  put(FORMAT);
  put(process.version);
  put(process.cwd());
  put(JSON.stringify([request.command, request.options, request.files ?? null, request.suitesDir ?? null]));
  try {
    for (const [name, bytes] of toolCode()) {
      put(name);
      put(bytes);
    }
  } catch {
    return undefined;
  }
  put(JSON.stringify([inputs.specs, inputs.fixturesDirs, [...inputs.fixtureFiles]]));
  for (const [path, bytes] of snapshot) {
    put(path);
    put(bytes);
  }
  return hash.digest('hex');
}

/**
 * The tool's identity: its code that makes the output, and the versions of zod, yaml and Node.
 * Read synchronously: some seventy small files, faster so than through the thread pool.
 */
function toolCode(): Array<[string, Buffer]> {
  const files: string[] = [];
  for (const folder of CODE_FOLDERS) {
    for (const entry of readdirSync(join(CODE_ROOT, folder), { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && /\.[cm]?[jt]s$/.test(entry.name)) files.push(join(entry.parentPath, entry.name));
    }
  }
  const require = createRequire(import.meta.url);
  files.sort().push(require.resolve('zod/package.json'), require.resolve('yaml/package.json'));
  return files.map((file) => [relative(CODE_ROOT, file), readFileSync(file)]);
}

function isOutcome(value: unknown): value is Outcome {
  const v = value as { stdout?: unknown; error?: { message?: unknown; lines?: unknown } } | null;
  if (v === null || typeof v !== 'object') return false;
  if (typeof v.stdout === 'string') return v.error === undefined;
  return (
    typeof v.error?.message === 'string' &&
    Array.isArray(v.error.lines) &&
    v.error.lines.every((line) => typeof line === 'string')
  );
}

async function readEntry(dir: string, key: string): Promise<Outcome | undefined> {
  const path = join(dir, `${key}.json`);
  try {
    if (!(await ownedByUser(path, false))) return undefined;
    const entry = JSON.parse((await readInputFile(path, { maxBytes: ENTRY_MAX_BYTES })).toString('utf8'));
    if (entry?.format !== FORMAT || entry.key !== key || !isOutcome(entry.outcome)) return undefined;
    // Recently used: pruning keeps it.
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined);
    return entry.outcome;
  } catch {
    return undefined;
  }
}

/** Stores an entry atomically (a temporary file renamed into place), then prunes the folder. */
async function writeEntry(dir: string, key: string, outcome: Outcome): Promise<void> {
  const text = JSON.stringify({ format: FORMAT, key, outcome });
  if (Buffer.byteLength(text) > ENTRY_MAX_BYTES) return;
  const temporary = join(dir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await rename(temporary, join(dir, `${key}.json`));
    await prune(dir);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

/** Keeps the most recently used entries; removes temporary files a killed process left. */
async function prune(dir: string): Promise<void> {
  const names = await readdir(dir);
  const aged = await Promise.all(
    names
      .filter((name) => /^[0-9a-f]{64}\.json$/.test(name) || /^\.[0-9a-f]{64}\..*\.tmp$/.test(name))
      .map(async (name) => ({
        name,
        mtime: (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0,
      })),
  );
  const entries = aged.filter((e) => e.name.endsWith('.json')).sort((a, b) => b.mtime - a.mtime);
  const leftovers = aged.filter((e) => e.name.endsWith('.tmp') && e.mtime < Date.now() - 60_000);
  for (const { name } of [...entries.slice(KEEP_ENTRIES), ...leftovers]) {
    await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}
