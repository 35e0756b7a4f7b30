/**
 * How the reference implementation behaves, as one record split by role. `CONFORMANT` is what
 * docs/behaviour.md states; every field of it is "no deviation" (false, 0, or the conformant choice).
 * A known fault (faults.ts) is a change to some fields, and the reference reads only this record:
 * placement the `placement` part, the published status and labels `publication`, and so on.
 *
 * Faults combine field by field: each sets the fields it names, and two faults that set the same
 * field to different values describe no single implementation, so they are refused
 * (`combineBehaviour`).
 */
import type { SelectorEvaluation } from './selector.js';

/** Where an EgressService goes (OVN-Kubernetes' egress-service controller deciding). */
export interface PlacementBehaviour {
  /** Any ready node may be chosen, whatever spec.nodeSelector says. */
  ignoreNodeSelector: boolean;
  /** Placed before its Service is a LoadBalancer with an ingress IP (or exists at all). */
  placeWithoutIngress: boolean;
  /**
   * A placed service stays placed (label, status.host) when its Service is deleted or stops being
   * a LoadBalancer with an ingress IP.
   */
  keepWithoutService: boolean;
  /** A placed service stays while its node is ready, whatever the selector or labels say now. */
  keepOnSelectorChange: boolean;
  /** A placed service stays on its node when the node is not ready, or left the cluster. */
  noFailover: boolean;
  /** With externalTrafficPolicy Local the chosen node need not host an endpoint. */
  ignoreEtpLocal: boolean;
  /** Host-networked endpoints count like pod-networked ones (a Service with only those is placed). */
  countHostNetworkEndpoints: boolean;
  /** How spec.nodeSelector is evaluated: as Kubernetes does, or with an evaluator's mistake. */
  selectorEvaluation: SelectorEvaluation;
  /**
   * How placement finds an EgressService's Service: by its namespace and name, or (a fault) by
   * name alone, taking the first Service of that name in any namespace.
   */
  serviceLookup: 'namespace-and-name' | 'name-only';
  /**
   * A placeable EgressService with an invalid nodeSelector stops the controller: no placement
   * changes while it exists (upstream's 50fb2b176, a dropped parse error and a nil selector).
   */
  invalidSelectorStalls: boolean;
}

/** What a placement shows: `status.host` and the egress-service node label. */
export interface PublicationBehaviour {
  /** Which nodes carry the label: the chosen one, none, or every node. */
  label: 'chosen-node' | 'no-node' | 'every-node';
  /** Which node `status.host` names: the chosen one, or the node after it. */
  statusHost: 'chosen-node' | 'next-node';
  /** After a failover the failed node keeps its label. */
  keepLabelOnFailedNode: boolean;
  /**
   * Labels of the egress-service prefix the controller never placed on a node (a user's, a former
   * allocation's): removed, or kept because it removes only its own (upstream's 2f78a273b).
   */
  strayLabels: 'removed' | 'kept';
}

/** What deleting an EgressService undoes. */
export interface LifecycleBehaviour {
  /** A deleted EgressService's placement lives on: its label and (while its Service exists) its SNAT. */
  keepAfterDelete: boolean;
  /**
   * Deleting an EgressService (or its placement going) flushes the egress rules of the other
   * EgressServices of its namespace on the same node: they stay placed and labelled, unSNATed.
   */
  flushNamespaceOnDelete: boolean;
  /**
   * A deleted namespace's placements live on: its EgressServices' labels (and SNAT rules) stay on
   * the nodes; only an EgressService's own deletion undoes its placement.
   */
  keepAfterNamespaceDelete: boolean;
  /**
   * After a controller restart, the repair cannot delete the SNAT rules it finds on a node for
   * services or endpoints that went while it was down, and, not knowing them, never removes them
   * later (upstream's 84575787c: the iptables repair's deletions failed with real iptables).
   */
  repairKeepsStaleSnat: boolean;
}

