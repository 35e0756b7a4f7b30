/**
 * One stream of events for every report (docs/design.md, "Reporters"): the run begins, the environment
 * comes up, tests and steps begin and end, errors happen, the run ends. Console output, GitHub
 * annotations, JUnit, the ConformanceReport and the HTML report are all reporters of this stream;
 * the multiplexer (multiplexer.ts) hands every event to each of them.
 */
import type { EnvironmentDescription } from '../env/environment.js';
import type { PlannedTest, Shard } from '../run/plan.js';
import type { RunError, RunResult } from '../run/results.js';
import type { RunnerEvents } from '../run/runner.js';

export interface RunStart {
  runId: string;
  startedAt: string;
  reportDir: string;
  shard?: Shard;
}

export type OutputLevel = 'info' | 'warn' | 'debug';

export interface Reporter extends RunnerEvents {
  readonly name: string;
  runBegin?(run: RunStart): void;
  /** A long phase (bring-up, teardown) begins; consoles show its progress. */
  phaseBegin?(name: string): void;
  phaseEnd?(name: string, durationMs: number, error?: string): void;
  /** Progress lines of the providers and the runner (what the Logger says). */
  output?(level: OutputLevel, line: string): void;
  environmentUp?(description: EnvironmentDescription, planned: PlannedTest[]): void;
  error?(error: RunError): void;
  /**
   * The run's results: file reporters write theirs and return the paths they wrote; `written`
   * holds what the reporters before this one wrote (consoles list them).
   */
  runEnd?(run: RunResult, written: readonly string[]): Promise<string[] | undefined> | string[] | undefined;
}
