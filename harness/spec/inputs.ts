/**
 * Which files a catalogue load reads: the spec files (given, or found under a suites folder), the
 * fixtures folder of each spec and the fixture files in it. Kept apart from the loader and free of
 * zod and yaml, so that the CLI's catalogue cache (cli/catalogue-cache.ts) can name and hash
 * exactly these files without loading the parser, and the loader then reads the same list.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../common/errors.js';
import { escapeControl } from '../common/escape.js';
import { describeFileError, readInputText } from '../common/input-file.js';
import { MAX_SPEC_FILES, SPEC_MAX_BYTES } from '../common/limits.js';

/** The suites shipped with the package (next to dist/ and harness/). */
export const DEFAULT_SUITES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'suites');

/** Folder of the fixtures inside a suites folder; its files are fixtures, not specs. */
export const FIXTURES_FOLDER = 'fixtures';

/** Reads one spec or fixture file as text (the loader's reads go through one of these). */
export type ReadText = (path: string) => Promise<string>;

/** A regular file within the bound: a FIFO or a device is refused before it is read. */
export const readSpecText: ReadText = (path) => readInputText(path, { maxBytes: SPEC_MAX_BYTES });

export interface CatalogueInputs {
  /** Absolute paths of the spec files, in load order. */
  specs: string[];
  /** The fixtures folder of each spec (same index), undefined when it has none. */
  fixturesDirs: Array<string | undefined>;
  /** The fixture files of each fixtures folder used, sorted by name. */
  fixtureFiles: Map<string, string[]>;
}

/**
 * What a catalogue load reads (catalogue.ts): the files, and how each is read. The CLI's cache
 * hands in the files it hashed with their bytes as read then, so that the result it stores belongs
 * to exactly those bytes.
 */
export interface CatalogueSource {
  inputs: CatalogueInputs;
  read: ReadText;
}

/**
 * Spec files under a suites folder: `.yaml` / `.yml` in any case, symbolic links to files followed.
 * A folder that is missing, not a folder or holds no spec is a usage error (exit 2): zero specs
 * validated is no success.
 */
async function specFilesUnder(dir: string): Promise<string[]> {
  const shown = escapeControl(dir);
  const kind = await stat(dir).catch((error: NodeJS.ErrnoException) => error);
  if (kind instanceof Error) {
    throw new UsageError(
      `--suites ${shown}: ${kind.code === 'ENOENT' ? 'no such directory' : describeFileError(kind).reason}`,
    );
  }
  if (!kind.isDirectory()) throw new UsageError(`--suites ${shown}: not a directory`);
  // A folder that cannot be walked (unreadable, or /proc changing under the walk) is the user's
  // input: one line naming it, exit 2.
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(
    (error: NodeJS.ErrnoException) => {
      const where =
        typeof (error as { path?: unknown }).path === 'string'
          ? ` (${escapeControl(String((error as { path: string }).path))})`
          : '';
      throw new UsageError(
        `--suites ${shown}: cannot read every folder under it${where}: ${describeFileError(error).reason}`,
      );
    },
  );
  const isSpecName = (name: string) => /\.ya?ml$/i.test(name);
  const files: string[] = [];
  for (const entry of entries) {
    if (!isSpecName(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    // Fixtures live in their own folder: its files are not specs.
    if (path.slice(dir.length).split(sep).includes(FIXTURES_FOLDER)) continue;
    if (entry.isFile() || (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile())) {
      files.push(path);
    }
  }
  if (files.length === 0) throw new UsageError(`--suites ${shown}: no scenario specs (*.yaml, *.yml) in it`);
  if (files.length > MAX_SPEC_FILES) {
    throw new UsageError(
      `--suites ${shown}: ${files.length} spec files, over the limit of ${MAX_SPEC_FILES}`,
    );
  }
  return files.sort();
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/**
 * The fixtures folder of a spec: `fixtures/` beside the spec or beside its folder
 * (`suites/fixtures/` for `suites/core/x.yaml`), else `fallback` (the shipped suites' fixtures).
 */
export async function fixturesDirFor(specPath: string, fallback: string): Promise<string | undefined> {
  const folder = dirname(resolve(specPath));
  for (const candidate of [join(folder, 'fixtures'), join(dirname(folder), 'fixtures')]) {
    if (await isDirectory(candidate)) return candidate;
  }
  return (await isDirectory(fallback)) ? fallback : undefined;
}

/** The `*.yaml` fixture files of a fixtures folder (regular files only), sorted by name. */
export async function fixtureFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name));
}

/** The files loading the given spec files, or every spec under `suitesDir`, reads. */
export async function catalogueInputs(
  files: readonly string[] | undefined,
  suitesDir = DEFAULT_SUITES_DIR,
): Promise<CatalogueInputs> {
  const specs = files && files.length > 0 ? files.map((f) => resolve(f)) : await specFilesUnder(suitesDir);
  const fallback = join(DEFAULT_SUITES_DIR, FIXTURES_FOLDER);
  const fixturesDirs = await Promise.all(specs.map((path) => fixturesDirFor(path, fallback)));
  const fixtureFiles = new Map<string, string[]>();
  for (const dir of new Set(fixturesDirs)) {
    if (dir !== undefined) fixtureFiles.set(dir, await fixtureFilesIn(dir));
  }
  return { specs, fixturesDirs, fixtureFiles };
}
