/**
 * Known faults of the reference implementation: each breaks one behaviour of docs/behaviour.md the
 * way a real implementation could get it wrong. The suite must fail on every one of them, for
 * the statements listed here — that is how the suite shows its verdicts are sharp. This table is
 * what `lab faults` prints and what the sharpness tests and `npm run sharpness` run.
 *
 * A fault is one entry: its name, what it breaks, the statements that must catch it, and the
 * change to the reference's behaviour record (behaviour.ts) that makes it. Nothing else in the
 * reference knows fault names. A fault with core statements is caught by the core profile; one
 * with only `extendedStatements` needs the extended profile's scenarios.
 */
import { type Behaviour, type BehaviourChange, combineBehaviour } from './behaviour.js';

/** How long `long-leak-window` holds the SNAT back after placement, in seconds. */
const LONG_LEAK_DELAY_SECONDS = 3;

/** How long `late-snat` holds it back: past the convergence bound, so endpoints egress with node IPs. */
const LATE_SNAT_DELAY_MS = 45_000;

export interface FaultDefinition {
  name: string;
  /** What the faulty implementation does. */
  breaks: string;
  /** Statements whose scenarios must fail with this fault (core profile). */
  statements: string[];
  /** Statements of the extended profile whose scenarios must fail with this fault too. */
  extendedStatements?: string[];
  /** How the faulty implementation differs from the conformant one. */
  behaviour: BehaviourChange;
  /**
   * The lab data plane the fault lives in: `ovn` for a fault of the OVN programming (logical
   * router policies, NAT), which changes nothing on the plain-Linux data plane. Absent: any.
   */
  dataPlane?: 'ovn';
}

