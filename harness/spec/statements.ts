/**
 * The statements the suite certifies: each with its ID, profile, feature, full text and a
 * one-line summary. This is the catalogue's source of truth: docs/behaviour.md is generated from
 * it (`npm run docs:behaviour`, checked by a test), scenario specs name IDs from it, and the
 * reports give a result for each.
 */

export const CORE_PROFILE = 'EGRESS-SERVICE-CORE';

export const PROFILES = ['core', 'extended'] as const;
export type Profile = (typeof PROFILES)[number];

export const CORE_FEATURES = ['SourceIPLoadBalancer', 'NodeLabel', 'Lifecycle'] as const;
export const EXTENDED_FEATURES = [
  'NodeSelector',
  'Failover',
  'NetworkRouting',
  'SourceIPNetwork',
  'ExternalTrafficPolicyLocal',
  'HostNetworkEndpoints',
  'EgressIPPriority',
  'IPv6',
  'DualStack',
  'NoLeakOnPlacement',
] as const;
export const FEATURES = [...CORE_FEATURES, ...EXTENDED_FEATURES] as const;
export type Feature = (typeof FEATURES)[number];

export interface Statement {
  id: string;
  profile: Profile;
  feature: Feature;
  /** One line, for tables and listings. */
  summary: string;
  /** The statement in full (Markdown), as docs/behaviour.md gives it. */
  text: string;
  /** Measured and reported, never counted against conformance. */
  provisional?: boolean;
}

