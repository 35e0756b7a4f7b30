/**
 * Merging reports: the shards of a run (`run --shard I/N`), each written into its own report
 * directory, become one run with the same results an unsharded run gives. Each test is taken
 * from the shard that ran it; the shards' artifacts and diagnostics are copied beside the merged
 * reports, so every link in them still resolves.
 */
import { constants, createWriteStream } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
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

/** An artifact left out of the merged report, and why. */
export interface LeftOut {
  path: string;
  reason: string;
}

/** The capture files the run's tests name (`artifacts/...pcap`): each must be a regular file. */
function capturesOf(run: RunResult): Set<string> {
  const captures = new Set<string>();
  type Named = { capture?: unknown; absentAt?: Array<{ capture?: unknown }> };
  for (const test of run.tests) {
    const evidence = [
      ...((test.evidence ?? []) as Named[]),
      ...(((test as { earlierEvidence?: unknown }).earlierEvidence ?? []) as Named[]),
    ];
    for (const e of evidence) {
      for (const capture of [e.capture, ...(e.absentAt ?? []).map((a) => a.capture)]) {
        if (typeof capture === 'string') captures.add(join(capture));
      }
    }
  }
  return captures;
}

/** What a file that is not a regular file is, for the line that names it. */
function kindOf(info: { isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean }): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  return 'a device or socket';
}

/**
 * Copies one file of a shard, or says why not. Opened without following a link (O_NOFOLLOW) and
 * without waiting on a FIFO (O_NONBLOCK), then judged on the open descriptor (fstat), so nothing
 * can be swapped in between the check and the copy. A regular file with more than one name (a hard
 * link) is left out: its other name may be any file of the merging host that the shard's owner
 * could link, and the merged report would carry its content.
 */
async function copyRegularFile(from: string, to: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ELOOP' ? 'not a regular file (a symbolic link)' : `not readable (${code})`;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return `not a regular file (${kindOf(info)})`;
    if (info.nlink > 1)
      return `a hard link (${info.nlink} names); its content may be a file outside the shard`;
    await pipeline(handle.createReadStream({ autoClose: false }), createWriteStream(to));
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Copies the tree under `from` into `to` (a stack, not recursion: a shard's nesting is its own). */
async function copyTree(
  from: string,
  to: string,
  captures: ReadonlySet<string>,
  root: string,
): Promise<LeftOut[]> {
  const left: LeftOut[] = [];
  const stack = [''];
  while (stack.length > 0) {
    const relativeDir = stack.pop() as string;
    await mkdir(join(to, relativeDir), { recursive: true });
    for (const entry of await readdir(join(from, relativeDir), { withFileTypes: true })) {
      const path = join(relativeDir, entry.name);
      // A directory where a step names its capture file: the report's link would open a folder.
      if (entry.isDirectory() && captures.has(join(root, path))) {
        left.push({ path: join(from, path), reason: 'not a regular file (a directory)' });
      } else if (entry.isDirectory()) {
        stack.push(path);
      } else {
        // Only what the listing calls a regular file is opened: opening a device can act on it.
        const reason = entry.isFile()
          ? await copyRegularFile(join(from, path), join(to, path))
          : `not a regular file (${kindOf(entry)})`;
        if (reason) left.push({ path: join(from, path), reason });
      }
    }
  }
  return left;
}

/**
 * Copies each run's artifacts and diagnostics beside the merged reports (paths stay the same), as
 * regular files with one name only: a symbolic link (which could point anywhere on the merging
 * host), a hard link, a FIFO, a device, or a directory where a step names its capture file is
 * left out, and named in the returned list; so is an `artifacts` folder that is itself a link.
 */
export async function copyArtifacts(runs: RunResult[], reportDir: string): Promise<LeftOut[]> {
  const left: LeftOut[] = [];
  for (const run of runs) {
    const captures = capturesOf(run);
    for (const dir of ['artifacts', 'diagnostics']) {
      const from = join(run.reportDir, dir);
      if (resolve(from) === resolve(reportDir, dir)) continue;
      const top = await lstat(from).catch(() => undefined);
      if (!top) continue;
      if (top.isDirectory()) left.push(...(await copyTree(from, join(reportDir, dir), captures, dir)));
      else
        left.push({
          path: from,
          reason: `not a directory (${top.isFile() ? 'a regular file' : kindOf(top)})`,
        });
    }
  }
  return left;
}
