/**
 * What the console reporters share: where they write, whether it is a terminal (live lines) or
 * not (plain lines), and the live area at the bottom of a terminal that shows what is running.
 */
import { basename, isAbsolute, relative } from 'node:path';
import { escapeUntrusted, escapeUntrustedLines, shellQuoted } from '../../common/escape.js';
import type { RunError, RunResult, StepResult, TestFamily, TestResult } from '../../run/results.js';
import { formatDuration } from '../../spec/duration.js';
import { renderSummary } from '../console.js';
import { countsOf, leftOut } from '../counts.js';
import type { OutputLevel } from '../reporter.js';

export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ConsoleOptions {
  out: ConsoleStream;
  err: ConsoleStream;
  /** Every test's steps, not only a failed test's. */
  verbose: boolean;
  /** Debug lines (the reference lab's controller log) and stack traces. */
  debug: boolean;
  /** Live lines that redraw; default: when `out` is a terminal. */
  live?: boolean;
  /** Off a terminal: how long running tests go unnamed before a line names them (tests shorten it). */
  heartbeatMs?: number;
  /**
   * Whether this reporter prints the lines every console reporter prints alike (output lines,
   * phase lines and heartbeats, errors, the closing lines); default true. With several console
   * reporters chosen (`--reporter list,dot`) only the first does, so each such line appears once.
   */
  sharedLines?: boolean;
}

/**
 * The width live lines are cut to: the terminal's, less the last column (writing there wraps on
 * some terminals). A terminal that reports 0 or no columns (a pseudo-terminal a CI runner or a
 * container gives, before anyone set its size) is taken as 100 wide, not cut to nothing.
 */
export function liveWidth(columns: number | undefined): number {
  if (columns === undefined || !Number.isFinite(columns) || columns <= 0) return 99;
  return Math.max(20, Math.floor(columns) - 1);
}

export const FAMILY_LABEL: Record<TestFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6', dual: 'dual-stack' };

export function testName(test: Pick<TestResult, 'scenarioId' | 'family'>): string {
  return `${escapeUntrusted(test.scenarioId)} [${FAMILY_LABEL[test.family]}]`;
}

/** Skips that are not this run's business to show test by test (left out, another shard's). */
export const quietSkip: (test: TestResult) => boolean = leftOut;

export function stepLine(step: StepResult): string {
  const mark = step.status === 'passed' ? '✓' : step.status === 'failed' ? '✗' : '·';
  return `  ${mark} ${step.index + 1}. ${escapeUntrusted(step.kind)}: ${escapeUntrustedLines(step.detail)} (${formatDuration(step.durationMs)})`;
}

/** A failed test's steps as they ran, then where it failed (the step's detail says how). */
export function failureBlock(test: TestResult): string[] {
  const failing = test.steps.find((s) => s.status === 'failed');
  const where = failing
    ? `  at ${escapeUntrusted(test.file)}:${failing.line} (${escapeUntrusted((test.failedStatements ?? test.statements).join(', '))})`
    : `  ${escapeUntrustedLines(test.message ?? 'failed')}`;
  return [...test.steps.filter((s) => s.status !== 'not-run').map(stepLine), where];
}

/** How many of the slowest tests the timings line names. */
const SLOWEST = 3;

/**
 * One short line: the run's own phases (not the bring-up's steps, which the reports keep), then
 * the slowest tests. Every timing stays in the reports' phase table.
 */
export function timingsLine(run: RunResult): string | undefined {
  const own = run.phases.filter((p) => !p.name.includes(':') && !p.name.startsWith('scenario '));
  if (own.length === 0) return undefined;
  const time = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const slowest = run.tests
    .filter((t) => t.status !== 'skipped')
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, SLOWEST)
    .map((t) => `${testName(t)} ${time(t.durationMs)}`);
  const phases = own.map((p) => `${p.name} ${time(p.durationMs)}`).join(', ');
  return `phase timings: ${phases}${slowest.length > 0 ? `; slowest: ${slowest.join(', ')}` : ''}`;
}

/** The report directory as a person would type it: relative when it is under the working directory. */
function typed(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
}

/**
 * What every console prints at the end: the summary table and failures, the timings, where the
 * reports are, and last the counts and the one command that opens the report.
 */
export function closingLines(run: RunResult, written: readonly string[]): string[] {
  const lines = ['', renderSummary(run)];
  const timings = timingsLine(run);
  if (timings) lines.push('', timings);
  if (written.length > 0) {
    lines.push(
      `reports in ${escapeUntrusted(typed(run.reportDir))}: ${written.map((f) => relative(run.reportDir, f)).join(', ')}`,
    );
  }
  const counts = countsOf(run);
  lines.push(`${counts.passed} passed, ${counts.failed} failed, ${counts.flaky} flaky`);
  if (written.some((f) => basename(f) === 'index.html')) {
    lines.push(`To open the report: egress-conformance report open ${shellQuoted(typed(run.reportDir))}`);
  }
  return lines;
}

export function errorLine(error: RunError): string {
  return `error: ${error.phase}: ${escapeUntrusted(error.message)}`;
}

/** Writes output lines: info to `out`, warnings to `err`, debug only with --debug. */
export function writeOutput(
  options: ConsoleOptions,
  level: OutputLevel,
  line: string,
  print: (text: string, stream?: ConsoleStream) => void,
): void {
  if (level === 'debug' && !options.debug) return;
  // Output lines carry what environments and clusters said: one rule for all of it.
  const shown = escapeUntrustedLines(line);
  if (level === 'warn') print(`warning: ${shown}`, options.err);
  else print(level === 'debug' ? `debug: ${shown}` : shown);
}

/**
 * The bottom lines of a terminal that redraw in place: permanent lines are printed above them.
 * Each live line is cut to the terminal's width, so that the count of lines to erase is right.
 */
export class LiveArea {
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: ConsoleStream,
    private readonly lines: () => string[],
  ) {}

  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => this.redraw(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.erase();
  }

  private erase(): void {
    if (this.drawn > 0) this.out.write(`\r\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    const width = liveWidth(this.out.columns);
    const lines = this.lines().map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    for (const line of lines) this.out.write(`${line}\n`);
    this.drawn = lines.length;
  }

  /** Prints permanent text above the live lines (to `stream`, e.g. stderr, on the same terminal). */
  print(text: string, stream: ConsoleStream = this.out): void {
    this.erase();
    stream.write(`${text}\n`);
    this.draw();
  }

  redraw(): void {
    this.erase();
    this.draw();
  }
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
