/**
 * Where each EgressService goes (OVN-Kubernetes' egress-service controller, as docs/behaviour.md
 * states it): nowhere until its Service exists, is a LoadBalancer and has an ingress IP; nowhere
 * when every endpoint is host-networked (nothing to rewrite); `ALL` with sourceIPBy Network;
 * otherwise a ready node matching spec.nodeSelector — with externalTrafficPolicy Local, one that
 * hosts a ready endpoint — keeping the current one while it stays valid, else the one with the
 * fewest egress services.
 */
import type { PlacementBehaviour } from './behaviour.js';
import type { EgressServiceView, ServiceView } from './model.js';
import { selectorMatches, selectorProblem } from './selector.js';

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

/** A Service's ready endpoints as placement sees them. */
export interface PlacementEndpoints {
  /** Nodes that host a ready pod-networked endpoint. */
  podNodes: string[];
  /** Ready host-networked endpoints. */
  hostNetworked: number;
}

const NO_ENDPOINTS: PlacementEndpoints = { podNodes: [], hostNetworked: 0 };

/** Why no node can take the service, given its endpoints; undefined when some can. */
function whyNoHost(
  service: ServiceView | undefined,
  endpoints: PlacementEndpoints,
  behaviour: Partial<PlacementBehaviour>,
) {
  if (
    endpoints.podNodes.length === 0 &&
    endpoints.hostNetworked > 0 &&
    !behaviour.countHostNetworkEndpoints
  ) {
    return 'every endpoint is host-networked';
  }
  if (
    service?.externalTrafficPolicy === 'Local' &&
    !behaviour.ignoreEtpLocal &&
    endpoints.podNodes.length === 0
  ) {
    return 'externalTrafficPolicy Local and no ready endpoint';
  }
  return undefined;
}

/**
 * The Service an EgressService is for: the one of its namespace and name. A faulty lookup by name
 * alone takes the first Service of that name in any namespace (in the order the API lists them).
 */
function serviceFor(
  view: EgressServiceView,
  services: Map<string, ServiceView>,
  behaviour: Partial<PlacementBehaviour>,
): ServiceView | undefined {
  if (behaviour.serviceLookup !== 'name-only') return services.get(egressKey(view));
  return [...services.values()].find((s) => s.name === view.name);
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the EgressService placement rules (selector, readiness, fewest services, faults) read top to bottom
export function placeEgressServices(
  egressServices: EgressServiceView[],
  services: Map<string, ServiceView>,
  nodes: PlacementNode[],
  previous: Map<string, string>,
  /** Deviations from the conformant placement (behaviour.ts); none by default. */
  behaviour: Partial<PlacementBehaviour> = {},
  /** Ready endpoints per Service (`namespace/name`); a Service not in the map has none. */
  endpoints: Map<string, PlacementEndpoints> = new Map(),
): Map<string, Placement> {
  const result = new Map<string, Placement>();
  if (behaviour.invalidSelectorStalls) {
    // The controller stops at a placeable EgressService whose selector it cannot parse (upstream's
    // 50fb2b176: the error was dropped and the nil selector used): nothing changes any more.
    const stuck = egressServices.find(
      (v) =>
        v.sourceIPBy !== 'Network' &&
        !whyNotPlaceable(serviceFor(v, services, behaviour)) &&
        selectorProblem(v.nodeSelector) !== undefined,
    );
    if (stuck) {
      for (const view of egressServices) {
        const key = egressKey(view);
        result.set(key, {
          key,
          host: previous.get(key) ?? '',
          reason: `stalled at ${egressKey(stuck)}'s selector`,
        });
      }
      return result;
    }
  }
  const load = new Map(nodes.map((n) => [n.name, 0]));
  const pending: Array<{ view: EgressServiceView; candidates: PlacementNode[] }> = [];
  const ordered = [...egressServices].sort((a, b) => egressKey(a).localeCompare(egressKey(b)));

  for (const view of ordered) {
    const key = egressKey(view);
    // A faulty implementation may place first and check the Service never.
    const service = serviceFor(view, services, behaviour);
    const blocked = behaviour.placeWithoutIngress ? undefined : whyNotPlaceable(service);
    const placedOn = previous.get(key);
    if (blocked && behaviour.keepWithoutService && placedOn && placedOn !== 'ALL') {
      // Checked when placing, never again: the Service going away does not undo the placement.
      result.set(key, { key, host: placedOn, reason: `kept: ${blocked}` });
      load.set(placedOn, (load.get(placedOn) ?? 0) + 1);
      continue;
    }
    const own = endpoints.get(key) ?? NO_ENDPOINTS;
    const noHost = blocked ?? whyNoHost(service, own, behaviour);
    if (noHost) {
      result.set(key, { key, host: '', reason: noHost });
      continue;
    }
    if (view.sourceIPBy === 'Network') {
      result.set(key, { key, host: 'ALL', reason: 'sourceIPBy Network' });
      continue;
    }
    const selector = behaviour.ignoreNodeSelector ? undefined : view.nodeSelector;
    const evaluation = behaviour.selectorEvaluation ?? 'kubernetes';
    const local = service?.externalTrafficPolicy === 'Local' && !behaviour.ignoreEtpLocal;
    const candidates = nodes.filter(
      (n) =>
        n.ready &&
        selectorMatches(selector, n.labels, evaluation) &&
        (!local || own.podNodes.includes(n.name)),
    );
    const current = previous.get(key);
    const currentNode = nodes.find((n) => n.name === current);
    // With `noFailover` the service stays on a node that is not ready, or no longer in the cluster.
    const stays =
      currentNode === undefined
        ? behaviour.noFailover === true
        : candidates.includes(currentNode) ||
          (behaviour.keepOnSelectorChange && currentNode.ready) ||
          (behaviour.noFailover && !currentNode.ready);
    if (current && stays) {
      result.set(key, { key, host: current, reason: 'kept: still ready and matching' });
      load.set(current, (load.get(current) ?? 0) + 1);
      continue;
    }
    pending.push({ view, candidates });
  }

  for (const { view, candidates } of pending) {
    const key = egressKey(view);
    if (candidates.length === 0) {
      const invalid = behaviour.ignoreNodeSelector ? undefined : selectorProblem(view.nodeSelector);
      const why = invalid
        ? `invalid nodeSelector (${invalid}): no node is selected`
        : services.get(key)?.externalTrafficPolicy === 'Local' && !behaviour.ignoreEtpLocal
          ? 'no ready node matching the nodeSelector hosts a local endpoint'
          : 'no ready node matches the nodeSelector';
      result.set(key, { key, host: '', reason: why });
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
