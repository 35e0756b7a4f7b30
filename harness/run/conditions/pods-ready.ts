import { namespaceOf } from '../namespaces.js';
import { podReady, podsMatching } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const podsReady: ConditionCheck<'podsReady'> = async (body, env, ctx) => {
  const { pods, count } = body;
  const found = await podsMatching(env.cluster, namespaceOf(ctx, body.namespace), pods);
  const ready = found.filter(podReady);
  const detail = `${ready.length}/${found.length} pods ready (need at least ${count}, all ready)`;
  return ready.length >= count && ready.length === found.length ? ok(detail) : notOk(detail);
};
