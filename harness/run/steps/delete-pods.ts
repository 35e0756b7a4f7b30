import { namespaceOf } from '../namespaces.js';
import { resolveNode } from '../node-refs.js';
import type { StepExecutor } from '../step-run.js';
import { describeRecorded, podsOfGroup, recordOf } from '../traffic/pod-sets.js';

export const deletePods: StepExecutor<'deletePods'> = async (body, run) => {
  const { env, ctx } = run;
  const node = body.node ? (await resolveNode(env.cluster, ctx.test.namespace, body.node)).name : undefined;
  const pods = (await podsOfGroup(env, namespaceOf(ctx, body.pods.namespace), body.pods))
    .map(recordOf)
    .filter((p) => !node || p.node === node);
  if (pods.length === 0) {
    return { ok: false, detail: `no ready pods to delete${node ? ` on ${node}` : ''}` };
  }
  ctx.podSets.set(body.name, pods);
  for (const pod of pods) {
    await env.cluster.delete({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: ctx.test.namespace,
      name: pod.name,
    });
  }
  return { ok: true, detail: `deleted pod set ${body.name}: ${describeRecorded(pods)}` };
};
