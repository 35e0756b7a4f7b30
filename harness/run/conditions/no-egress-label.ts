import { namespaceOf } from '../namespaces.js';
import { placementOf } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const noEgressLabel: ConditionCheck<'noEgressLabel'> = async (body, env, ctx) => {
  const { service } = body;
  const p = await placementOf(env.cluster, namespaceOf(ctx, body.namespace), service);
  return p.labelledNodes.length === 0
    ? ok(`no node carries the egress-service label of ${service}`)
    : notOk(`the egress-service label of ${service} is on ${p.labelledNodes.join(', ')}`);
};
