import type { z } from 'zod';
import type { TrafficFrom } from '../fields.js';
import type { Step } from './index.js';

/** The `from` of a step that sends traffic, if it has one. */
function trafficFromOf(step: Step): TrafficFrom | undefined {
  if (step.kind === 'probe' || step.kind === 'startTraffic') return step.body.from;
  return undefined;
}

/**
 * Every pod set is recorded once (`recordPods`, `deletePods`), and every `except: SET` names one
 * recorded by an earlier step.
 */
export function checkPodSets(steps: Step[], ctx: z.RefinementCtx): void {
  const recorded = new Map<string, number>();
  steps.forEach((step, index) => {
    const from = trafficFromOf(step);
    if (from && 'except' in from && from.except !== undefined && !recorded.has(from.except)) {
      const known = [...recorded.keys()];
      ctx.addIssue({
        code: 'custom',
        path: [index, step.kind, 'from', 'except'],
        message: `no pod set named '${from.except}' is recorded before this step: expected the name of an earlier recordPods or deletePods${known.length > 0 ? ` (${known.join(', ')})` : ''}`,
      });
    }
    if (step.kind === 'recordPods' || step.kind === 'deletePods') {
      const earlier = recorded.get(step.body.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index, step.kind, 'name'],
          message: `pod set '${step.body.name}' is already recorded by step ${earlier + 1}: expected a new name`,
        });
      } else recorded.set(step.body.name, index);
    }
  });
}
