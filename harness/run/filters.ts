/**
 * Which scenarios a run selects, as test runners select them: exact ids (`--run-test`,
 * `--skip-tests`), a pattern over id and title (`--grep`, `--grep-invert`, Playwright's `-g`),
 * statements (`--statement ES-SNAT-1`), features (`--feature NodeLabel`) and the failures of the
 * last run (`--last-failed`). A name that matches nothing is a usage error with a "did you mean".
 */
import { UsageError } from '../common/errors.js';
import type { LoadedScenario } from '../spec/loader.js';
import { FEATURES, STATEMENT_IDS } from '../spec/statements.js';
import type { TestFamily } from './results.js';

export interface TestFilters {
  runTests: readonly string[];
  skipTests: readonly string[];
  /** A regular expression matched against `<id> <title>`. */
  grep?: string;
  grepInvert?: string;
  /** Statement ids: a scenario is selected when it covers any of them. */
  statements?: readonly string[];
  /** Feature names: a scenario is selected when it needs any of them. */
  features?: readonly string[];
  /** `--last-failed`: the tests (`<id>/<family>`) that failed in the last run. */
  lastFailed?: readonly string[];
}

/** `--grep` and `--grep-invert` as regular expressions; a bad one is a usage error naming the flag. */
export function compilePattern(flag: string, text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new UsageError(`${flag} ${text}: not a regular expression (${(error as Error).message})`);
  }
}

/** Why a scenario x family is not selected by the filters; undefined when it is. */
export function notSelectedBecause(
  scenario: LoadedScenario['scenario'],
  family: TestFamily,
  filters: TestFilters,
): string | undefined {
  const text = `${scenario.id} ${scenario.title}`;
  if (filters.runTests.length > 0 && !filters.runTests.includes(scenario.id))
    return 'not named by --run-test';
  if (filters.skipTests.includes(scenario.id)) return 'named by --skip-tests';
  if (filters.grep !== undefined && !compilePattern('--grep', filters.grep).test(text)) {
    return 'not matched by --grep';
  }
  if (filters.grepInvert !== undefined && compilePattern('--grep-invert', filters.grepInvert).test(text)) {
    return 'matched by --grep-invert';
  }
  const statements = filters.statements ?? [];
  if (statements.length > 0 && !scenario.statements.some((s) => statements.includes(s))) {
    return 'covers no statement named by --statement';
  }
  const features = filters.features ?? [];
  if (features.length > 0 && !scenario.features.some((f) => features.includes(f))) {
    return 'needs no feature named by --feature';
  }
  if (filters.lastFailed && !filters.lastFailed.includes(`${scenario.id}/${family}`)) {
    return 'passed (or did not run) in the last run (--last-failed)';
  }
  return undefined;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = row;
  }
  return previous[b.length] as number;
}

/** The known name closest to `name`, when it is close enough to be what was meant. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  const lower = name.toLowerCase();
  for (const candidate of known) {
    const d = candidate.toLowerCase().includes(lower) ? 1 : distance(lower, candidate.toLowerCase());
    if (!best || d < best.distance) best = { name: candidate, distance: d };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** One line per flag: the names nothing has, each with the closest known one where there is one. */
function unknownNames(
  flag: string,
  what: string,
  names: readonly string[],
  known: ReadonlySet<string>,
  see: string,
): void {
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length === 0) return;
  const guesses = unknown.flatMap((name) => {
    const guess = closest(name, known);
    return guess ? [unknown.length === 1 ? guess : `${guess} (for ${name})`] : [];
  });
  const hint = guesses.length > 0 ? `; did you mean ${guesses.join(', ')}?` : '';
  throw new UsageError(`${flag}: no ${what} ${unknown.join(', ')}${hint} (see ${see})`);
}

/** Every id, statement and feature the filters name exists: else exit 2 with a "did you mean". */
export function checkFilterNames(scenarios: LoadedScenario[], filters: TestFilters): void {
  const ids = new Set(scenarios.map((s) => s.scenario.id));
  const list = '`egress-conformance list`';
  unknownNames('--run-test', 'scenario with id', filters.runTests, ids, list);
  unknownNames('--skip-tests', 'scenario with id', filters.skipTests, ids, list);
  unknownNames('--statement', 'statement', filters.statements ?? [], STATEMENT_IDS, list);
  unknownNames(
    '--feature',
    'feature',
    filters.features ?? [],
    new Set<string>(FEATURES),
    FEATURES.join(', '),
  );
  if (filters.grep !== undefined) compilePattern('--grep', filters.grep);
  if (filters.grepInvert !== undefined) compilePattern('--grep-invert', filters.grepInvert);
}
