import { describeNodeRef } from '../node-refs.js';
import type { StepExecutor } from '../step-run.js';
import { failedNodeKey } from './failed-nodes.js';

export const removeNode: StepExecutor<'removeNode'> = async (body, run) => {
  // Only a failed machine: a running kubelet would be left without its Node object.
  const name = run.ctx.failedNodes.get(failedNodeKey(body.node));
  if (!name) {
    return {
      ok: false,
      detail: `removeNode ${describeNodeRef(body.node)}: no earlier failNode with this node reference`,
    };
  }
  await run.env.cluster.delete({ apiVersion: 'v1', kind: 'Node', name });
  return { ok: true, detail: `removed the Node object of ${name} (restoreNode registers it again)` };
};
