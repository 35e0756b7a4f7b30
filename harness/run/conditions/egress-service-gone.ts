import { namespaceOf } from '../namespaces.js';
import { placementOf } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const egressServiceGone: ConditionCheck<'egressServiceGone'> = async (body, env, ctx) => {
  const { egressService } = body;
  const p = await placementOf(env.cluster, namespaceOf(ctx, body.namespace), egressService);
  return p.exists
    ? notOk(`EgressService ${egressService} still exists`)
    : ok(`EgressService ${egressService} gone`);
};
