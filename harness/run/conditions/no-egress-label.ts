import { placementOf } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const noEgressLabel: ConditionCheck<'noEgressLabel'> = async ({ service }, env, ctx) => {
  const p = await placementOf(env.cluster, ctx.test.namespace, service);
  return p.labelledNodes.length === 0
    ? ok(`no node carries the egress-service label of ${service}`)
    : notOk(`the egress-service label of ${service} is on ${p.labelledNodes.join(', ')}`);
};
