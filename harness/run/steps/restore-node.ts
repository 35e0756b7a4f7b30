import { resolveNode } from '../node-refs.js';
import type { StepExecutor } from '../step-run.js';
import { failedNodeKey, restoreAction } from './failed-nodes.js';

export const restoreNode: StepExecutor<'restoreNode'> = async (body, run) => {
  const { env, ctx } = run;
  const name = ctx.failedNodes.get(failedNodeKey(body.node));
  const node = name ?? (await resolveNode(env.cluster, ctx.test.namespace, body.node)).name;
  await env.restoreNode(node);
  run.cleanup.drop(restoreAction(node));
  return { ok: true, detail: `restored ${node}` };
};
