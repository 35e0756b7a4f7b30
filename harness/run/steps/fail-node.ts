import { describeNodeRef, resolveNode } from '../node-refs.js';
import type { StepExecutor } from '../step-run.js';
import { failedNodeKey, restoreAction } from './failed-nodes.js';

export const failNode: StepExecutor<'failNode'> = async (body, run) => {
  const { env, ctx } = run;
  const node = await resolveNode(env.cluster, ctx.test.namespace, body.node);
  await env.failNode(node.name);
  ctx.failedAt = Date.now();
  run.cleanup.push(restoreAction(node.name), () => env.restoreNode(node.name));
  ctx.failedNodes.set(failedNodeKey(body.node), node.name);
  return { ok: true, detail: `failed ${describeNodeRef(body.node)}: ${node.name}` };
};
