/**
 * One mutant's run: the catalogue on the kept lab with the mutant switched on, stopped at its
 * first failed test (a killed mutant needs no more evidence than one failure, and stopping keeps
 * a sample cheap) or at its time limit (a timeout). The CLI stops on SIGTERM like on Ctrl-C: it
 * cleans up what the run made and writes its report with the tests that finished.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ACTIVE_MUTANT_VARIABLE } from './mutants.js';

/**
 * Timeouts for the lab: every change there settles within seconds, but a sample runs for hours
 * beside other work, and `npm run sharpness`'s tighter bounds (convergence 15 s) failed the
 * conformant run on a machine at load 60. A passing test ends when things converge, so only a
 * killed mutant's failing wait pays for the margin. `--timeout name=value` among the run flags
 * (given after these) overrides one.
 */
export const LAB_TIMEOUTS = [
  'placement=30s',
  'convergence=30s',
  'ingress=30s',
  'bgp=30s',
  'deletion=30s',
  'podsReady=90s',
];

/** How long the CLI gets to clean up after SIGTERM before it is killed. */
const CLEANUP_GRACE_MS = 60_000;

export type RunStatus = 'Killed' | 'Survived' | 'Timeout' | 'RuntimeError';

export interface MutantRun {
  status: RunStatus;
  /** Statements of the failed tests (for a killed mutant). */
  statements: string[];
  /** The failed tests' names, e.g. `snat-loadbalancer-ip/ipv4`. */
  killedBy: string[];
  /** Why: the first failure's message, the time limit, or the run's error. */
  reason: string;
  exitCode: number;
  durationMs: number;
  testsCompleted: number;
}

interface ReportTest {
  name: string;
  status: string;
  statements: string[];
  message?: string;
}

interface RunReport {
  tests: ReportTest[];
  errors?: Array<{ phase: string; message: string }>;
}

export interface RunOptions {
  /** The mutant build's CLI launcher. */
  cli: string;
  /** The mutant to switch on; undefined for the baseline (no mutant). */
  mutantId: string | undefined;
  reportDir: string;
  /** Flags passed on to `run` (e.g. `--family ipv4`, `--run-test X`). */
  runFlags: readonly string[];
  timeoutMs: number;
  /** Stop at the first failed test (off for the baseline, which must see every test pass). */
  stopAtFirstFailure: boolean;
  /** Where the launcher writes the ids of the mutants the run reached. */
  coverageFile?: string;
}

/** The status of a finished run, from its exit and report. */
export function statusOf(
  exitCode: number,
  timedOut: boolean,
  report: RunReport | undefined,
): Pick<MutantRun, 'status' | 'statements' | 'killedBy' | 'reason' | 'testsCompleted'> {
  const tests = report?.tests ?? [];
  const failed = tests.filter((t) => t.status === 'failed');
  const testsCompleted = tests.filter((t) => t.status !== 'skipped').length;
  if (failed.length > 0) {
    return {
      status: 'Killed',
      statements: [...new Set(failed.flatMap((t) => t.statements))].sort(),
      killedBy: failed.map((t) => t.name),
      reason: `${failed[0]?.name}: ${failed[0]?.message ?? 'failed'}`.slice(0, 2000),
      testsCompleted,
    };
  }
  const none = { statements: [], killedBy: [], testsCompleted };
  if (timedOut) return { ...none, status: 'Timeout', reason: 'the run passed the time limit' };
  if (exitCode === 0) return { ...none, status: 'Survived', reason: `${testsCompleted} tests passed` };
  const error = report?.errors?.map((e) => `${e.phase}: ${e.message}`).join('; ');
  return {
    ...none,
    status: 'RuntimeError',
    reason: `the run ended with exit ${exitCode} and no failed test${error ? `: ${error}` : ''}`.slice(
      0,
      2000,
    ),
  };
}

export async function runMutant(options: RunOptions): Promise<MutantRun> {
  const args = ['run', '--provider', 'lab', '--reporter', 'line', '--report-dir', options.reportDir];
  for (const timeout of LAB_TIMEOUTS) args.push('--timeout', timeout);
  args.push(...options.runFlags);
  const env: Record<string, string> = {};
  if (options.mutantId !== undefined) env[ACTIVE_MUTANT_VARIABLE] = options.mutantId;
  if (options.coverageFile) env.EC_MUTATION_COVERAGE_FILE = options.coverageFile;
  const started = performance.now();
  const child = execa('node', [options.cli, ...args], {
    reject: false,
    all: true,
    env,
    // SIGTERM first (the CLI cleans up); SIGKILL only if it does not end within the grace.
    forceKillAfterDelay: CLEANUP_GRACE_MS,
  });
  let stopped = false;
  let timedOut = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  if (options.stopAtFirstFailure) {
    // The line reporter prints `✗ [n/total] test` as soon as a test fails.
    child.all?.on('data', (chunk: Buffer) => {
      if (/^\s*✗ \[/m.test(chunk.toString())) stop();
    });
  }
  const result = await child;
  clearTimeout(timer);
  const durationMs = performance.now() - started;
  let report: RunReport | undefined;
  try {
    report = JSON.parse(
      await readFile(join(options.reportDir, 'conformance-report.json'), 'utf8'),
    ) as RunReport;
  } catch {
    report = undefined;
  }
  const exitCode = result.exitCode ?? -1;
  const outcome = statusOf(exitCode, timedOut, report);
  if (!report && outcome.status === 'RuntimeError') {
    outcome.reason += `; no report; output: ${(result.all ?? '').slice(-1500)}`;
  }
  return { ...outcome, exitCode, durationMs };
}
