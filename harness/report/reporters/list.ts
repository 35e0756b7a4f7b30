/**
 * `list`: one result line per test with its duration and the progress count (`12/20`); on a
 * terminal, one live line per running test with its current step. A failed test's steps and
 * evidence are printed when it ends; every test's steps with --verbose. Plain lines when the
 * output is not a terminal.
 */
import type { StepResult, TestResult } from '../../run/results.js';
import { formatDuration } from '../../spec/duration.js';
import { ConsoleReporter } from './console-reporter.js';
import { failureBlock, quietSkip, seconds, stepLine, testName } from './terminal.js';

export class ListReporter extends ConsoleReporter {
  readonly name = 'list';
  private readonly running = new Map<string, { test: TestResult; started: number; step?: StepResult }>();

  protected testLines(): string[] {
    const now = Date.now();
    return [...this.running.values()].map(({ test, started, step }) => {
      const at = step ? ` — step ${step.index + 1}/${test.steps.length} ${step.kind}` : '';
      return `  ▶ ${testName(test)}${at} (${seconds(now - started)})`;
    });
  }

  override testBegin(test: TestResult): void {
    this.running.set(test.namespace, { test, started: Date.now() });
    super.testBegin(test);
  }

  override stepBegin(test: TestResult, step: StepResult): void {
    const running = this.running.get(test.namespace);
    if (running) running.step = step;
    super.stepBegin(test, step);
  }

  stepEnd(test: TestResult, step: StepResult): void {
    if (!this.options.verbose) return;
    // Tests run side by side: name the test on each of its lines.
    const prefix = this.running.size > 1 || this.live ? `[${test.scenarioId}/${test.family}]` : '';
    this.print(`${prefix}${stepLine(step)}`);
  }

  override testEnd(test: TestResult): void {
    this.running.delete(test.namespace);
    const ran = this.count(test);
    if (quietSkip(test)) return;
    const progress = ran ? ` ${this.done}/${this.total}` : '';
    if (test.status === 'skipped') {
      this.print(`  -${progress} ${testName(test)}: skipped (${test.skipReason}: ${test.message ?? ''})`);
      return;
    }
    const mark = test.status === 'passed' ? '✓' : test.provisional ? '✗ (provisional)' : '✗';
    this.print(`  ${mark}${progress} ${testName(test)} (${formatDuration(test.durationMs)})`);
    if (test.status === 'failed' && !this.options.verbose) this.print(failureBlock(test).join('\n'));
  }
}