/** The egress rules on the nodes (nftables SNAT, steering to the chosen node, network tables). */
export interface DataplaneBehaviour {
  /** Never install a placement's egress rules (it is placed and labelled all the same). */
  omitEgressRules: boolean;
  /** Install them this long after the placement was published (0: before it is published). */
  egressRulesDelayMs: number;
  /** SNAT to the chosen node's own addresses instead of the LoadBalancer IPs. */
  snatToNodeIP: boolean;
  /** On a dual-stack Service, SNAT IPv6 to the chosen node's IPv6 address. */
  dualStackIPv6ToNodeIP: boolean;
  /** SNAT IPv4 only: IPv6 endpoints keep their node's address. */
  snatIPv4Only: boolean;
  /** SNAT (and steer) TCP and UDP only: other protocols, ICMP among them, leave with the node's address. */
  snatTcpUdpOnly: boolean;
  /** With sourceIPBy Network, SNAT to the LoadBalancer IP instead of the node's network address. */
  networkSourceIsLoadBalancerIP: boolean;
  /**
   * Hook the egress SNAT at the node's pod masquerade's priority, after it, instead of before it:
   * the masquerade rewrites endpoint egress to the node's address first (upstream's 8f5b3d468).
   */
  snatAtMasqueradePriority: boolean;
  /**
   * The chosen node's forward filter drops the egress other nodes steer to it from their
   * endpoints (upstream's 442747f0a: a default FORWARD DROP without the pod CIDRs allowed).
   */
  dropSteeredEgress: boolean;
  /** SNAT every pod of the Service's namespace, not only its endpoints. */
  snatNonEndpoints: boolean;
  /** SNAT traffic to in-cluster destinations (pods, nodes) too. */
  snatInCluster: boolean;
  /**
   * The destinations the SNAT leaves alone: every in-cluster one (`cluster`: pod CIDRs and the
   * nodes' networks, secondary addresses included), or (faults) only the pod CIDRs and the nodes'
   * InternalIPs (`podsAndNodeIPs`), or only the pod CIDRs (`pods`: host-networked pods rewritten).
   */
  snatExempt: 'cluster' | 'podsAndNodeIPs' | 'pods';
  /** Drop the replies to the SNATed traffic at the chosen node. */
  dropReplies: boolean;
  /** Treat host-networked endpoints like pods: SNAT the node's own traffic on the chosen node. */
  snatHostNetworkEndpoints: boolean;
  /** Route endpoint egress by the main table, never by spec.network's. */
  ignoreNetworkTable: boolean;
  /** Route every EgressService's egress by the first network's table, whichever spec.network names. */
  firstNetworkTableForAll: boolean;
  /** Give every EgressService of a namespace the spec.network of the first one there that names one. */
  networkPerNamespace: boolean;
  /**
   * Read the Service's pods once, when the placement is made, and never again: pods that become
   * endpoints later are not SNATed, and pods that stop being endpoints still are.
   */
  endpointsReadOnce: boolean;
  /** Follow pods that become endpoints, but never drop one: a pod relabelled out stays SNATed. */
  keepFormerEndpoints: boolean;
  /**
   * SNAT every EgressService of a namespace to the LoadBalancer IP of the namespace's first placed
   * one (by name): each keyed by namespace, not by Service.
   */
  snatToNamespaceFirstService: boolean;
  /**
   * Read the Service's LoadBalancer IPs once, when the placement is made: after the ingress IP
   * changes, endpoints keep egressing with the old address.
   */
  loadBalancerIPReadOnce: boolean;
  /**
   * With spec.network and externalTrafficPolicy Local, leave out the ip rules for the ETP-Local
   * masquerade address and node ports: the Service's replies, which leave the node's host from
   * that address (upstream's local gateway hop), are routed by the main table (upstream's bug
   * fixed in 210a1808b).
   */
  omitEtpLocalReplyRules: boolean;
}

/** MetalLB's speakers announcing a Service's LoadBalancer IP. */
export interface AnnouncementBehaviour {
  /** Announce from every ready node, whatever the BGPAdvertisement selects. */
  fromEveryNode: boolean;
  /** Announce to the default network's peers only, never to spec.network's. */
  ignoreNetworkPeers: boolean;
}

/**
 * How the reference programs OVN (the lab's OVN data plane only; ovn-egress.ts): the logical
 * router policies and NAT OVN-Kubernetes' egress service controller keeps.
 */
