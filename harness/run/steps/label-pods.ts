import { namespaceOf } from '../namespaces.js';
import type { StepExecutor } from '../step-run.js';
import { podsOfGroup } from '../traffic/pod-sets.js';

export const labelPods: StepExecutor<'labelPods'> = async (body, run) => {
  const { env, ctx } = run;
  const pods = await podsOfGroup(env, namespaceOf(ctx, body.pods.namespace), body.pods);
  if (pods.length === 0) return { ok: false, detail: 'no ready pods to label' };
  for (const pod of pods) {
    await env.cluster.patch(
      { apiVersion: 'v1', kind: 'Pod', namespace: ctx.test.namespace, name: pod.metadata.name },
      { metadata: { labels: body.labels } },
    );
  }
  const change = Object.entries(body.labels)
    .map(([key, value]) => (value === null ? `-${key}` : `${key}=${value}`))
    .join(', ');
  return { ok: true, detail: `labelled ${pods.map((p) => p.metadata.name).join(', ')}: ${change}` };
};
