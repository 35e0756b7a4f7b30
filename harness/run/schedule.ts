/**
 * The order tests start in when they run side by side. Results are reported in plan order
 * whatever the order they ran in; the order only decides how long the run takes:
 *
 * - tests that share the cluster first, those with the longest mandatory waiting first (the
 *   longest-first rule: the last tests to start are short, so the run does not end on one long
 *   test while the other slots stand empty);
 * - then the tests that must run alone, one at a time, in plan order: grouped, the run drains
 *   its other tests once for all of them, not once for each.
 */
import type { Timeouts } from '../spec/timeouts.js';
import type { PlannedTest } from './plan.js';

/** A rough cost of a probe round and of any other step, for ordering only. */
const PROBE_STEP_MS = 1000;
const OTHER_STEP_MS = 200;

/**
 * What a test must wait at least, from its spec: its negative windows (which hold for their
 * whole length), plus a rough cost per step.
 */
export function estimatedDurationMs(test: PlannedTest, timeouts: Timeouts): number {
  let total = 0;
  for (const step of test.loaded.scenario.steps) {
    if (step.kind === 'expect' && step.body.throughout) total += timeouts[step.body.throughout];
    else if (step.kind === 'probe') total += PROBE_STEP_MS * (step.body.until?.consecutive ?? 1);
    else total += OTHER_STEP_MS;
  }
  return total;
}

/** Indices of `planned` in the order to start them (skipped tests first: they take no time). */
export function executionOrder(
  planned: readonly PlannedTest[],
  runsAlone: (test: PlannedTest) => boolean,
  timeoutsOf: (test: PlannedTest) => Timeouts,
): number[] {
  const indices = planned.map((_, index) => index);
  const skipped = indices.filter((i) => planned[i]?.skip);
  const runnable = indices.filter((i) => !planned[i]?.skip);
  const alone = runnable.filter((i) => runsAlone(planned[i] as PlannedTest));
  const estimate = new Map(
    runnable.map((i) => [
      i,
      estimatedDurationMs(planned[i] as PlannedTest, timeoutsOf(planned[i] as PlannedTest)),
    ]),
  );
  const shared = runnable
    .filter((i) => !alone.includes(i))
    // Array.prototype.sort is stable: equal estimates keep plan order.
    .sort((a, b) => (estimate.get(b) ?? 0) - (estimate.get(a) ?? 0));
  return [...skipped, ...shared, ...alone];
}