export const STATEMENTS: readonly Statement[] = [
  {
    id: 'ES-SNAT-1',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'Endpoint egress leaves with the LoadBalancer IP, from pods on every node, for every protocol',
    text:
      'Every packet that an endpoint pod of the Service sends to a destination outside the ' +
      "cluster leaves the cluster with the Service's LoadBalancer ingress IP of that IP family " +
      'as its source address. Observed on the wire at the external peer, for every packet, from ' +
      'pods on every node (the chosen node and the others), for every protocol (TCP, UDP, ' +
      'ICMP/ICMPv6).',
  },
  {
    id: 'ES-SNAT-2',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'Connections from endpoint pods complete: replies to the LoadBalancer IP return',
    text:
      'Connections that endpoint pods open to the external peer complete: replies addressed to ' +
      'the LoadBalancer IP return to the pod (TCP handshake and payload both ways).',
  },
  {
    id: 'ES-SNAT-3',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'Non-endpoint pods of the namespace keep their node IP',
    text:
      'Pods of the same namespace that are not endpoints of the Service keep their normal ' +
      'egress source (the node IP), never the LoadBalancer IP.',
  },
  {
    id: 'ES-SNAT-4',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'In-cluster traffic from endpoint pods (pods, host-networked pods, node IPs) is not rewritten',
    text:
      'Traffic from endpoint pods to destinations inside the cluster (other pods, ' +
      "host-networked pods, node IPs including a node's secondary addresses) is not rewritten " +
      'to the LoadBalancer IP.',
  },
  {
    id: 'ES-SNAT-5',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'The endpoint set is followed: new endpoints get the LoadBalancer IP, former ones their node IP',
    text:
      'The endpoint set is followed: after placement, pods that become endpoints (scale-up, a ' +
      'replaced pod with a new address, a pod relabelled into the selector) egress with the ' +
      'LoadBalancer IP within the convergence bound, from every node; pods that stop being ' +
      'endpoints (scaled down, relabelled out) egress with their node IP again.',
  },
  {
    id: 'ES-SNAT-6',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: "Several EgressServices are isolated: each one's endpoints egress with its own LoadBalancer IP",
    text:
      'EgressServices are isolated: with several at once (in one namespace and across ' +
      "namespaces, on the same chosen node and on different ones), each service's endpoints " +
      "egress with their own Service's LoadBalancer IP; deleting one leaves the others' " +
      'sources, labels and `status.host` unchanged.',
  },
  {
    id: 'ES-INGRESS-1',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'The peer reaches every backend at the LoadBalancer IP; BGP next hop is the chosen node',
    text:
      'The external peer reaches the Service at its LoadBalancer IP and port, and every backend ' +
      "answers; the external peer's BGP table holds the LoadBalancer IP with the chosen node as " +
      'its only next hop when the BGPAdvertisement selects the egress-service label.',
  },
  {
    id: 'ES-LABEL-1',
    profile: 'core',
    feature: 'NodeLabel',
    summary: 'Exactly one node carries the egress-service label and status.host names it',
    text: 'Exactly one node carries the egress-service label, and `status.host` names that node.',
  },
  {
    id: 'ES-LIFE-1',
    profile: 'core',
    feature: 'Lifecycle',
    summary: 'Deleting the EgressService removes label, host and SNAT',
    text:
      'Deleting the EgressService removes the label, clears `status.host`, and endpoint pods ' +
      'egress with their node IPs again. Nothing of it remains (no label, no SNAT).',
  },
  {
    id: 'ES-LIFE-2',
    profile: 'core',
    feature: 'Lifecycle',
    summary: 'No effect until the Service exists, is a LoadBalancer and has its ingress IP',
    text:
      'An EgressService whose Service does not exist, is not of type LoadBalancer, or has no ' +
      'ingress IP yet has no effect (no label, `status.host` empty, node-IP egress), and takes ' +
      'effect once the Service exists and receives its ingress IP.',
  },
  {
    id: 'ES-LIFE-3',
    profile: 'core',
    feature: 'Lifecycle',
    summary: "A name that does not match the Service's changes nothing",
    text: "An EgressService whose name does not match its Service's changes nothing for that " + 'Service.',
  },
  {
    id: 'ES-LIFE-4',
    profile: 'core',
    feature: 'Lifecycle',
    summary: 'A changed ingress IP is followed; the old address is not seen as a source again',
    text:
      "When the Service's ingress IP changes, endpoint egress follows the new address within " +
      'the convergence bound, and the old address is never seen as a source after that.',
  },
  {
    id: 'ES-LIFE-5',
    profile: 'core',
    feature: 'Lifecycle',
    summary: 'Service deleted, no longer a LoadBalancer, or namespace deleted: nothing of it remains',
    text:
      'When the Service is deleted (its EgressService kept), changes from LoadBalancer to ' +
      'another type, or its namespace is deleted, the label goes, `status.host` is cleared and ' +
      'endpoints egress with node IPs; nothing of it remains on any node. A Service created ' +
      'again under the name is placed again.',
  },
  {
    id: 'ES-ISO-1',
    profile: 'core',
    feature: 'Lifecycle',
    summary: 'Same-named Services and EgressServices in two namespaces do not influence each other',
    text:
      'Same-named Services and EgressServices in different namespaces are independent: an ' +
      'EgressService acts on the Service of its own namespace only. Whichever of them is ' +
      "created, changed or deleted first, the other namespace's placement (`status.host`), node " +
      "label and endpoints' source stay as they were; an EgressService whose own Service is " +
      'missing or not a LoadBalancer has no effect while a Service of its name in another ' +
      'namespace is placed.',
  },
  {
    id: 'ES-SEL-1',
    profile: 'extended',
    feature: 'NodeSelector',
    summary: 'The chosen node matches nodeSelector; changing it moves label, host and next hop',
    text:
      'The chosen node matches `spec.nodeSelector`; changing the selector moves the label, ' +
      '`status.host` and the BGP next hop to a matching node, while the source stays the ' +
      'LoadBalancer IP.',
  },
  {
    id: 'ES-SEL-2',
    profile: 'extended',
    feature: 'NodeSelector',
    summary: 'No matching node: no host, no label, node-IP egress; placed once a node matches',
    text:
      'When no ready node matches, `status.host` is empty, no node is labelled and endpoints ' +
      'egress with node IPs; when a node starts to match, the service is placed on it.',
  },
  {
    id: 'ES-SEL-3',
    profile: 'extended',
    feature: 'NodeSelector',
    summary: 'nodeSelector matchExpressions choose nodes as Kubernetes evaluates selectors',
    text:
      '`spec.nodeSelector.matchExpressions` (`In`, `NotIn`, `Exists`, `DoesNotExist`), alone ' +
      'and with `matchLabels`, choose nodes as Kubernetes evaluates selectors.',
  },
  {
    id: 'ES-FAIL-1',
    profile: 'extended',
    feature: 'Failover',
    summary: 'A failed chosen node is replaced within the failover bound',
    text:
      'When the chosen node stops being ready, or leaves the cluster, the service is placed on ' +
      'another matching node within the failover bound, and egress keeps the LoadBalancer IP as ' +
      'its source.',
  },
  {
    id: 'ES-NET-1',
    profile: 'extended',
    feature: 'NetworkRouting',
    summary: "spec.network routes endpoint egress by that network's table",
    text:
      'With `spec.network`, endpoint egress is routed by that table: it reaches the external ' +
      'peer over the network that table points to, not the default one.',
  },
  {
    id: 'ES-NET-2',
    profile: 'extended',
    feature: 'SourceIPNetwork',
    summary: "sourceIPBy Network: the node's address on that network, no label, host ALL",
    text:
      "With `sourceIPBy: Network`, the source is the address of the node's interface on that " +
      'network (the "VRF address"); no node is labelled; `status.host` is `ALL`.',
  },
  {
    id: 'ES-NET-3',
    profile: 'extended',
    feature: 'NetworkRouting',
    summary: 'Replies to external clients follow the same network',
    text: 'Replies to external clients of the Service follow the same network.',
  },
  {
    id: 'ES-NET-4',
    profile: 'extended',
    feature: 'NetworkRouting',
    summary: 'EgressServices on different networks reach clients sharing one address, each over its own',
    text:
      'EgressServices on different networks reach clients that share one address, each over its ' +
      'own network (upstream\'s "multiple networks" case).',
  },
  {
    id: 'ES-ETP-1',
    profile: 'extended',
    feature: 'ExternalTrafficPolicyLocal',
    summary: 'With externalTrafficPolicy Local the chosen node hosts an endpoint',
    text:
      'With `externalTrafficPolicy: Local`, the chosen node hosts a local endpoint; with no ' +
      'endpoint anywhere, `status.host` is empty.',
  },
  {
    id: 'ES-HOST-1',
    profile: 'extended',
    feature: 'HostNetworkEndpoints',
    summary: 'Host-networked endpoints are not rewritten and get no host',
    text:
      'Host-networked endpoints are not rewritten; a Service with only host-networked endpoints ' +
      'gets no host.',
  },
  {
    id: 'ES-EIP-1',
    profile: 'extended',
    feature: 'EgressIPPriority',
    summary: 'EgressService wins over EgressIP; EgressIP applies after deletion',
    text:
      'A pod selected by both an EgressIP and an EgressService egresses with the LoadBalancer ' +
      'IP; after the EgressService is deleted, with the EgressIP.',
  },
  {
    id: 'ES-FAM-1',
    profile: 'extended',
    feature: 'DualStack',
    summary: "On a dual-stack Service each family's traffic carries that family's LoadBalancer IP",
    text: "On a dual-stack Service, each family's traffic carries that family's LoadBalancer IP.",
  },
  {
    id: 'ES-LEAK-1',
    profile: 'extended',
    feature: 'NoLeakOnPlacement',
    summary: 'No endpoint packet leaves with another source once status.host is published',
    text:
      'From the moment `status.host` is published, no endpoint packet reaches the external peer ' +
      'with a source other than the LoadBalancer IP. Upstream documents a window where this can ' +
      'fail; the suite measures it and reports it.',
    provisional: true,
  },
];

export const STATEMENT_IDS: ReadonlySet<string> = new Set(STATEMENTS.map((s) => s.id));

export function statementById(id: string): Statement | undefined {
  return STATEMENTS.find((s) => s.id === id);
}
