/**
 * `line`: little output for long runs and CI logs. On a terminal, one live line with the
 * progress count, the running tests with their steps and the last finished test; elsewhere, a
 * progress line at every tenth of the run naming the last finished test and what runs now (and
 * the running tests when nothing was printed for a while). Failures are printed in full as they
 * happen, every time.
 */
import type { TestResult } from '../../run/results.js';
import { formatDuration } from '../../spec/duration.js';
import { ConsoleReporter } from './console-reporter.js';
import { failureBlock, testName } from './terminal.js';

export class LineReporter extends ConsoleReporter {
  readonly name = 'line';
  private last = '';
  private reported = 0;

  /** `[done/total] N failed; running: NAME — step I/N KIND (Ts), ...; last: NAME passed in Ts`. */
  private progressLine(): string {
    const now = Date.now();
    const running = [...this.running.values()].map((r) => this.runningLine(r, now));
    const runningPart = running.length > 0 ? `; running: ${running.join(', ')}` : '';
    const last = this.last ? `; last: ${this.last}` : '';
    return `  [${this.done}/${this.total}] ${this.failed} failed${runningPart}${last}`;
  }

  protected testLines(): string[] {
    if (this.total === 0) return [];
    return [this.progressLine()];
  }

  override testEnd(test: TestResult): void {
    if (!this.count(test)) return;
    this.last = `${testName(test)} ${test.status} in ${formatDuration(test.durationMs)}`;
    if (test.status === 'failed') {
      this.print(
        `  ✗ [${this.done}/${this.total}] ${testName(test)}${test.provisional ? ' (provisional)' : ''}`,
      );
      this.print(failureBlock(test).join('\n'));
    }
    if (this.live) {
      this.live.redraw();
      return;
    }
    const tenth = Math.floor((this.done * 10) / Math.max(1, this.total));
    if (tenth > this.reported || this.done === this.total) {
      this.reported = tenth;
      this.print(this.progressLine());
    }
  }
}
