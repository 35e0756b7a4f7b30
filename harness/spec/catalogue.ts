/**
 * The catalogue: every scenario spec under the suites folder, expanded with its fixtures and
 * validated, with the statements they cover. It is what `list`, `validate` and `run` start from.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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

async function specFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !path.slice(dir.length).split(sep).includes(FIXTURES_FOLDER))
    .sort();
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
