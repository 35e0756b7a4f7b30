/**
 * Benchmark of the suite itself: the core profile on the reference lab with warm images, as a
 * user runs it (`npm run conformance`), against the same tests at a baseline commit measured in
 * the same invocation, and where this run's time goes.
 *
 *   npm run bench:suite [-- --baseline COMMIT] [--no-baseline] [--runs N] [--data-planes A,B]
 *
 * --baseline (default 336daca) is checked out into a temporary git worktree (npm ci builds it),
 * its images are warmed, and its own `npm run conformance` runs the core profile; this checkout
 * then runs the same tests (`--run-test` for each), runs alternating when --runs is more than 1
 * (medians). It prints, per test, the time, the time in mandatory waits (negative windows, the
 * confirming polls of waits and the confirming rounds of probes: what no implementation of the
 * harness could skip), the rest, and the baseline's time and ratio; then the tests phase of both,
 * their ratio, each run's wall time against its tests phase, and this run against the floor its
 * mandatory waits set at its parallelism. The worktree, its labs and the reports are removed at
 * the end (also on Ctrl-C); the baseline's images stay as a cache, like every lab image.
 *
 * --data-planes linux,ovn compares the lab's two data planes instead of two commits: both sides
 * are this checkout (no worktree), the first data plane is the baseline side and the second is
 * measured against it, each with `lab: { dataPlane: X }` and `--family ipv4` (OVN's one family
 * so far), and the last lines give the second's bring-up and tests phase against the first's.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import type { TestResult } from '../harness/run/results.js';
import { loadCatalogue } from '../harness/spec/catalogue.js';
import type { LoadedScenario } from '../harness/spec/loader.js';
import { whyRunsAlone } from '../harness/spec/runs-alone.js';

const { values: flags } = parseArgs({
  options: {
    baseline: { type: 'string', default: '336daca' },
    'no-baseline': { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    'data-planes': { type: 'string' },
  },
});
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 10) {
  console.error(`bench-suite: --runs ${flags.runs}: expected a whole number from 1 to 10`);
  process.exit(2);
}
const ROOT = resolve(import.meta.dirname, '..');
const DATA_PLANES = ['linux', 'ovn'];
const planes = flags['data-planes']?.split(',');
if (
  planes &&
  (planes.length !== 2 || planes[0] === planes[1] || !planes.every((p) => DATA_PLANES.includes(p)))
) {
  console.error(
    `bench-suite: --data-planes ${flags['data-planes']}: expected two different data planes, e.g. linux,ovn`,
  );
  process.exit(2);
}

/** One `npm run conformance` of a checkout, as measured. */
interface Measured {
  wallMs: number;
  phases: Map<string, number>;
  /** By JUnit test name (`scenario [IPv4]`), the test's time in ms. */
  tests: Map<string, number>;
  reportDir: string;
  exitCode: number;
}

const line = (text = '') => process.stdout.write(`${text}\n`);
const progress = (text: string) => process.stderr.write(`bench-suite: ${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const signedSeconds = (ms: number) => `${ms >= 0 ? '+' : ''}${seconds(ms)}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function git(args: string[], cwd = ROOT): Promise<string> {
  return (await execa('git', args, { cwd })).stdout.trim();
}

/** Run flags for one data plane of the lab (an options file in `work`), IPv4. */
async function dataPlaneFlags(work: string, plane: string): Promise<string[]> {
  const file = join(work, `lab-${plane}.yaml`);
  await writeFile(file, `lab:\n  dataPlane: ${plane}\n`);
  return ['--options-file', file, '--family', 'ipv4'];
}

/** Test times from a JUnit report (every version of the suite writes one). */
async function junitTests(file: string): Promise<Map<string, number>> {
  const xml = await readFile(file, 'utf8');
  const tests = new Map<string, number>();
  for (const match of xml.matchAll(/<testcase name="([^"]+)"[^>]*\btime="([0-9.]+)"/g)) {
    tests.set((match[1] as string).replaceAll('&apos;', "'"), Number(match[2]) * 1000);
  }
  return tests;
}

