import { podsMatching, selectorString } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const podsGone: ConditionCheck<'podsGone'> = async ({ pods }, env, ctx) => {
  const left = await podsMatching(env.cluster, ctx.test.namespace, pods);
  return left.length === 0
    ? ok(`no pod matches ${selectorString(pods)}`)
    : notOk(
        `${left.length} pods still match ${selectorString(pods)}: ${left.map((p) => p.metadata.name).join(', ')}`,
      );
};
