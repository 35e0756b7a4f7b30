/** What a step executor is given (the test's world) and what it gives back. */
import type { Environment } from '../env/environment.js';
import type { StepBodies, StepKind } from '../spec/steps/index.js';
import type { Timeouts } from '../spec/timeouts.js';
import type { CleanupStack } from './cleanup.js';
import type { TestContext } from './context.js';
import type { KeyedLock } from './keyed-lock.js';
import type { ProbeEvidenceRecord } from './results.js';

export interface StepRun {
  env: Environment;
  ctx: TestContext;
  timeouts: Timeouts;
  cleanup: CleanupStack;
  signal: AbortSignal;
  /** Where this test's artifacts (captures) go. */
  artifactDir: string;
  /** Relative path of artifactDir inside the report dir, for the reports. */
  artifactPath: string;
  /** Shared by the tests of a run: one probe at a time per target. */
  probeTargets: KeyedLock;
}

export interface StepOutcome {
  ok: boolean;
  detail: string;
  evidence?: ProbeEvidenceRecord[];
}

/** Performs one step of kind K: its body, as the spec registry parsed it. */
export type StepExecutor<K extends StepKind> = (body: StepBodies[K], run: StepRun) => Promise<StepOutcome>;
