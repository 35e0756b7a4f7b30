import { namespaceOf } from '../namespaces.js';
import { podsMatching, selectorString } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const podsGone: ConditionCheck<'podsGone'> = async (body, env, ctx) => {
  const { pods } = body;
  const left = await podsMatching(env.cluster, namespaceOf(ctx, body.namespace), pods);
  return left.length === 0
    ? ok(`no pod matches ${selectorString(pods)}`)
    : notOk(
        `${left.length} pods still match ${selectorString(pods)}: ${left.map((p) => p.metadata.name).join(', ')}`,
      );
};
