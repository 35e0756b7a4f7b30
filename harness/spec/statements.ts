/**
 * The statements of BEHAVIOUR.md, the features they belong to and their profiles. Scenario specs
 * name statement IDs from this list; the catalogue uses it to show which statements no scenario
 * covers yet. Keep it in step with BEHAVIOUR.md.
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
  summary: string;
  provisional?: boolean;
}

export const STATEMENTS: readonly Statement[] = [
  {
    id: 'ES-SNAT-1',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'Endpoint egress leaves with the LoadBalancer IP, from pods on every node',
  },
  {
    id: 'ES-SNAT-2',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'Connections from endpoint pods complete: replies to the LoadBalancer IP return',
  },
  {
    id: 'ES-SNAT-3',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'Non-endpoint pods of the namespace keep their node IP',
  },
  {
    id: 'ES-SNAT-4',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'In-cluster traffic from endpoint pods is not rewritten',
  },
  {
    id: 'ES-INGRESS-1',
    profile: 'core',
    feature: 'SourceIPLoadBalancer',
    summary: 'The peer reaches every backend at the LoadBalancer IP; BGP next hop is the chosen node',
  },
  {
    id: 'ES-LABEL-1',
    profile: 'core',
    feature: 'NodeLabel',
    summary: 'Exactly one node carries the egress-service label and status.host names it',
  },
  {
    id: 'ES-LIFE-1',
    profile: 'core',
    feature: 'Lifecycle',
    summary: 'Deleting the EgressService removes label, host and SNAT',
  },
  {
    id: 'ES-LIFE-2',
    profile: 'core',
    feature: 'Lifecycle',
    summary: 'No effect until the Service exists, is a LoadBalancer and has its ingress IP',
  },
  {
    id: 'ES-LIFE-3',
    profile: 'core',
    feature: 'Lifecycle',
    summary: "A name that does not match the Service's changes nothing",
  },
  {
    id: 'ES-SEL-1',
    profile: 'extended',
    feature: 'NodeSelector',
    summary: 'The chosen node matches nodeSelector; changing it moves label, host and next hop',
  },
  {
    id: 'ES-SEL-2',
    profile: 'extended',
    feature: 'NodeSelector',
    summary: 'No matching node: no host, no label, node-IP egress; placed once a node matches',
  },
  {
    id: 'ES-FAIL-1',
    profile: 'extended',
    feature: 'Failover',
    summary: 'A failed chosen node is replaced within the failover bound',
  },
  {
    id: 'ES-NET-1',
    profile: 'extended',
    feature: 'NetworkRouting',
    summary: "spec.network routes endpoint egress by that network's table",
  },
  {
    id: 'ES-NET-2',
    profile: 'extended',
    feature: 'SourceIPNetwork',
    summary: "sourceIPBy Network: the node's address on that network, no label, host ALL",
  },
  {
    id: 'ES-NET-3',
    profile: 'extended',
    feature: 'NetworkRouting',
    summary: 'Replies to external clients follow the same network',
  },
  {
    id: 'ES-ETP-1',
    profile: 'extended',
    feature: 'ExternalTrafficPolicyLocal',
    summary: 'With externalTrafficPolicy Local the chosen node hosts an endpoint',
  },
  {
    id: 'ES-HOST-1',
    profile: 'extended',
    feature: 'HostNetworkEndpoints',
    summary: 'Host-networked endpoints are not rewritten and get no host',
  },
  {
    id: 'ES-EIP-1',
    profile: 'extended',
    feature: 'EgressIPPriority',
    summary: 'EgressService wins over EgressIP; EgressIP applies after deletion',
  },
  {
    id: 'ES-FAM-1',
    profile: 'extended',
    feature: 'DualStack',
    summary: "On a dual-stack Service each family's traffic carries that family's LoadBalancer IP",
  },
  {
    id: 'ES-LEAK-1',
    profile: 'extended',
    feature: 'NoLeakOnPlacement',
    summary: 'No endpoint packet leaves with another source once status.host is published',
    provisional: true,
  },
];

export const STATEMENT_IDS: ReadonlySet<string> = new Set(STATEMENTS.map((s) => s.id));

export function statementById(id: string): Statement | undefined {
  return STATEMENTS.find((s) => s.id === id);
}
