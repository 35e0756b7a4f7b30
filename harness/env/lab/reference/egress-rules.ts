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
  const nodePorts = etpLocalNodePorts(service, placement, behaviour);
  if (nodePorts) placement.nodePorts = nodePorts;
  return placement;
}

/**
 * With externalTrafficPolicy Local, the node ports per family of the Service's ingress IPs: its
 * replies leave the node's host from the ETP-Local masquerade address and these ports, and
 * upstream's node controller (210a1808b; egressservice_node.go at 251895cd, syncEgressService)
 * routes them by the network's table too, for each family the Service has an ingress IP of.
 */
function etpLocalNodePorts(
  service: ServiceView,
  placement: EgressPlacement,
  behaviour: DataplaneBehaviour,
): Partial<Record<IpFamily, number[]>> | undefined {
  if (placement.table === undefined || behaviour.omitEtpLocalReplyRules) return undefined;
  if (service.externalTrafficPolicy !== 'Local') return undefined;
  const ports = service.ports.map((p) => p.nodePort).filter((p): p is number => p !== undefined);
  if (ports.length === 0) return undefined;
  const byFamily: Partial<Record<IpFamily, number[]>> = {};
  for (const ip of service.ingress) byFamily[familyOf(ip)] = ports;
  return Object.keys(byFamily).length > 0 ? byFamily : undefined;
}
