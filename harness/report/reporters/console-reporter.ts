/**
 * What every console reporter does alike: long phases with their progress (a live line on a
 * terminal, a heartbeat line elsewhere), the providers' output lines, errors, and the closing
 * summary. `list`, `line` and `dot` differ only in how they show tests.
 */

import { escapeUntrusted } from '../../common/escape.js';
import type { EnvironmentDescription } from '../../env/environment.js';
import type { PlannedTest } from '../../run/plan.js';
import type { RunError, RunResult, StepResult, TestResult } from '../../run/results.js';
import { formatDuration } from '../../spec/duration.js';
import type { OutputLevel, Reporter } from '../reporter.js';
import {
  type ConsoleOptions,
  type ConsoleStream,
  closingLines,
  errorLine,
  LiveArea,
  seconds,
  testName,
  writeOutput,
} from './terminal.js';

/** How often a long phase says it is still running when the output is not a terminal. */
export const HEARTBEAT_MS = 30_000;

/**
 * Off a terminal, how long tests may run with nothing printed before a line names them and their
 * current steps: a test that waits or retries its probe for half a minute must not look hung
 * (issue #23: `list` once printed nothing for 31 s).
 */
export const TEST_HEARTBEAT_MS = 10_000;

/** A test that began and has not ended, with the step it is at. */
export interface RunningTest {
  test: TestResult;
  started: number;
  step?: StepResult;
}

interface Phase {
  name: string;
  started: number;
  last?: string;
  heartbeat?: NodeJS.Timeout;
}

export abstract class ConsoleReporter implements Reporter {
  abstract readonly name: string;
  protected readonly live: LiveArea | undefined;
  private phase: Phase | undefined;
  /** Tests the run will run (not skipped by the plan). */
  protected total = 0;
  /** Tests that ran and ended. */
  protected done = 0;
  protected failed = 0;
  /** The tests running now, by namespace. */
  protected readonly running = new Map<string, RunningTest>();
  private lastPrinted = Date.now();
  private testHeartbeat: NodeJS.Timeout | undefined;

  /** Prints the lines every console reporter prints alike (ConsoleOptions.sharedLines). */
  private readonly shared: boolean;

  constructor(protected readonly options: ConsoleOptions) {
    this.shared = options.sharedLines !== false;
    const live = options.live ?? options.out.isTTY === true;
    this.live = live ? new LiveArea(options.out, () => this.liveLines()) : undefined;
  }

  /** The live lines below the phase's (a terminal only). */
  protected abstract testLines(): string[];

  protected print(text: string, stream: ConsoleStream = this.options.out): void {
    this.lastPrinted = Date.now();
    if (this.live) this.live.print(text, stream);
    else stream.write(`${text}\n`);
  }

  /** `NAME [FAMILY] — step I/N KIND (Ts)` for one running test. */
  protected runningLine({ test, started, step }: RunningTest, now = Date.now()): string {
    const at = step ? ` — step ${step.index + 1}/${test.steps.length} ${escapeUntrusted(step.kind)}` : '';
    return `${testName(test)}${at} (${seconds(now - started)})`;
  }

  /**
   * Off a terminal, a line naming the running tests and their steps whenever the tests have run
   * a heartbeat with nothing printed: on a terminal the live lines show them.
   */
  private startTestHeartbeat(): void {
    if (this.live || this.testHeartbeat) return;
    const every = this.options.heartbeatMs ?? TEST_HEARTBEAT_MS;
    this.testHeartbeat = setInterval(
      () => {
        const now = Date.now();
        if (this.running.size === 0 || now - this.lastPrinted < every) return;
        const tests = [...this.running.values()].map((r) => this.runningLine(r, now));
        this.print(`  … running: ${tests.join('; ')}`);
      },
      Math.max(1, Math.floor(every / 4)),
    );
    this.testHeartbeat.unref();
  }

  private liveLines(): string[] {
    const lines: string[] = [];
    if (this.phase) {
      const last = this.phase.last ? ` — ${this.phase.last}` : '';
      lines.push(`  … ${this.phase.name} ${seconds(Date.now() - this.phase.started)}${last}`);
    }
    return [...lines, ...this.testLines()];
  }

  phaseBegin(name: string): void {
    const phase: Phase = { name, started: Date.now() };
    this.phase = phase;
    if (this.live) {
      this.live.start();
      this.live.redraw();
      return;
    }
    if (!this.shared) return;
    phase.heartbeat = setInterval(
      () => this.options.out.write(`${name}: still running (${seconds(Date.now() - phase.started)})\n`),
      HEARTBEAT_MS,
    );
    phase.heartbeat.unref();
  }

  phaseEnd(name: string, durationMs: number, error?: string): void {
    if (this.phase?.heartbeat) clearInterval(this.phase.heartbeat);
    this.phase = undefined;
    const took = formatDuration(durationMs);
    if (!this.shared) return;
    this.print(error ? `${name} failed after ${took}: ${error}` : `${name} done in ${took}`);
  }

  output(level: OutputLevel, line: string): void {
    if (this.phase && level === 'info') this.phase.last = line.trim();
    if (!this.shared) return;
    writeOutput(this.options, level, line, (text, stream) => this.print(text, stream));
  }

  environmentUp(_description: EnvironmentDescription, planned: PlannedTest[]): void {
    this.total = planned.filter((t) => !t.skip).length;
    this.live?.start();
  }

  testBegin(test: TestResult): void {
    this.running.set(test.namespace, { test, started: Date.now() });
    this.startTestHeartbeat();
    this.live?.redraw();
  }

  stepBegin(test: TestResult, step: StepResult): void {
    const running = this.running.get(test.namespace);
    if (running) running.step = step;
    this.live?.redraw();
  }

  /** Counts the test; true when it ran (it began), false for a skip from the plan. */
  protected count(test: TestResult): boolean {
    if (!this.running.delete(test.namespace)) return false;
    this.done++;
    if (test.status === 'failed') this.failed++;
    return true;
  }

  testEnd(test: TestResult): void {
    this.count(test);
    this.live?.redraw();
  }

  error(error: RunError): void {
    if (!this.shared) return;
    this.print(errorLine(error), this.options.err);
  }

  runEnd(run: RunResult, written: readonly string[]): undefined {
    if (this.phase?.heartbeat) clearInterval(this.phase.heartbeat);
    if (this.testHeartbeat) clearInterval(this.testHeartbeat);
    this.testHeartbeat = undefined;
    this.phase = undefined;
    this.live?.stop();
    if (this.shared) this.options.out.write(`${closingLines(run, written).join('\n')}\n`);
    return undefined;
  }
}
