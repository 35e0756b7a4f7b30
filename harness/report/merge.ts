/**
 * Merging reports: the shards of a run (`run --shard I/N`), each written into its own report
 * directory, become one run with the same results an unsharded run gives. Each test is taken
 * from the shard that ran it; the shards' artifacts and diagnostics are copied beside the merged
 * reports, so every link in them still resolves.
 */
import { copyFile, lstat, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../common/errors.js';
import { type RunResult, type TestResult, testKey } from '../run/results.js';
import { checkOneRun } from './merge-input.js';

export { readRunResult } from './merge-input.js';

function shardLabel(run: RunResult): string {
  return run.shard ? `shard ${run.shard.index}/${run.shard.total}` : `run ${run.runId}`;
}

/** Shards must be one complete set: the same N, each index once. */
function checkShards(runs: RunResult[]): void {
  const sharded = runs.filter((r) => r.shard);
  if (sharded.length === 0) return;
  if (sharded.length !== runs.length) {
    throw new UsageError(
      'merge-reports: some directories hold shards and some whole runs; merge one or the other',
    );
  }
  const total = sharded[0]?.shard?.total as number;
  if (sharded.some((r) => r.shard?.total !== total)) {
    throw new UsageError(
      `merge-reports: the shards come from different splits (${runs.map((r) => `${r.shard?.index}/${r.shard?.total}`).join(', ')})`,
    );
  }
  for (let index = 1; index <= total; index++) {
    const count = runs.filter((r) => r.shard?.index === index).length;
    if (count === 0) throw new UsageError(`merge-reports: shard ${index}/${total} is missing`);
    if (count > 1) throw new UsageError(`merge-reports: shard ${index}/${total} is given ${count} times`);
  }
}

/** The one result of a test across the runs: from the run that ran it. */
function pick(key: string, candidates: Array<{ run: RunResult; test: TestResult }>): TestResult {
  const own = candidates.filter((c) => c.test.skipReason !== 'other-shard');
  const ran = own.filter((c) => c.test.status !== 'skipped');
  if (ran.length > 1) {
    throw new UsageError(
      `merge-reports: ${key} ran in more than one run (${ran.map((c) => shardLabel(c.run)).join(', ')})`,
    );
  }
  const chosen = ran[0] ?? own.find((c) => c.test.skipReason !== 'not-selected') ?? own[0];
  if (!chosen) throw new UsageError(`merge-reports: no run ran or planned ${key}`);
  return chosen.test;
}

/** The lab ids of the shards, joined as the environment ids are. */
function labIds(runs: RunResult[]): string {
  return [...new Set(runs.map((r) => r.environment.fingerprint?.labId ?? ''))].join('+');
}

export function mergeRuns(runs: RunResult[], reportDir: string): RunResult {
  if (runs.length === 0) throw new UsageError('merge-reports: expected at least one report directory');
  checkShards(runs);
  checkOneRun(
    runs,
    runs.map((r) => r.reportDir),
  );
  const first = runs[0] as RunResult;
  const providers = new Set(runs.map((r) => r.environment.provider));
  if (providers.size > 1) {
    throw new UsageError(`merge-reports: the runs used different providers (${[...providers].join(', ')})`);
  }
  // Every shard plans the whole run: the order is the plan's, the union covers plain runs too.
  const byKey = new Map<string, Array<{ run: RunResult; test: TestResult }>>();
  for (const run of runs) {
    for (const test of run.tests) {
      const key = testKey(test);
      byKey.set(key, [...(byKey.get(key) ?? []), { run, test }]);
    }
  }
  const tests = [...byKey].map(([key, candidates]) => pick(key, candidates));
  // The rule of `run` (plan-check.ts): a run that selects no test is exit 2, so is a merge of them.
  if (!tests.some((t) => t.skipReason !== 'not-selected')) {
    throw new UsageError(
      `merge-reports: no test selected in ${runs.map((r) => r.reportDir).join(', ')}: ${tests.length === 0 ? 'every shard lists no test (tests: [])' : 'every test was left out'}`,
    );
  }
  const ids = [...new Set(runs.map((r) => r.environment.id))];
  const { shard: _shard, ...options } = first.options as Record<string, unknown> & { shard?: unknown };
  const label = (run: RunResult) => (runs.length > 1 ? `${shardLabel(run)}: ` : '');
  return {
    runId: runs.map((r) => r.runId).join('+'),
    toolVersion: first.toolVersion,
    startedAt: runs.map((r) => r.startedAt).sort()[0] as string,
    finishedAt: runs
      .map((r) => r.finishedAt)
      .sort()
      .at(-1) as string,
    // Shards may run on environments of one shape but their own ids (environmentShape).
    environment: {
      ...first.environment,
      id: ids.join('+'),
      ...(first.environment.fingerprint?.labId === undefined
        ? {}
        : { fingerprint: { ...first.environment.fingerprint, labId: labIds(runs) } }),
    },
    options,
    tests,
    phases: runs.flatMap((run) => run.phases.map((p) => ({ ...p, name: `${label(run)}${p.name}` }))),
    interrupted: runs.some((r) => r.interrupted),
    reportDir,
    errors: runs.flatMap((run) =>
      (run.errors ?? []).map((e) => ({ ...e, message: `${label(run)}${e.message}` })),
    ),
    mergedFrom: runs.map((r) => ({
      runId: r.runId,
      reportDir: r.reportDir,
      ...(r.shard ? { shard: r.shard } : {}),
    })),
  };
}

/**
 * Copies each run's artifacts and diagnostics beside the merged reports (paths stay the same), as
 * regular files only: a symbolic link (which could point anywhere on the merging host), a FIFO or
 * a device in a shard is left out, and named in the returned list.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: copies only regular files and names every other kind; the checks read best together
export async function copyArtifacts(runs: RunResult[], reportDir: string): Promise<string[]> {
  const left: string[] = [];
  for (const run of runs) {
    for (const dir of ['artifacts', 'diagnostics']) {
      const from = join(run.reportDir, dir);
      if (resolve(from) === resolve(reportDir, dir)) continue;
      const top = await lstat(from).catch(() => undefined);
      if (!top?.isDirectory()) continue;
      // A stack, not recursion: a shard's nesting is the shard's choice.
      const stack = [''];
      while (stack.length > 0) {
        const relativeDir = stack.pop() as string;
        await mkdir(join(reportDir, dir, relativeDir), { recursive: true });
        for (const entry of await readdir(join(from, relativeDir), { withFileTypes: true })) {
          const path = join(relativeDir, entry.name);
          if (entry.isDirectory()) stack.push(path);
          else if (entry.isFile()) await copyFile(join(from, path), join(reportDir, dir, path));
          else left.push(join(run.reportDir, dir, path));
        }
      }
    }
  }
  return left;
}
