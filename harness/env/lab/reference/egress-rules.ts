/**
 * The egress rules of one placed EgressService, as the data plane behaviour makes them: which
 * sources are rewritten to which address on which node, and by which routing table. dataplane.ts
 * renders them into each node's nftables and policy routing.
 */
import type { FamilyAddresses, IpFamily } from '../../environment.js';
import type { DataplaneBehaviour } from './behaviour.js';
import type { EgressEndpoint, EgressPlacement } from './dataplane.js';
import type { MachineNetwork } from './machines.js';
import type { ServiceView } from './model.js';

export interface EgressRulesInput {
  service: ServiceView;
  /** The chosen node, or `ALL` (sourceIPBy Network). */
  host: string;
  /** The network spec.network names, when it names one the nodes have. */
  network: MachineNetwork | undefined;
  /** The pods the rules are for (its endpoints, conformantly), with their node and addresses. */
  endpoints: ReadonlyArray<{ node: string; ips: FamilyAddresses; hostNetwork: boolean }>;
  nodeAddresses: (node: string) => FamilyAddresses;
  behaviour: DataplaneBehaviour;
}

function familyOf(address: string): IpFamily {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

export function egressPlacementOf(input: EgressRulesInput): EgressPlacement {
  const { service, host, network, behaviour } = input;
  const loadBalancerIPs: FamilyAddresses = {};
  for (const ip of service.ingress) loadBalancerIPs[familyOf(ip)] = ip;
  if (host === 'ALL' && !behaviour.networkSourceIsLoadBalancerIP) {
    // sourceIPBy Network: the source is the node's address on the network, never the LB IP.
    delete loadBalancerIPs.ipv4;
    delete loadBalancerIPs.ipv6;
  }
  if (host !== 'ALL') {
    if (behaviour.snatToNodeIP) Object.assign(loadBalancerIPs, input.nodeAddresses(host));
    if (behaviour.dualStackIPv6ToNodeIP && loadBalancerIPs.ipv4 && loadBalancerIPs.ipv6) {
      const nodeIPv6 = input.nodeAddresses(host).ipv6;
      if (nodeIPv6) loadBalancerIPs.ipv6 = nodeIPv6;
    }
  }
  if (behaviour.snatIPv4Only) delete loadBalancerIPs.ipv6;
  const endpoints: EgressEndpoint[] = [];
  for (const e of input.endpoints) {
    if (!e.hostNetwork) endpoints.push({ node: e.node, ips: e.ips });
    else if (behaviour.snatHostNetworkEndpoints) {
      endpoints.push({ node: e.node, ips: { ...input.nodeAddresses(e.node) }, hostNetwork: true });
    }
  }
  const placement: EgressPlacement = {
    host,
    loadBalancerIPs,
    endpoints,
    snatInCluster: behaviour.snatInCluster,
    dropReplies: behaviour.dropReplies,
  };
  if (behaviour.snatExempt !== 'cluster') placement.snatExempt = behaviour.snatExempt;
  if (behaviour.snatTcpUdpOnly) placement.protocols = ['tcp', 'udp'];
  if (behaviour.snatAtMasqueradePriority) placement.snatAtMasqueradePriority = true;
  if (behaviour.dropSteeredEgress) placement.dropSteeredEgress = true;
  if (network?.routingTable && !behaviour.ignoreNetworkTable) placement.table = network.routingTable.id;
  return placement;
}
