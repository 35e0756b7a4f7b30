/**
 * The catalogue: every scenario spec under the suites folder, validated, with the statements
 * they cover. It is what `list`, `validate` and `run` start from.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoadedScenario, loadScenarioFile, type SpecProblem } from './loader.js';
import { STATEMENTS, type Statement } from './statements.js';

/** The suites shipped with the package (next to dist/ and harness/). */
export const DEFAULT_SUITES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'suites');

export interface Catalogue {
  scenarios: LoadedScenario[];
  problems: SpecProblem[];
}

async function specFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Loads the given spec files, or every spec under `suitesDir`. */
export async function loadCatalogue(
  files: string[] | undefined,
  suitesDir = DEFAULT_SUITES_DIR,
): Promise<Catalogue> {
  const paths = files && files.length > 0 ? files.map((f) => resolve(f)) : await specFilesUnder(suitesDir);
  const results = await Promise.all(paths.map((path) => loadScenarioFile(path)));
  const scenarios: LoadedScenario[] = [];
  const problems: SpecProblem[] = [];
  const firstFileOfId = new Map<string, string>();
  for (const result of results) {
    if (!result.ok) {
      problems.push(...result.problems);
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

/** Statements of BEHAVIOUR.md that no scenario names. */
export function uncoveredStatements(scenarios: LoadedScenario[]): Statement[] {
  const covered = new Set(scenarios.flatMap((s) => s.scenario.statements));
  return STATEMENTS.filter((s) => !covered.has(s.id));
}
