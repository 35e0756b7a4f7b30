import { placementOf } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const egressServiceGone: ConditionCheck<'egressServiceGone'> = async ({ egressService }, env, ctx) => {
  const p = await placementOf(env.cluster, ctx.test.namespace, egressService);
  return p.exists
    ? notOk(`EgressService ${egressService} still exists`)
    : ok(`EgressService ${egressService} gone`);
};
