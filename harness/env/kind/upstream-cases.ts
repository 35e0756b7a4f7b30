/**
 * Upstream's EgressService e2e cases (test/e2e/egress_services.go of ovn-kubernetes), each with
 * the suite features it exercises. A case is named by its ginkgo text without the "EgressService"
 * container and the "ipv4 pods"/"ipv6 pods" entry; test/kind/upstream-support.test.ts finds each
 * in the file at every pinned commit and checks that the case's source does what `shows` says.
 */
import type { Feature } from '../../spec/statements.js';

export interface UpstreamCase {
  title: string;
  features: readonly Feature[];
  /** Words of the case's source that show it exercises those features. */
  shows: readonly string[];
}

export const UPSTREAM_CASES = {
  'without-selectors': {
    title: "Should validate pods' egress is SNATed to the LB's ingress ip without selectors",
    // It also sets `network: "100"` and checks egress follows table 100's blackhole (finding 4).
    features: ['SourceIPLoadBalancer', 'Lifecycle', 'NetworkRouting'],
    shows: ['sourceIPBy: "LoadBalancerIP"', 'network: "100"', 'Deleting the EgressService'],
  },
  'network-without-snat': {
    title: "[LGW] Should validate pods' egress uses node's IP when setting Network without SNAT",
    features: ['SourceIPNetwork'],
    shows: ['sourceIPBy: "Network"'],
  },
  'host-networked': {
    title: 'Should validate the egress SVC SNAT functionality against host-networked pods',
    features: ['HostNetworkEndpoints'],
    shows: ['HostNetwork = true'],
  },
  'with-selectors': {
    title: "Should validate pods' egress is SNATed to the LB's ingress ip with selectors",
    features: ['NodeSelector', 'NodeLabel'],
    shows: ['nodeSelector:', 'egress-service.k8s.ovn.org/'],
  },
  'egressip-priority': {
    title:
      'Should validate egress service has higher priority than EgressIP when not assigned to the same node',
    features: ['EgressIPPriority'],
    shows: ['kind: EgressIP'],
  },
  'etp-local': {
    title: 'Should validate a node with a local ep is selected when ETP=Local',
    features: ['ExternalTrafficPolicyLocal'],
    shows: ['ExternalTrafficPolicy = v1.ServiceExternalTrafficPolicyTypeLocal'],
  },
  'ingress-reply-network': {
    title: '[LGW] Should validate ingress reply traffic uses the Network',
    features: ['NetworkRouting'],
    shows: ['network: "100"'],
  },
  'multiple-networks': {
    title:
      'Multiple Networks, external clients sharing ip [LGW] Should validate pods on different networks can reach different clients with same ip without SNAT',
    features: ['NetworkRouting'],
    shows: ['routingTable'],
  },
} as const satisfies Record<string, UpstreamCase>;

export type UpstreamCaseName = keyof typeof UPSTREAM_CASES;

export const UPSTREAM_CASE_NAMES = Object.keys(UPSTREAM_CASES) as UpstreamCaseName[];

/** The case a ginkgo spec text names (`EgressService <title> ipv4 pods`), or undefined. */
export function caseOfSpecText(
  text: string,
): { name: UpstreamCaseName; family: 'ipv4' | 'ipv6' } | undefined {
  const m = /^EgressService (.+) (ipv4|ipv6) pods$/.exec(text);
  if (!m) return undefined;
  const name = UPSTREAM_CASE_NAMES.find((n) => UPSTREAM_CASES[n].title === m[1]);
  return name ? { name, family: m[2] as 'ipv4' | 'ipv6' } : undefined;
}
