/**
 * The catalogue: every scenario spec under the suites folder, expanded with its fixtures and
 * validated, with the statements they cover. It is what `list`, `validate` and `run` start from.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../common/errors.js';
import { escapeControl } from '../common/escape.js';
import { describeFileError } from '../common/input-file.js';
import { MAX_SPEC_FILES } from '../common/limits.js';
import { EMPTY_LIBRARY, type FixtureLibrary, fixturesDirFor, loadFixtureLibrary } from './fixtures.js';
import { type LoadedScenario, loadScenarioFile, type SpecProblem } from './loader.js';
import { Origins } from './source.js';
import { STATEMENTS, type Statement } from './statements.js';

/** The suites shipped with the package (next to dist/ and harness/). */
export const DEFAULT_SUITES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'suites');

/** Folder of the fixtures inside a suites folder; its files are fixtures, not specs. */
export const FIXTURES_FOLDER = 'fixtures';

export interface Catalogue {
  scenarios: LoadedScenario[];
  problems: SpecProblem[];
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
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
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

/** Loads the given spec files, or every spec under `suitesDir`. */
export async function loadCatalogue(
  files: string[] | undefined,
  suitesDir = DEFAULT_SUITES_DIR,
): Promise<Catalogue> {
  const paths = files && files.length > 0 ? files.map((f) => resolve(f)) : await specFilesUnder(suitesDir);
  // One library per fixtures folder, read once; their problems are reported once.
  const origins = new Origins();
  const libraries = new Map<string, Promise<FixtureLibrary>>();
  const fallback = join(DEFAULT_SUITES_DIR, FIXTURES_FOLDER);
  const libraryFor = async (path: string) => {
    const dir = await fixturesDirFor(path, fallback);
    if (dir === undefined) return EMPTY_LIBRARY;
    if (!libraries.has(dir)) libraries.set(dir, loadFixtureLibrary(dir, origins));
    return libraries.get(dir) as Promise<FixtureLibrary>;
  };
  const results = await Promise.all(
    paths.map(async (path) => loadScenarioFile(path, process.cwd(), await libraryFor(path), origins)),
  );
  const scenarios: LoadedScenario[] = [];
  const problems: SpecProblem[] = [];
  for (const library of await Promise.all(libraries.values())) problems.push(...library.problems);
  // A problem in a fixture shows in every spec that uses it; it is said once.
  const said = new Set<string>();
  const firstFileOfId = new Map<string, string>();
  for (const result of results) {
    if (!result.ok) {
      for (const problem of result.problems) {
        const id = JSON.stringify(problem);
        if (!said.has(id)) problems.push(problem);
        said.add(id);
      }
      continue;
    }
    const { scenario, file } = result.loaded;
    const earlier = firstFileOfId.get(scenario.id);
    if (earlier) {
      problems.push({
        file,
        line: 1,
        field: 'id',
        message: `id '${scenario.id}' is already used by ${earlier}`,
      });
      continue;
    }
    firstFileOfId.set(scenario.id, file);
    scenarios.push(result.loaded);
  }
  return { scenarios, problems };
}

/** Statements of the catalogue (docs/behaviour.md) that no scenario names. */
export function uncoveredStatements(scenarios: LoadedScenario[]): Statement[] {
  const covered = new Set(scenarios.flatMap((s) => s.scenario.statements));
  return STATEMENTS.filter((s) => !covered.has(s.id));
}