async function conformance(checkout: string, reportDir: string, extra: string[]): Promise<Measured> {
  const started = performance.now();
  const result = await execa(
    'npm',
    ['run', '--silent', 'conformance', '--', '--report-dir', reportDir, ...extra],
    {
      cwd: checkout,
      reject: false,
      all: true,
    },
  );
  const wallMs = performance.now() - started;
  const report = JSON.parse(
    await readFile(join(reportDir, 'conformance-report.json'), 'utf8').catch(() => '{}'),
  ) as {
    phases?: Array<{ name: string; durationMs: number }>;
  };
  if (!report.phases) throw new Error(`the run in ${checkout} wrote no report:\n${result.all?.slice(-2000)}`);
  return {
    wallMs,
    phases: new Map(report.phases.map((p) => [p.name, p.durationMs])),
    tests: await junitTests(join(reportDir, 'junit.xml')),
    reportDir,
    exitCode: result.exitCode ?? 1,
  };
}

/**
 * Builds what the checkout's lab needs (images) before anything is timed: a lab up, then down
 * (only if this made it: a lab another run kept is left alone).
 */
async function warm(checkout: string): Promise<void> {
  const cli = join(checkout, 'bin', 'egress-conformance.js');
  const up = await execa('node', [cli, 'up', '--provider', 'lab'], { all: true });
  const made = /^up: lab environment (eclab-[0-9a-f]+)$/m.exec(up.all ?? '')?.[1];
  progress(`warm: ${(up.all ?? '').trim().split('\n').at(-1)}`);
  if (made) await execa('node', [cli, 'down', '--provider', 'lab', '--id', made]);
}

interface Floor {
  mandatoryMs: number;
  alone: boolean;
}

/**
 * A test's mandatory waiting, from what it did (results.json) and what its spec asks: negative
 * windows held for their length, the confirming polls of a wait ((consecutive - 1) poll
 * intervals) and the confirming rounds of a probe ((consecutive - 1) of its rounds).
 */
function floorOf(test: TestResult, scenario: LoadedScenario | undefined, pollIntervalMs: number): number {
  let total = 0;
  for (const step of test.steps) {
    const spec = scenario?.scenario.steps[step.index];
    if (!spec) continue;
    if (spec.kind === 'expect') {
      const held = /\(held for (\d+)ms\)/.exec(step.detail);
      if (held) total += Number(held[1]);
    } else if (spec.kind === 'wait') {
      total += (spec.body.consecutive - 1) * pollIntervalMs;
    } else if (spec.kind === 'probe' && spec.body.until) {
      const rounds = Number(/\((\d+) rounds\)/.exec(step.detail)?.[1] ?? 0);
      if (rounds > 0) total += ((spec.body.until.consecutive - 1) * step.durationMs) / rounds;
    }
  }
  return total;
}

function testName(test: TestResult): string {
  const family = { ipv4: 'IPv4', ipv6: 'IPv6', dual: 'dual-stack' }[test.family];
  return `${test.scenarioId} [${family}]`;
}

async function floors(reportDir: string): Promise<{ byTest: Map<string, Floor>; parallelism: number }> {
  const run = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as {
    tests: TestResult[];
    environment: { pollIntervalMs?: number; parallelism?: number };
    options: { parallel?: number };
  };
  const catalogue = await loadCatalogue(undefined);
  const scenarios = new Map(catalogue.scenarios.map((s) => [s.scenario.id, s]));
  const poll = run.environment.pollIntervalMs ?? 500;
  const byTest = new Map<string, Floor>();
  for (const test of run.tests.filter((t) => t.status !== 'skipped')) {
    const scenario = scenarios.get(test.scenarioId);
    const alone = scenario ? whyRunsAlone(scenario.scenario) !== undefined : false;
    byTest.set(testName(test), { mandatoryMs: floorOf(test, scenario, poll), alone });
  }
  return { byTest, parallelism: run.options.parallel ?? run.environment.parallelism ?? 1 };
}

