/**
 * The runner's half of the condition registry: one check per condition kind of
 * `spec/conditions/`. The mapped type makes a kind without a check a compile error.
 */
import type { Environment } from '../../env/environment.js';
import type { ConditionKind, ConditionOf } from '../../spec/conditions/index.js';
import type { TestContext } from '../context.js';
import type { Observation } from '../eventually.js';
import { bgpNextHops } from './bgp-next-hops.js';
import type { ConditionCheck } from './check.js';
import { egressIPAssigned } from './egress-ip-assigned.js';
import { egressPlacement } from './egress-placement.js';
import { egressServiceGone } from './egress-service-gone.js';
import { ingressReachable } from './ingress-reachable.js';
import { noEgressLabel } from './no-egress-label.js';
import { podsGone } from './pods-gone.js';
import { podsReady } from './pods-ready.js';
import { serviceIngress } from './service-ingress.js';

const CHECKS: { [K in ConditionKind]: ConditionCheck<K> } = {
  serviceIngress,
  podsReady,
  podsGone,
  egressPlacement,
  egressIPAssigned,
  egressServiceGone,
  noEgressLabel,
  bgpNextHops,
  ingressReachable,
};

/** One observation of the condition: whether it holds now, and what was seen. */
export function observe<K extends ConditionKind>(
  condition: ConditionOf<K>,
  env: Environment,
  ctx: TestContext,
): Promise<Observation> {
  return CHECKS[condition.kind](condition.body, env, ctx);
}
