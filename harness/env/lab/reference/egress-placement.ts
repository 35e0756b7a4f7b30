/**
 * Where each EgressService goes (OVN-Kubernetes' egress-service controller, as BEHAVIOUR.md
 * states it): nowhere until its Service exists, is a LoadBalancer and has an ingress IP; `ALL`
 * with sourceIPBy Network; otherwise a ready node matching spec.nodeSelector, keeping the current
 * one while it stays valid, else the one with the fewest egress services.
 */
import type { EgressServiceView, ServiceView } from './model.js';
import { selectorMatches } from './selector.js';

export interface PlacementNode {
  name: string;
  labels: Record<string, string>;
  ready: boolean;
}

export interface Placement {
  /** `namespace/name` of the EgressService. */
  key: string;
  /** The chosen node, `ALL` (sourceIPBy Network), or `` (not placed). */
  host: string;
  /** Why it is where it is, for diagnostics. */
  reason: string;
}

/** Why an EgressService has no effect yet: its Service is missing, not a LoadBalancer, or has no IP. */
function whyNotPlaceable(service: ServiceView | undefined): string | undefined {
  if (!service) return 'no Service of that name';
  if (service.type !== 'LoadBalancer') return `Service is of type ${service.type}`;
  if (service.ingress.length === 0) return 'Service has no ingress IP yet';
  return undefined;
}

export function egressKey(view: { namespace: string; name: string }): string {
  return `${view.namespace}/${view.name}`;
}

/** Ways a faulty implementation decides differently (see faults.ts). */
export interface PlacementFaults {
  ignoreNodeSelector?: boolean;
  placeWithoutIngress?: boolean;
}

export function placeEgressServices(
  egressServices: EgressServiceView[],
  services: Map<string, ServiceView>,
  nodes: PlacementNode[],
  previous: Map<string, string>,
  faults: PlacementFaults = {},
): Map<string, Placement> {
  const result = new Map<string, Placement>();
  const load = new Map(nodes.map((n) => [n.name, 0]));
  const pending: Array<{ view: EgressServiceView; candidates: PlacementNode[] }> = [];
  const ordered = [...egressServices].sort((a, b) => egressKey(a).localeCompare(egressKey(b)));

  for (const view of ordered) {
    const key = egressKey(view);
    // A faulty implementation may place first and check the Service never.
    const blocked = faults.placeWithoutIngress ? undefined : whyNotPlaceable(services.get(key));
    if (blocked) {
      result.set(key, { key, host: '', reason: blocked });
      continue;
    }
    if (view.sourceIPBy === 'Network') {
      result.set(key, { key, host: 'ALL', reason: 'sourceIPBy Network' });
      continue;
    }
    const selector = faults.ignoreNodeSelector ? undefined : view.nodeSelector;
    const candidates = nodes.filter((n) => n.ready && selectorMatches(selector, n.labels));
    const current = previous.get(key);
    if (current && candidates.some((n) => n.name === current)) {
      result.set(key, { key, host: current, reason: 'kept: still ready and matching' });
      load.set(current, (load.get(current) ?? 0) + 1);
      continue;
    }
    pending.push({ view, candidates });
  }

  for (const { view, candidates } of pending) {
    const key = egressKey(view);
    if (candidates.length === 0) {
      result.set(key, { key, host: '', reason: 'no ready node matches the nodeSelector' });
      continue;
    }
    const chosen = candidates.reduce((best, n) =>
      (load.get(n.name) ?? 0) < (load.get(best.name) ?? 0) ? n : best,
    );
    load.set(chosen.name, (load.get(chosen.name) ?? 0) + 1);
    result.set(key, { key, host: chosen.name, reason: 'least loaded ready matching node' });
  }
  return result;
}