function table(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const row of rows) {
    line(
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`,
    );
  }
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the benchmark script's main: measure, compare and print in one sequence
async function main(): Promise<number> {
  const head = await git(['rev-parse', '--short', 'HEAD']);
  const dirty = (await git(['status', '--porcelain', '--untracked-files=no'])) !== '';
  const commit =
    planes || flags['no-baseline'] ? undefined : await git(['rev-parse', '--short', flags.baseline]);
  // What the baseline side is called: a commit, or (--data-planes) this checkout's first data plane.
  const baseline = planes ? `${planes[0]} data plane` : commit;
  line(`bench:suite at ${head}${dirty ? ' (with uncommitted changes)' : ''}, ${new Date().toISOString()}`);
  line(
    `machine: ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB; load average at start ${load()}`,
  );
  line(
    `each side: \`npm run conformance\` of its checkout (core profile, lab, warm images)${baseline ? `; baseline ${baseline}` : ''}; ${RUNS} run(s) each${RUNS > 1 ? ', alternating, medians' : ''}`,
  );
  const work = await mkdtemp(join(tmpdir(), 'egress-conformance-bench-'));
  const worktree = join(work, 'baseline');
  const baseCheckout = planes ? ROOT : worktree;
  const baseFlags = planes ? await dataPlaneFlags(work, planes[0] as string) : [];
  const ourFlags = planes ? await dataPlaneFlags(work, planes[1] as string) : [];
  let worktreeAdded = false;
  const cleanUp = async () => {
    if (worktreeAdded)
      await execa('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, reject: false });
    await rm(work, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: removing the baseline worktree and the reports`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (commit) {
      progress(`checking out ${commit} into ${worktree} (npm ci builds it)`);
      await execa('git', ['worktree', 'add', '--detach', worktree, commit], { cwd: ROOT });
      worktreeAdded = true;
      await execa('npm', ['ci', '--no-audit', '--no-fund'], { cwd: worktree });
      progress('warming the baseline images');
      await warm(worktree);
    }
    progress('warming this checkout (build, images)');
    await execa('node', ['scripts/build-if-stale.mjs'], { cwd: ROOT });
    if (planes) {
      // The images only: a lab kept up between `up` and `down` can be taken by another run on
      // this engine meanwhile (then `down` refuses it, and it stays).
      await execa('node', ['--import', 'tsx', 'harness/env/lab/infra/images.ts', 'ovn'], { cwd: ROOT });
    } else await warm(ROOT);
    const base: Measured[] = [];
    const ours: Measured[] = [];
    let only: string[] = [];
    for (let i = 1; i <= RUNS; i++) {
      if (baseline) {
        progress(`run ${i}/${RUNS}: baseline (load ${load()})`);
        const measured = await conformance(baseCheckout, join(work, `baseline-${i}`), baseFlags);
        base.push(measured);
        // The same tests here, whatever scenarios the catalogue has gained since.
        only = [...new Set([...measured.tests.keys()].map((name) => name.replace(/ \[.*\]$/, '')))];
      }
      progress(`run ${i}/${RUNS}: this checkout (load ${load()})`);
      ours.push(
        await conformance(ROOT, join(work, `ours-${i}`), [
          ...ourFlags,
          ...only.flatMap((id) => ['--run-test', id]),
        ]),
      );
    }
    line(`load average at end ${load()}`);
    const last = ours.at(-1) as Measured;
    const { byTest, parallelism } = await floors(last.reportDir);
    const testMs = (runs: Measured[], name: string) =>
      median(runs.map((r) => r.tests.get(name) ?? Number.NaN));
    const phase = (runs: Measured[], name: string) =>
      median(runs.map((r) => r.phases.get(name) ?? Number.NaN));
    const names = [...last.tests.keys()].filter((name) => byTest.has(name));
    line();
    line(
      `Per test: its time here (${parallelism} side by side), the part in mandatory waits, the rest${baseline ? "; its time in the baseline's run, and the ratio" : ''}`,
    );
    const rows = [['test', 'time', 'mandatory', 'rest', ...(baseline ? ['baseline', 'ratio'] : [])]];
    let sumTime = 0;
    let sumFloor = 0;
    let sumBase = 0;
    for (const name of names) {
      const time = testMs(ours, name);
      const floor = byTest.get(name)?.mandatoryMs ?? 0;
      const baseTime = baseline ? testMs(base, name) : Number.NaN;
      sumTime += time;
      sumFloor += floor;
      if (baseline) sumBase += baseTime;
      rows.push([
        `${name}${byTest.get(name)?.alone ? ' (alone)' : ''}`,
        seconds(time),
        seconds(floor),
        seconds(time - floor),
        ...(baseline ? [seconds(baseTime), `${(baseTime / time).toFixed(1)}x`] : []),
      ]);
    }
    rows.push([
      `sum of ${names.length} tests`,
      seconds(sumTime),
      seconds(sumFloor),
      seconds(sumTime - sumFloor),
      ...(baseline ? [seconds(sumBase), `${(sumBase / sumTime).toFixed(1)}x`] : []),
    ]);
    table(rows);
    line();
    const testsPhase = phase(ours, 'tests');
    const wall = median(ours.map((r) => r.wallMs));
    line(
      'Whole runs (median): wall time of `npm run conformance`, its tests phase, and the rest (build, bring-up, teardown)',
    );
    const runRows = [['run', 'wall', 'tests', 'wall - tests', 'bring-up', 'teardown']];
    const describe = (label: string, runs: Measured[]) => {
      const w = median(runs.map((r) => r.wallMs));
      const t = phase(runs, 'tests');
      runRows.push([
        label,
        seconds(w),
        seconds(t),
        seconds(w - t),
        seconds(phase(runs, 'bring-up')),
        seconds(phase(runs, 'teardown')),
      ]);
    };
    if (baseline) describe(planes ? `${head}, ${baseline}` : `baseline ${baseline}`, base);
    describe(`this checkout ${head}${planes ? `, ${planes[1]} data plane` : ''}`, ours);
    table(runRows);
    if (baseline)
      line(
        `tests phase, the same ${names.length} tests: baseline ${seconds(phase(base, 'tests'))}, this checkout ${seconds(testsPhase)}: ${(phase(base, 'tests') / testsPhase).toFixed(2)}x faster`,
      );
    if (planes)
      line(
        `${planes[1]} against ${planes[0]} (medians): tests phase ${(testsPhase / phase(base, 'tests')).toFixed(2)}x, bring-up ${signedSeconds(phase(ours, 'bring-up') - phase(base, 'bring-up'))}, wall ${(wall / median(base.map((r) => r.wallMs))).toFixed(2)}x`,
      );
    // The floor: lone tests one after another, the others at most `parallelism` at a time.
    const lone = names.filter((n) => byTest.get(n)?.alone);
    const shared = names.filter((n) => !byTest.get(n)?.alone);
    const floorOfName = (n: string) => byTest.get(n)?.mandatoryMs ?? 0;
    const sharedFloor = Math.max(
      0,
      ...shared.map(floorOfName),
      shared.reduce((sum, n) => sum + floorOfName(n), 0) / parallelism,
    );
    const runFloor = lone.reduce((sum, n) => sum + floorOfName(n), 0) + sharedFloor;
    line(
      `floor: mandatory waits ${seconds(sumFloor)} in all; at ${parallelism} side by side (lone tests one at a time) no run beats ${seconds(runFloor)}; the tests phase took ${seconds(testsPhase)} (${(testsPhase / runFloor).toFixed(1)}x the floor, ${seconds(testsPhase - runFloor)} above it)`,
    );
    line(
      `wall ${seconds(wall)} = tests ${seconds(testsPhase)} + ${seconds(wall - testsPhase)} (build check, bring-up, teardown, start)`,
    );
    const failed = [...base, ...ours].filter((r) => r.exitCode !== 0);
    for (const run of failed) {
      const summary = await readFile(join(run.reportDir, 'summary.txt'), 'utf8').catch(() => '(no summary)');
      line(`\nthe run in ${run.reportDir} exited ${run.exitCode}:\n${summary}`);
    }
    return failed.length > 0 ? 1 : 0;
  } finally {
    await cleanUp();
  }
}

process.exitCode = await main();
