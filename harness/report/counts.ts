/**
 * What every report counts, in one place, so that the console, the GitHub step summary, JUnit,
 * the ConformanceReport and the HTML page agree on every number of a run.
 *
 * A test the run left out (not selected by the flags, or another shard's) is not part of the
 * run: it is neither counted nor listed as skipped. A skip is a selected test that could not run,
 * and always has a reason from the environment or the spec (not supported, needs N nodes, ...).
 * A narrowed run (`--run-test`, `--skip-tests`, `--suites`, `--shard`, a single `--family` where
 * the environment offers more) says so, with what was selected: it never certifies a profile.
 */
import type { RunResult, TestResult } from '../run/results.js';

/** Tests this run left out on purpose (not selected, another shard's): not part of its counts. */
export function leftOut(test: TestResult): boolean {
  return (
    test.status === 'skipped' && (test.skipReason === 'not-selected' || test.skipReason === 'other-shard')
  );
}

/** The tests a run selected: run, failed, or skipped with a reason. */
export function selectedTests(run: Pick<RunResult, 'tests'>): TestResult[] {
  return run.tests.filter((t) => !leftOut(t));
}

export interface RunCounts {
  /** Every test of the plan (each scenario x family of the profile), selected or not. */
  planned: number;
  selected: number;
  /** Passed at the first attempt: a test that passed only on a retry is flaky, not passed. */
  passed: number;
  failed: number;
  skipped: number;
  /** Passed on a retry after failing (`--retries`). */
  flaky: number;
}

export function countsOf(run: Pick<RunResult, 'tests'>): RunCounts {
  const selected = selectedTests(run);
  const count = (status: TestResult['status']) => selected.filter((t) => t.status === status).length;
  const flaky = selected.filter((t) => t.status === 'passed' && t.flaky).length;
  return {
    planned: run.tests.length,
    selected: selected.length,
    passed: count('passed') - flaky,
    failed: count('failed'),
    skipped: count('skipped'),
    flaky,
  };
}

/**
 * "38 of 76 tests selected: 36 passed, 1 failed, 1 skipped" — the same words in every report;
 * ", 1 flaky" after them when a test passed only on a retry.
 */
export function countsLine(counts: RunCounts): string {
  return (
    `${counts.selected} of ${counts.planned} tests selected: ` +
    `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped` +
    (counts.flaky > 0 ? `, ${counts.flaky} flaky` : '')
  );
}

export interface Selection {
  scope: 'full' | 'narrowed';
  /** What narrowed it, as the flags say it (`--run-test snat-loadbalancer-ip`). */
  narrowedBy: string[];
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Whether the run covered everything its profile holds on this environment, read from the run's
 * effective options: a merged set of shards is whole again (merging drops the shard option).
 */
export function selectionOf(run: Pick<RunResult, 'options' | 'shard' | 'environment'>): Selection {
  const options = run.options;
  const by: string[] = [];
  const runTests = list(options.runTests);
  const skipTests = list(options.skipTests);
  if (runTests.length > 0) by.push(`--run-test ${runTests.join(', ')}`);
  if (skipTests.length > 0) by.push(`--skip-tests ${skipTests.join(',')}`);
  // The filters of run control (run/filters.ts): any of them narrows the run.
  if (typeof options.grep === 'string') by.push(`--grep ${options.grep}`);
  if (typeof options.grepInvert === 'string') by.push(`--grep-invert ${options.grepInvert}`);
  if (list(options.statements).length > 0) by.push(`--statement ${list(options.statements).join(',')}`);
  if (list(options.features).length > 0) by.push(`--feature ${list(options.features).join(',')}`);
  if (Array.isArray(options.lastFailed)) by.push('--last-failed');
  if (typeof options.suites === 'string') by.push(`--suites ${options.suites}`);
  if (run.shard) by.push(`--shard ${run.shard.index}/${run.shard.total}`);
  const family = options.family;
  if (family === 'ipv4' || family === 'ipv6') {
    // Families the environment can offer count, whatever this run brought up.
    const supports = (name: string) => run.environment.features.some((f) => f.name === name && f.supported);
    const other = family === 'ipv4' ? supports('IPv6') : supports('DualStack');
    if (other) by.push(`--family ${family}`);
  }
  return { scope: by.length > 0 ? 'narrowed' : 'full', narrowedBy: by };
}
