/**
 * Sends every event to every active reporter. A reporter that throws does not take the run with
 * it: the exception becomes a reported error (shown by the other reporters, kept in the run's
 * errors) and the remaining reporters still get the event.
 */
import type { Logger } from '../common/log.js';
import type { RunError, RunResult } from '../run/results.js';
import type { Reporter } from './reporter.js';

type Hook = Exclude<keyof Reporter, 'name'>;

export class ReporterMultiplexer implements Reporter {
  readonly name = 'multiplexer';
  /** Errors of the reporters themselves, in order. */
  readonly errors: RunError[] = [];

  constructor(readonly reporters: Reporter[]) {}

  private failed(reporter: Reporter, hook: Hook, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const failure: RunError = {
      phase: 'reporter',
      message: `the ${reporter.name} reporter failed (${hook}): ${message}`,
    };
    this.errors.push(failure);
    for (const other of this.reporters) {
      if (other === reporter) continue;
      try {
        other.error?.(failure);
      } catch {
        // A reporter that cannot even show an error has nothing more to lose.
      }
    }
  }

  private each(hook: Hook, call: (reporter: Reporter) => void): void {
    for (const reporter of this.reporters) {
      try {
        call(reporter);
      } catch (error) {
        this.failed(reporter, hook, error);
      }
    }
  }

  runBegin: NonNullable<Reporter['runBegin']> = (run) => this.each('runBegin', (r) => r.runBegin?.(run));
  phaseBegin: NonNullable<Reporter['phaseBegin']> = (name) =>
    this.each('phaseBegin', (r) => r.phaseBegin?.(name));
  phaseEnd: NonNullable<Reporter['phaseEnd']> = (name, ms, error) =>
    this.each('phaseEnd', (r) => r.phaseEnd?.(name, ms, error));
  output: NonNullable<Reporter['output']> = (level, line) =>
    this.each('output', (r) => r.output?.(level, line));
  environmentUp: NonNullable<Reporter['environmentUp']> = (description, planned) =>
    this.each('environmentUp', (r) => r.environmentUp?.(description, planned));
  testBegin: NonNullable<Reporter['testBegin']> = (test) =>
    this.each('testBegin', (r) => r.testBegin?.(test));
  stepBegin: NonNullable<Reporter['stepBegin']> = (test, step) =>
    this.each('stepBegin', (r) => r.stepBegin?.(test, step));
  stepEnd: NonNullable<Reporter['stepEnd']> = (test, step) =>
    this.each('stepEnd', (r) => r.stepEnd?.(test, step));
  testEnd: NonNullable<Reporter['testEnd']> = (test) => this.each('testEnd', (r) => r.testEnd?.(test));
  error: NonNullable<Reporter['error']> = (error) => this.each('error', (r) => r.error?.(error));

  /**
   * Each reporter in turn (file reporters come first, so consoles can name the files). The run
   * is handed over with the reporter errors so far; later ones are shown by the consoles.
   */
  async runEnd(run: RunResult): Promise<string[]> {
    const files: string[] = [];
    for (const reporter of this.reporters) {
      try {
        const written = await reporter.runEnd?.(
          { ...run, errors: [...(run.errors ?? []), ...this.errors] },
          files,
        );
        if (written) files.push(...written);
      } catch (error) {
        this.failed(reporter, 'runEnd', error);
      }
    }
    return files;
  }

  /** The Logger the providers and the runner write to: their lines become `output` events. */
  logger(): Logger {
    return {
      info: (line) => this.output('info', line),
      warn: (line) => this.output('warn', line),
      debug: (line) => this.output('debug', line),
    };
  }
}
