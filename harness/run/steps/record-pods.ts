import { namespaceOf } from '../namespaces.js';
import type { StepExecutor } from '../step-run.js';
import { describeRecorded, podsOfGroup, recordOf } from '../traffic/pod-sets.js';

export const recordPods: StepExecutor<'recordPods'> = async (body, run) => {
  const pods = (await podsOfGroup(run.env, namespaceOf(run.ctx, body.pods.namespace), body.pods)).map(
    recordOf,
  );
  run.ctx.podSets.set(body.name, pods);
  return {
    ok: true,
    detail: `pod set ${body.name}: ${pods.length === 0 ? 'no pods' : describeRecorded(pods)}`,
  };
};