export const FAULTS = [
  {
    name: 'snat-to-node-ip',
    breaks: "endpoint egress is SNATed to the chosen node's IP instead of the LoadBalancer IP",
    statements: ['ES-SNAT-1'],
    behaviour: { dataplane: { snatToNodeIP: true } },
  },
  {
    name: 'no-snat',
    breaks: 'the EgressService is placed and labelled, but endpoint egress is never SNATed',
    statements: ['ES-SNAT-1'],
    behaviour: { dataplane: { omitEgressRules: true } },
  },
  {
    name: 'snat-non-endpoints',
    breaks: "every pod of the Service's namespace is SNATed, not only its endpoints",
    statements: ['ES-SNAT-3'],
    behaviour: { dataplane: { snatNonEndpoints: true } },
  },
  {
    name: 'snat-in-cluster',
    breaks: 'traffic to pods and nodes is SNATed to the LoadBalancer IP too',
    statements: ['ES-SNAT-4'],
    behaviour: { dataplane: { snatInCluster: true } },
  },
  {
    name: 'snat-to-host-network',
    breaks:
      'the SNAT leaves alone only traffic to pod CIDRs: traffic to host-networked pods and node addresses is SNATed to the LoadBalancer IP',
    statements: ['ES-SNAT-4'],
    behaviour: { dataplane: { snatExempt: 'pods' } },
  },
  {
    name: 'snat-to-node-secondary-addresses',
    breaks:
      "the SNAT leaves alone traffic to pods and to the nodes' InternalIPs only: traffic to a node's other addresses is SNATed to the LoadBalancer IP",
    statements: [],
    extendedStatements: ['ES-SNAT-4'],
    behaviour: { dataplane: { snatExempt: 'podsAndNodeIPs' } },
  },
  {
    name: 'snat-ipv4-only',
    breaks: 'only IPv4 egress is SNATed; IPv6 endpoints keep the node IP',
    statements: ['ES-SNAT-1'],
    behaviour: { dataplane: { snatIPv4Only: true } },
  },
  {
    name: 'snat-tcp-udp-only',
    breaks: 'the SNAT rule matches only TCP and UDP: ICMP from endpoints leaves with the node IP',
    statements: ['ES-SNAT-1'],
    behaviour: { dataplane: { snatTcpUdpOnly: true } },
  },
  {
    name: 'ignore-node-selector',
    breaks: 'spec.nodeSelector is ignored: any ready node may be chosen',
    statements: [],
    extendedStatements: ['ES-SEL-1', 'ES-SEL-2', 'ES-SEL-3'],
    behaviour: { placement: { ignoreNodeSelector: true } },
  },
  {
    name: 'no-node-label',
    breaks: 'the chosen node never gets the egress-service label',
    statements: ['ES-LABEL-1', 'ES-INGRESS-1'],
    behaviour: { publication: { label: 'no-node' } },
  },
  {
    name: 'label-every-node',
    breaks: 'every node gets the egress-service label, not only the chosen one',
    statements: ['ES-LABEL-1', 'ES-INGRESS-1'],
    behaviour: { publication: { label: 'every-node' } },
  },
  {
    name: 'host-mismatch',
    breaks: 'status.host names a different node than the one labelled and doing the SNAT',
    statements: ['ES-LABEL-1'],
    behaviour: { publication: { statusHost: 'next-node' } },
  },
  {
    name: 'stray-label-kept',
    breaks:
      "an egress-service label the controller did not place (a user's, a former allocation's) stays on its node: the controller removes only the labels it placed (upstream's bug fixed in 2f78a273b)",
    statements: ['ES-LABEL-1'],
    behaviour: { publication: { strayLabels: 'kept' } },
  },
  {
    name: 'leftovers-after-delete',
    breaks: 'deleting the EgressService leaves its label and its SNAT in place',
    statements: ['ES-LIFE-1'],
    behaviour: { lifecycle: { keepAfterDelete: true } },
  },
  {
    name: 'effect-before-ingress',
    breaks:
      'the EgressService is placed and labelled before its Service is a LoadBalancer with an ingress IP',
    statements: ['ES-LIFE-2'],
    behaviour: { placement: { placeWithoutIngress: true } },
  },
  {
    name: 'announce-from-every-node',
    breaks: 'the LoadBalancer IP is announced from every node, whatever the BGPAdvertisement selects',
    statements: ['ES-INGRESS-1'],
    behaviour: { announcements: { fromEveryNode: true } },
  },
  {
    name: 'no-return-path',
    breaks: 'replies to the SNATed traffic are dropped at the chosen node: connections never complete',
    statements: ['ES-SNAT-2'],
    behaviour: { dataplane: { dropReplies: true } },
  },
  {
    name: 'late-snat',
    breaks:
      'the SNAT is installed 45 s after status.host is published (past the convergence bound); until then endpoints egress with their node IPs',
    statements: ['ES-SNAT-1'],
    behaviour: { dataplane: { egressRulesDelayMs: LATE_SNAT_DELAY_MS } },
  },
  {
    name: 'endpoints-read-once',
    breaks:
      "the Service's endpoints are read once, when the EgressService is placed: pods that become endpoints later (scale-up, replacement, relabelled in) egress with their node IPs, and pods relabelled out keep the LoadBalancer IP",
    statements: ['ES-SNAT-5'],
    behaviour: { dataplane: { endpointsReadOnce: true } },
  },
  {
    name: 'endpoints-never-removed',
    breaks:
      'pods that become endpoints are SNATed, but a pod that stops being one (relabelled out of the selector) keeps the LoadBalancer IP while it runs',
    statements: ['ES-SNAT-5'],
    behaviour: { dataplane: { keepFormerEndpoints: true } },
  },
  {
    name: 'snat-to-first-service',
    breaks:
      "every EgressService of a namespace is SNATed to the LoadBalancer IP of the namespace's first placed one (by name): the rules are keyed by namespace, not by Service",
    statements: ['ES-SNAT-6'],
    behaviour: { dataplane: { snatToNamespaceFirstService: true } },
  },
  {
    name: 'delete-flushes-neighbours',
    breaks:
      'deleting an EgressService flushes the egress rules of the other EgressServices of its namespace on the same node: they stay labelled and placed, and their endpoints egress with node IPs',
    statements: ['ES-SNAT-6'],
    behaviour: { lifecycle: { flushNamespaceOnDelete: true } },
  },
  {
    name: 'lb-ip-read-once',
    breaks:
      "the Service's LoadBalancer IP is read once, when the EgressService is placed: after the ingress IP changes, endpoints keep egressing with the old address",
    statements: ['ES-LIFE-4'],
    behaviour: { dataplane: { loadBalancerIPReadOnce: true } },
  },
  {
    name: 'placement-kept-without-service',
    breaks:
      'a placed EgressService keeps its node label and status.host when its Service is deleted or changes to ClusterIP: the Service is checked when placing, never again',
    statements: ['ES-LIFE-5'],
    behaviour: { placement: { keepWithoutService: true } },
  },
  {
    name: 'leftovers-after-namespace-delete',
    breaks:
      "a deleted namespace's EgressServices keep their node labels: only an EgressService's own deletion undoes its placement",
    statements: ['ES-LIFE-5'],
    behaviour: { lifecycle: { keepAfterNamespaceDelete: true } },
  },
  {
    name: 'snat-at-masquerade-priority',
    breaks:
      "the egress SNAT hooks after the node's pod masquerade in nftables' postrouting (upstream's bug fixed in 8f5b3d468: both at priority srcnat, the masquerade first): endpoint egress is masqueraded to the node's address before the SNAT sees it",
    statements: ['ES-SNAT-1'],
    behaviour: { dataplane: { snatAtMasqueradePriority: true } },
  },
  {
    name: 'forward-drops-steered-egress',
    breaks:
      "the chosen node's forward filter drops the egress other nodes steer to it from their endpoints (upstream's bug fixed in 442747f0a: a default FORWARD DROP that allowed no pod CIDR): only the chosen node's own endpoints reach the outside",
    statements: ['ES-SNAT-1'],
    behaviour: { dataplane: { dropSteeredEgress: true } },
  },
  {
    name: 'service-lookup-by-name',
    breaks:
      "placement looks up an EgressService's Service by name alone: the first Service of that name in any namespace counts as its own, so one whose own Service is missing or a ClusterIP is placed while a namesake elsewhere is a LoadBalancer, and follows that namesake's changes",
    statements: ['ES-ISO-1'],
    behaviour: { placement: { serviceLookup: 'name-only' } },
  },
  {
    name: 'selector-change-ignored',
    breaks:
      'a change of spec.nodeSelector (or of node labels) never moves a placed service: it stays on a node that no longer matches',
    statements: [],
    extendedStatements: ['ES-SEL-1', 'ES-SEL-3'],
    behaviour: { placement: { keepOnSelectorChange: true } },
  },
  {
    name: 'invalid-selector-stalls',
    breaks:
      'an EgressService whose nodeSelector does not parse (e.g. matchLabels {"a:b": "c&"}) stops the controller (upstream\'s bug fixed in 50fb2b176: the parse error dropped, the nil selector used): while it exists no placement changes, its own stays where it was',
    statements: [],
    extendedStatements: ['ES-SEL-3'],
    behaviour: { placement: { invalidSelectorStalls: true } },
  },
  {
    name: 'ignore-match-expressions',
    breaks:
      'spec.nodeSelector.matchExpressions are ignored: matchLabels alone choose the node (no expressions: any node)',
    statements: [],
    extendedStatements: ['ES-SEL-3'],
    behaviour: { placement: { selectorEvaluation: 'match-labels-only' } },
  },
  {
    name: 'match-labels-ignored-with-expressions',
    breaks: 'when spec.nodeSelector has matchExpressions, its matchLabels are ignored',
    statements: [],
    extendedStatements: ['ES-SEL-3'],
    behaviour: { placement: { selectorEvaluation: 'expressions-replace-labels' } },
  },
  {
    name: 'selector-requirements-ored',
    breaks: "a node matching any one of the selector's requirements is chosen, not one matching all of them",
    statements: [],
    extendedStatements: ['ES-SEL-3'],
    behaviour: { placement: { selectorEvaluation: 'any-requirement' } },
  },
  {
    name: 'not-in-needs-key',
    breaks: 'a NotIn expression never matches a node without the label (Kubernetes: it does)',
    statements: [],
    extendedStatements: ['ES-SEL-3'],
    behaviour: { placement: { selectorEvaluation: 'not-in-needs-key' } },
  },
  {
    name: 'empty-label-value-absent',
    breaks: 'Exists and DoesNotExist test the label\'s value: a label whose value is "" counts as absent',
    statements: [],
    extendedStatements: ['ES-SEL-3'],
    behaviour: { placement: { selectorEvaluation: 'empty-value-is-absent' } },
  },
  {
    name: 'no-failover',
    breaks: 'the service stays placed on its node after that node stops being ready',
    statements: [],
    extendedStatements: ['ES-FAIL-1'],
    behaviour: { placement: { noFailover: true } },
  },
  {
    name: 'failover-keeps-label',
    breaks: 'failover moves status.host and the SNAT, but the failed node keeps the egress-service label',
    statements: [],
    extendedStatements: ['ES-FAIL-1'],
    behaviour: { publication: { keepLabelOnFailedNode: true } },
  },
  {
    name: 'ignore-network',
    breaks:
      "spec.network is ignored: endpoint egress and the Service's replies use the main table, never the network's",
    statements: [],
    extendedStatements: ['ES-NET-1'],
    behaviour: { dataplane: { ignoreNetworkTable: true }, announcements: { ignoreNetworkPeers: true } },
  },
  {
    name: 'network-announced-not-routed',
    breaks:
      "spec.network reaches BGP (the network's peers learn the LoadBalancer IP from the chosen node) but not the nodes' routing: egress and the Service's replies use the main table",
    statements: [],
    extendedStatements: ['ES-NET-1', 'ES-NET-3'],
    behaviour: { dataplane: { ignoreNetworkTable: true } },
  },
  {
    name: 'first-network-for-all',
    breaks:
      "every EgressService with spec.network is routed by the first network's table: one naming another network reaches the first network's client at the shared address",
    statements: [],
    extendedStatements: ['ES-NET-4'],
    behaviour: { dataplane: { firstNetworkTableForAll: true } },
  },
  {
    name: 'network-per-namespace',
    breaks:
      "spec.network is read once per namespace: every EgressService there is routed by the network the first one names, another network's client at the shared address reached instead",
    statements: [],
    extendedStatements: ['ES-NET-4'],
    behaviour: { dataplane: { networkPerNamespace: true } },
  },
  {
    name: 'network-snat-to-lb',
    breaks:
      "with sourceIPBy Network, endpoint egress is SNATed to the LoadBalancer IP instead of the node's network address",
    statements: [],
    extendedStatements: ['ES-NET-2'],
    behaviour: { dataplane: { networkSourceIsLoadBalancerIP: true } },
  },
  {
    name: 'ignore-etp-local',
    breaks: 'externalTrafficPolicy Local is ignored: the chosen node need not host an endpoint',
    statements: [],
    extendedStatements: ['ES-ETP-1'],
    behaviour: { placement: { ignoreEtpLocal: true } },
  },
  {
    name: 'rewrite-host-network',
    breaks:
      'host-networked endpoints count as endpoints: a Service with only those is placed, and they are SNATed on the chosen node',
    statements: [],
    extendedStatements: ['ES-HOST-1'],
    behaviour: {
      placement: { countHostNetworkEndpoints: true },
      dataplane: { snatHostNetworkEndpoints: true },
    },
  },
  {
    name: 'dual-stack-ipv6-node-ip',
    breaks: "on a dual-stack Service the IPv6 traffic is SNATed to the chosen node's IPv6 address",
    statements: [],
    extendedStatements: ['ES-FAM-1'],
    behaviour: { dataplane: { dualStackIPv6ToNodeIP: true } },
  },
  {
    name: 'ovn-reroute-above-no-reroute',
    breaks:
      "the endpoints' reroute policies sit at priority 103, above the no-reroute policies' 102 (upstream: 101 below 102): their traffic to pods and nodes is rerouted to the chosen node's management port too, and leaves its host rewritten",
    statements: ['ES-SNAT-4'],
    behaviour: { ovn: { reroutePriority: 103 } },
    dataPlane: 'ovn',
  },
  {
    name: 'ovn-no-pod-no-reroute',
    breaks:
      "the pod-to-pod no-reroute policy (102, cluster subnet to cluster subnet) is missing: endpoints' traffic to other pods is rerouted to the chosen node's management port and leaves its host rewritten",
    statements: ['ES-SNAT-4'],
    behaviour: { ovn: { omitPodNoReroute: true } },
    dataPlane: 'ovn',
  },
  {
    name: 'ovn-snat-on-gateway-router',
    breaks:
      "endpoints are rerouted to the chosen node's gateway router (its join address) and SNATed there to the LoadBalancer IP, instead of being delivered to the node's host through its management port: the replies come back to the host, which has no connection for them",
    statements: ['ES-SNAT-1'],
    behaviour: { ovn: { snatOnGatewayRouter: true } },
    dataPlane: 'ovn',
  },
  {
    name: 'repair-keeps-stale-snat',
    breaks:
      "after a controller restart, the repair cannot delete the SNAT rules it finds on a node for what went while the controller was down (an EgressService deleted, an endpoint gone, a LoadBalancer IP changed), and never removes them later: after an EgressService is deleted while the controller is down, its former endpoints on its node keep egressing with the LoadBalancer IP (upstream's bug fixed in 84575787c)",
    statements: ['ES-LIFE-1'],
    behaviour: { lifecycle: { repairKeepsStaleSnat: true } },
  },
  {
    name: 'long-leak-window',
    breaks: `status.host is published ${LONG_LEAK_DELAY_SECONDS} s before the SNAT is installed (within the convergence bound): endpoint packets leave with node IPs meanwhile`,
    statements: [],
    extendedStatements: ['ES-LEAK-1'],
    behaviour: { dataplane: { egressRulesDelayMs: LONG_LEAK_DELAY_SECONDS * 1000 } },
  },
  {
    name: 'etp-local-reply-by-main-table',
    breaks:
      "with spec.network and externalTrafficPolicy Local, the replies to the Service's external clients leave the node from the ETP-Local masquerade address and node port (upstream's local gateway hop) with no ip rule for the network's table, so they are routed by the main table and never reach the network's clients (upstream's 210a1808b)",
    statements: [],
    extendedStatements: ['ES-NET-3'],
    behaviour: { dataplane: { omitEtpLocalReplyRules: true } },
  },
] as const satisfies readonly FaultDefinition[];

export type FaultName = (typeof FAULTS)[number]['name'];

export const FAULT_NAMES: readonly string[] = FAULTS.map((f) => f.name);

export function isFaultName(name: string): name is FaultName {
  return FAULT_NAMES.includes(name);
}

/**
 * The behaviour of the reference with these faults: the conformant record with each fault's
 * change applied; throws a BehaviourConflict for two faults that set one field differently.
 */
export function behaviourWith(faults: readonly FaultName[]): Behaviour {
  return combineBehaviour(
    faults.map((name) => ({
      name,
      change: (FAULTS.find((f) => f.name === name) as FaultDefinition).behaviour,
    })),
  );
}
