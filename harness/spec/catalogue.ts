/**
 * The catalogue: every scenario spec under the suites folder, expanded with its fixtures and
 * validated, with the statements they cover. It is what `list`, `validate` and `run` start from.
 */
import { EMPTY_LIBRARY, type FixtureLibrary, loadFixtureLibrary } from './fixtures.js';
import { type CatalogueSource, catalogueInputs, readSpecText } from './inputs.js';
import { type LoadedScenario, loadScenarioFile, type ScopeException, type SpecProblem } from './loader.js';
import { Origins } from './source.js';
import { STATEMENTS, type Statement } from './statements.js';

export { DEFAULT_SUITES_DIR, FIXTURES_FOLDER } from './inputs.js';

export interface Catalogue {
  scenarios: LoadedScenario[];
  problems: SpecProblem[];
}

/** Loads the given spec files, or every spec under `suitesDir`. */
export async function loadCatalogue(
  files: string[] | undefined,
  suitesDir?: string,
  source?: CatalogueSource,
  /** The options file's `scopeExceptions`: reach rules allowed for named specs. */
  exceptions: readonly ScopeException[] = [],
): Promise<Catalogue> {
  const { specs, fixturesDirs, fixtureFiles } = source?.inputs ?? (await catalogueInputs(files, suitesDir));
  const read = source?.read ?? readSpecText;
  // One library per fixtures folder, read once; their problems are reported once.
  const origins = new Origins();
  const libraries = new Map<string, Promise<FixtureLibrary>>();
  const libraryFor = (dir: string | undefined) => {
    if (dir === undefined) return EMPTY_LIBRARY;
    if (!libraries.has(dir)) {
      libraries.set(dir, loadFixtureLibrary(dir, fixtureFiles.get(dir) ?? [], origins, read));
    }
    return libraries.get(dir) as Promise<FixtureLibrary>;
  };
  const results = await Promise.all(
    specs.map(async (path, i) =>
      loadScenarioFile(path, process.cwd(), await libraryFor(fixturesDirs[i]), origins, read, exceptions),
    ),
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

/**
 * The first scope exception naming a spec the catalogue does not hold, if any: such an exception
 * is a typo that allows nothing, so `validate` and `run` both refuse it.
 */
export function exceptionWithoutSpec(
  catalogue: Catalogue,
  exceptions: readonly ScopeException[],
): ScopeException | undefined {
  const ids = new Set(catalogue.scenarios.map((s) => s.scenario.id));
  return exceptions.find((e) => !ids.has(e.spec));
}
