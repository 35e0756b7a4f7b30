/** What a condition check is: one observation of the cluster or the peer, with what was seen. */
import type { Environment } from '../../env/environment.js';
import type { ConditionBodies, ConditionKind } from '../../spec/conditions/index.js';
import type { TestContext } from '../context.js';
import type { Observation } from '../eventually.js';

export type ConditionCheck<K extends ConditionKind> = (
  body: ConditionBodies[K],
  env: Environment,
  ctx: TestContext,
) => Promise<Observation>;

export function ok(detail: string): Observation {
  return { ok: true, detail };
}

export function notOk(detail: string): Observation {
  return { ok: false, detail };
}
