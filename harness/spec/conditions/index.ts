/**
 * The condition kinds, shared by `wait` (eventually true) and `expect` (true now, or throughout
 * a window). The set is closed: the runner has a check for every kind (`run/conditions/`).
 */
import type { z } from 'zod';
import { oneKeyOf, registry } from '../definitions.js';
import { bgpNextHops } from './bgp-next-hops.js';
import { egressIPAssigned } from './egress-ip-assigned.js';
import { egressPlacement } from './egress-placement.js';
import { egressServiceGone } from './egress-service-gone.js';
import { ingressReachable } from './ingress-reachable.js';
import { noEgressLabel } from './no-egress-label.js';
import { podsGone } from './pods-gone.js';
import { podsReady } from './pods-ready.js';
import { serviceIngress } from './service-ingress.js';

export const CONDITIONS = registry({
  serviceIngress,
  podsReady,
  podsGone,
  egressPlacement,
  egressIPAssigned,
  egressServiceGone,
  noEgressLabel,
  bgpNextHops,
  ingressReachable,
});

export const conditionSchema = oneKeyOf(
  'condition',
  Object.entries(CONDITIONS).map(([kind, definition]) => [kind, definition.variant] as const),
);

/** A parsed condition: its kind and its typed body. */
export type Condition = z.output<typeof conditionSchema>;
export type ConditionKind = Condition['kind'];
export type ConditionBodies = { [K in ConditionKind]: Extract<Condition, { kind: K }>['body'] };
/** A condition of kind K (of any kind, for K = ConditionKind), as generic code takes it. */
export type ConditionOf<K extends ConditionKind> = { [P in K]: { kind: P; body: ConditionBodies[P] } }[K];

/** The condition as a spec writes it: a mapping with its kind as the one key. */
export function conditionAsWritten(condition: Condition): { [kind: string]: unknown } {
  return { [condition.kind]: condition.body };
}
