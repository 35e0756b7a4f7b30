/**
 * What every console reporter does alike: long phases with their progress (a live line on a
 * terminal, a heartbeat line elsewhere), the providers' output lines, errors, and the closing
 * summary. `list`, `line` and `dot` differ only in how they show tests.
 */
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
  writeOutput,
} from './terminal.js';

/** How often a long phase says it is still running when the output is not a terminal. */
export const HEARTBEAT_MS = 30_000;

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
  private readonly started = new Set<string>();

  constructor(protected readonly options: ConsoleOptions) {
    const live = options.live ?? options.out.isTTY === true;
    this.live = live ? new LiveArea(options.out, () => this.liveLines()) : undefined;
  }

  /** The live lines below the phase's (a terminal only). */
  protected abstract testLines(): string[];

  protected print(text: string, stream: ConsoleStream = this.options.out): void {
    if (this.live) this.live.print(text, stream);
    else stream.write(`${text}\n`);
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
    this.print(error ? `${name} failed after ${took}: ${error}` : `${name} done in ${took}`);
  }

  output(level: OutputLevel, line: string): void {
    if (this.phase && level === 'info') this.phase.last = line.trim();
    writeOutput(this.options, level, line, (text, stream) => this.print(text, stream));
  }

  environmentUp(_description: EnvironmentDescription, planned: PlannedTest[]): void {
    this.total = planned.filter((t) => !t.skip).length;
    this.live?.start();
  }

  testBegin(test: TestResult): void {
    this.started.add(test.namespace);
    this.live?.redraw();
  }

  stepBegin(_test: TestResult, _step: StepResult): void {
    this.live?.redraw();
  }

  /** Counts the test; true when it ran (it began), false for a skip from the plan. */
  protected count(test: TestResult): boolean {
    if (!this.started.delete(test.namespace)) return false;
    this.done++;
    if (test.status === 'failed') this.failed++;
    return true;
  }

  testEnd(test: TestResult): void {
    this.count(test);
    this.live?.redraw();
  }

  error(error: RunError): void {
    this.print(errorLine(error), this.options.err);
  }

  runEnd(run: RunResult, written: readonly string[]): undefined {
    if (this.phase?.heartbeat) clearInterval(this.phase.heartbeat);
    this.phase = undefined;
    this.live?.stop();
    this.options.out.write(`${closingLines(run, written).join('\n')}\n`);
    return undefined;
  }
}
