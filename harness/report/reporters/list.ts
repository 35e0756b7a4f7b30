/**
 * `list`: one result line per test with its duration and the progress count (`12/20`); on a
 * terminal, one live line per running test with its current step. A failed test's steps and
 * evidence are printed when it ends; every test's steps with --verbose. Plain lines when the
 * output is not a terminal.
 */
import type { StepResult, TestResult } from '../../run/results.js';
import { formatDuration } from '../../spec/duration.js';
import { ConsoleReporter } from './console-reporter.js';
import { failureBlock, quietSkip, stepLine, testName } from './terminal.js';

export class ListReporter extends ConsoleReporter {
  readonly name = 'list';
  protected testLines(): string[] {
    const now = Date.now();
    return [...this.running.values()].map((running) => `  ▶ ${this.runningLine(running, now)}`);
  }

  stepEnd(test: TestResult, step: StepResult): void {
    if (!this.options.verbose) return;
    // Tests run side by side: name the test on each of its lines.
    const prefix = this.running.size > 1 || this.live ? `[${test.scenarioId}/${test.family}]` : '';
    this.print(`${prefix}${stepLine(step)}`);
  }

  override testEnd(test: TestResult): void {
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
