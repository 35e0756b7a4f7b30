/** `dot`: one character per test (`.` passed, `F` failed, `f` provisional failure, `s` skipped). */
import type { RunResult, TestResult } from '../../run/results.js';
import { ConsoleReporter } from './console-reporter.js';
import { failureBlock, quietSkip, testName } from './terminal.js';

const PER_LINE = 80;

export class DotReporter extends ConsoleReporter {
  readonly name = 'dot';
  private column = 0;
  private readonly failures: TestResult[] = [];

  protected testLines(): string[] {
    return [];
  }

  override testEnd(test: TestResult): void {
    this.count(test);
    if (quietSkip(test)) return;
    const mark =
      test.status === 'passed' ? '.' : test.status === 'skipped' ? 's' : test.provisional ? 'f' : 'F';
    if (test.status === 'failed') this.failures.push(test);
    this.options.out.write(mark);
    if (++this.column === PER_LINE) {
      this.options.out.write('\n');
      this.column = 0;
    }
  }

  protected override print(text: string, stream = this.options.out): void {
    if (this.column > 0) this.options.out.write('\n');
    this.column = 0;
    super.print(text, stream);
  }

  override runEnd(run: RunResult, written: readonly string[]): undefined {
    if (this.column > 0) this.options.out.write('\n');
    this.column = 0;
    for (const test of this.failures)
      this.options.out.write(`${testName(test)}\n${failureBlock(test).join('\n')}\n`);
    return super.runEnd(run, written);
  }
}