export interface OvnBehaviour {
  /** The reroute policies' priority: upstream's 101, below the no-reroute policies' 102. */
  reroutePriority: number;
  /** Leave out the pod-to-pod no-reroute policy. */
  omitPodNoReroute: boolean;
  /** Leave out the no-reroute policy for served pods' traffic to node addresses (`pkt_mark=1008`). */
  omitNodeNoReroute: boolean;
  /**
   * SNAT the endpoints on the chosen node's gateway router (rerouting to its join address)
   * instead of delivering them to the node's host through the management port.
   */
  snatOnGatewayRouter: boolean;
}

export interface Behaviour {
  placement: PlacementBehaviour;
  publication: PublicationBehaviour;
  lifecycle: LifecycleBehaviour;
  dataplane: DataplaneBehaviour;
  announcements: AnnouncementBehaviour;
  ovn: OvnBehaviour;
}

/** Some fields of some roles: what a fault changes. */
export type BehaviourChange = { [R in keyof Behaviour]?: Partial<Behaviour[R]> };

export const CONFORMANT: Readonly<Behaviour> = Object.freeze<Behaviour>({
  placement: {
    ignoreNodeSelector: false,
    placeWithoutIngress: false,
    keepWithoutService: false,
    keepOnSelectorChange: false,
    noFailover: false,
    ignoreEtpLocal: false,
    countHostNetworkEndpoints: false,
    selectorEvaluation: 'kubernetes',
    serviceLookup: 'namespace-and-name',
    invalidSelectorStalls: false,
  },
  publication: {
    label: 'chosen-node',
    statusHost: 'chosen-node',
    keepLabelOnFailedNode: false,
    strayLabels: 'removed',
  },
  lifecycle: {
    keepAfterDelete: false,
    flushNamespaceOnDelete: false,
    keepAfterNamespaceDelete: false,
    repairKeepsStaleSnat: false,
  },
  dataplane: {
    omitEgressRules: false,
    egressRulesDelayMs: 0,
    snatToNodeIP: false,
    dualStackIPv6ToNodeIP: false,
    snatIPv4Only: false,
    snatTcpUdpOnly: false,
    networkSourceIsLoadBalancerIP: false,
    snatAtMasqueradePriority: false,
    dropSteeredEgress: false,
    snatNonEndpoints: false,
    snatInCluster: false,
    snatExempt: 'cluster',
    dropReplies: false,
    snatHostNetworkEndpoints: false,
    ignoreNetworkTable: false,
    firstNetworkTableForAll: false,
    networkPerNamespace: false,
    endpointsReadOnce: false,
    keepFormerEndpoints: false,
    snatToNamespaceFirstService: false,
    loadBalancerIPReadOnce: false,
    omitEtpLocalReplyRules: false,
  },
  announcements: { fromEveryNode: false, ignoreNetworkPeers: false },
  ovn: {
    reroutePriority: 101,
    omitPodNoReroute: false,
    omitNodeNoReroute: false,
    snatOnGatewayRouter: false,
  },
});

/** Two changes set one field to different values. */
export class BehaviourConflict extends Error {
  override name = 'BehaviourConflict';
  constructor(
    readonly field: string,
    readonly first: string,
    readonly second: string,
  ) {
    super(`${first} and ${second} both set ${field}, to different values`);
  }
}

/**
 * The conformant behaviour with the named changes applied. A field set by several changes must
 * be set to the same value by each; otherwise this throws a BehaviourConflict naming both.
 */
export function combineBehaviour(
  changes: ReadonlyArray<{ name: string; change: BehaviourChange }>,
): Behaviour {
  const result = structuredClone(CONFORMANT) as Behaviour;
  const setBy = new Map<string, { name: string; value: unknown }>();
  for (const { name, change } of changes) {
    for (const [role, fields] of Object.entries(change) as Array<[keyof Behaviour, object]>) {
      for (const [key, value] of Object.entries(fields)) {
        const field = `${role}.${key}`;
        const earlier = setBy.get(field);
        if (earlier && earlier.value !== value) throw new BehaviourConflict(field, earlier.name, name);
        setBy.set(field, { name, value });
        (result[role] as unknown as Record<string, unknown>)[key] = value;
      }
    }
  }
  return result;
}

/** The fields a change sets, as `role.field=value` (for listings and logs). */
export function describeChange(change: BehaviourChange): string[] {
  return Object.entries(change).flatMap(([role, fields]) =>
    Object.entries(fields as object).map(([key, value]) => `${role}.${key}=${String(value)}`),
  );
}
