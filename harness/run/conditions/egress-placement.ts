import { namespaceOf } from '../namespaces.js';
import { resolveNode } from '../node-refs.js';
import { describePlacement, placementOf } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const egressPlacement: ConditionCheck<'egressPlacement'> = async (body, env, ctx) => {
  const { egressService, state, node, nodeReady } = body;
  const p = await placementOf(env.cluster, namespaceOf(ctx, body.namespace), egressService);
  const seen = describePlacement(p);
  if (state === 'unplaced') {
    const good = p.labelledNodes.length === 0 && (p.host ?? '') === '';
    return good ? ok(seen) : notOk(`${seen}; expected no node labelled and status.host empty`);
  }
  if (state === 'all') {
    const good = p.labelledNodes.length === 0 && p.host === 'ALL';
    return good ? ok(seen) : notOk(`${seen}; expected status.host ALL and no node labelled`);
  }
  if (p.labelledNodes.length !== 1 || p.host !== p.labelledNodes[0]) {
    return notOk(`${seen}; expected exactly one node labelled and status.host naming it`);
  }
  if (node) {
    const wanted = await resolveNode(env.cluster, ctx.test.namespace, node);
    if (wanted.name !== p.host) return notOk(`${seen}; expected the node ${wanted.name}`);
  }
  if (nodeReady) {
    const host = (await env.cluster.nodes()).find((n) => n.name === p.host);
    if (!host?.ready) return notOk(`${seen}; expected a ready node, and ${p.host} is not ready`);
    return ok(`${seen} (ready)`);
  }
  return ok(seen);
};
