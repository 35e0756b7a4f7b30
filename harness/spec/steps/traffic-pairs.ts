import type { z } from 'zod';
import type { Step } from './index.js';

/** Every `stopTraffic` ends a `startTraffic` started before it, and every started traffic ends. */
export function checkTrafficPairs(steps: Step[], ctx: z.RefinementCtx): void {
  const running = new Map<string, number>();
  steps.forEach((step, index) => {
    if (step.kind === 'startTraffic') {
      const name = step.body.name;
      const earlier = running.get(name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'startTraffic', 'name'],
          message: `traffic '${name}' is already running (started by step ${earlier + 1})`,
        });
      }
      running.set(name, index);
    }
    if (step.kind === 'stopTraffic') {
      const name = step.body.name;
      if (!running.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'stopTraffic', 'name'],
          message: `no traffic named '${name}' is running here: expected the name of an earlier startTraffic`,
        });
      }
      running.delete(name);
    }
  });
  for (const [name, index] of running) {
    ctx.addIssue({
      code: 'custom',
      path: [index, 'startTraffic', 'name'],
      message: `traffic '${name}' is never stopped: expected a later stopTraffic with this name`,
    });
  }
}
