import { namespaceOf } from '../namespaces.js';
import type { StepExecutor } from '../step-run.js';

export const deleteNamespace: StepExecutor<'deleteNamespace'> = async (body, run) => {
  const namespace = namespaceOf(run.ctx, body.namespace);
  await run.env.cluster.deleteNamespace(namespace, run.timeouts.deletion);
  const left = await run.env.cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  if (left)
    return { ok: false, detail: `namespace ${namespace} still exists after ${run.timeouts.deletion} ms` };
  return { ok: true, detail: `deleted namespace ${namespace}` };
};
