/**
 * `--last-failed`: the tests that failed in the last run, read from the newest results.json among
 * this run's report directory and those beside it (by default every run's folder under
 * test-results/); a run that reuses one --report-dir reads its own last results.
 * As Playwright's `--last-failed`, a test that did not pass counts: failed, or interrupted.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../common/errors.js';
import { REPORT_FILES } from '../../report/write.js';
import type { TestResult } from '../results.js';

export interface LastRun {
  reportDir: string;
  /** `<scenario id>/<family>` of every test to run again. */
  failed: string[];
}

async function newestResults(base: string): Promise<string | undefined> {
  const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
  let newest: { dir: string; time: number } | undefined;
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(base, entry.name);
    const info = await stat(join(dir, REPORT_FILES.results)).catch(() => undefined);
    if (info && (!newest || info.mtimeMs > newest.time)) newest = { dir, time: info.mtimeMs };
  }
  return newest?.dir;
}

/** Failed, or stopped by an interrupt: what a person means by "the ones that failed". */
function toRerun(test: TestResult): boolean {
  return test.status === 'failed' || test.skipReason === 'interrupted';
}

export async function readLastFailed(reportDir: string): Promise<LastRun> {
  const base = dirname(resolve(reportDir));
  const dir = await newestResults(base);
  if (!dir) {
    throw new UsageError(
      `--last-failed: no earlier report (${REPORT_FILES.results}) under ${base}; run once without it`,
    );
  }
  const file = join(dir, REPORT_FILES.results);
  let tests: unknown;
  try {
    tests = (JSON.parse(await readFile(file, 'utf8')) as { tests?: unknown }).tests;
  } catch (error) {
    throw new UsageError(`--last-failed: ${file}: not a run's results (${(error as Error).message})`);
  }
  if (!Array.isArray(tests)) throw new UsageError(`--last-failed: ${file}: no tests in it`);
  const failed = (tests as TestResult[]).filter(toRerun).map((t) => `${t.scenarioId}/${t.family}`);
  return { reportDir: dir, failed };
}
