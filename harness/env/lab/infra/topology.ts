/**
 * The lab's plan: every name, address, ASN and prefix of a lab, computed from its options and
 * the docker subnets it got. Pure data; bring-up, the primitives and `attach` all work from it.
 *
 *   docker network <id>-default (internal, dual-stack) - stands for the kind network
 *     nodes control-plane, worker, worker2 (.10, .11, ...)   peer (.100)
 *   docker network <id>-secondary (internal, dual-stack) - a second network for `spec.network`
 *     the same nodes on a second interface (.10, .11, ...)    peer2 (.100)
 *   docker network <id>-tertiary (internal, dual-stack) - a third network, whose peer3 owns the
 *     same "outside" address as peer2: two networks' clients sharing one address (ES-NET-4)
 *     the same nodes on a third interface (.10, .11, ...)     peer3 (.100)
 *
 * Everything "outside" the cluster comes from documentation ranges: the peers' service
 * addresses (198.51.100.0/24, 2001:db8:5100::/48) and the LoadBalancer ranges (203.0.113.0/24,
 * 2001:db8:113::/64). 192.0.2.0/24 is not used: it is a common host-side test range (the
 * machines this runs on have their own uplink in it).
 */

import { canonicalIp, ipv4Host, ipv6Host } from '../../../common/ip.js';
import type { FamilyAddresses, IpFamily } from '../../environment.js';
import { containerName, networkName } from './labels.js';

/**
 * BGP: eBGP between every node (ASN 64512, all nodes alike, as MetalLB's speakers in its
 * dev-env) and each external peer (64500 on the default network, 64501 on the secondary one).
 * eBGP rather than iBGP because (1) it sets the announcing node itself as next hop, which is what
 * ES-INGRESS-1 reads on the peer, with no next-hop-self or route-reflector configuration; and
 * (2) nodes sharing one ASN drop each other's announcements when the peer passes them on
 * (AS-path loop), so no node ever routes a LoadBalancer address through another node.
 */
export const NODE_ASN = 64512;
export const PEER_ASN = 64500;
export const SECONDARY_PEER_ASN = 64501;
export const TERTIARY_PEER_ASN = 64502;

export const DEFAULT_NETWORK = 'default';
export const SECONDARY_NETWORK = 'secondary';
export const TERTIARY_NETWORK = 'tertiary';
/** Routing table on the nodes that points at the secondary network (a VRF's stand-in). */
export const SECONDARY_TABLE = { id: 100, name: 'secondary' } as const;
/** ... and at the tertiary one (upstream's multiple-networks e2e uses tables 101 and 102). */
export const TERTIARY_TABLE = { id: 101, name: 'tertiary' } as const;
/**
 * The "outside" address of the other networks' clients: peer2 and peer3 both own it, as
 * upstream's two external containers share one IP. Which network a packet took shows only in
 * which peer captured it.
 */
export const SHARED_CLIENT_ADDRESSES = { ipv4: '198.51.100.20', ipv6: '2001:db8:5100::20' } as const;

/** Like kind's defaults: the cluster's pod CIDRs, one /24 and one /64 per node. */
export const CLUSTER_POD_CIDRS = { ipv4: '10.244.0.0/16', ipv6: 'fd00:10:244::/56' } as const;
export const LOAD_BALANCER_RANGES = { ipv4: '203.0.113.0/24', ipv6: '2001:db8:113::/64' } as const;
/** agnhost netexec's default port. */
export const PROBE_PORT = 8080;
/**
 * Further ports the peers' probe server answers on. Probes that name no port take any free one,
 * so tests side by side probe the same peer at once, each captured apart on its own port.
 */
export const PEER_EXTRA_PROBE_PORTS: readonly number[] = [8081, 8082, 8083, 8084, 8085, 8086, 8087];
/** The pods' gateway: the node side of every pod veth carries it. */
export const POD_GATEWAY_IPV6 = 'fe80::1';

/** Host numbers on the docker networks: node i is .(10+i) and ::(10+i), peers are .100 and ::100. */
export const NODE_HOST_BASE = 10;
export const PEER_HOST = 100;

export interface DualSubnets {
  ipv4: string;
  ipv6: string;
}

export interface LabTopologyOptions {
  /** Number of nodes (default 3: control-plane, worker, worker2). */
  nodes?: number;
  /** IP families the lab configures (pods, BGP, routes). Default: both. */
  families?: IpFamily[];
  /** Second network with a second peer, for `network` scenarios. Default: true. */
  secondaryNetwork?: boolean;
  /** Third network with a third peer sharing the second's address (needs the second). Default: true. */
  tertiaryNetwork?: boolean;
  /**
   * What carries pod traffic: `linux` (pods on veths routed by the node kernels) or `ovn` (real
   * OVN in OVN-Kubernetes' shape, docs/ovn-lab.md). Default: linux.
   */
  dataPlane?: LabDataPlane;
  /**
   * With the OVN data plane: where ordinary pod egress leaves, through the node's gateway router
   * (`shared`) or through its host (`local`). Default: local.
   */
  gatewayMode?: LabGatewayMode;
}

export type LabDataPlane = 'linux' | 'ovn';
export const LAB_DATA_PLANES: readonly LabDataPlane[] = ['linux', 'ovn'];
/** OVN-Kubernetes' gateway modes (infra/ovn.ts, docs/ovn-lab.md). */
export type LabGatewayMode = 'shared' | 'local';
export const LAB_GATEWAY_MODES: readonly LabGatewayMode[] = ['shared', 'local'];

/** Host number of OVN's central container (NB, SB, northd) on the default network. */
export const OVN_CENTRAL_HOST = 5;
/** Host numbers of the gateway routers' external ports on the default network: node i is 200+i. */
export const OVN_GATEWAY_ROUTER_HOST_BASE = 200;

/** Subnets docker gave the lab's networks, by network name. */
export interface LabSubnets {
  default: DualSubnets;
  secondary?: DualSubnets;
  tertiary?: DualSubnets;
}

/** The networks besides the default one, in order, with their routing table and peer. */
const ADDITIONAL_NETWORKS = [
  {
    name: SECONDARY_NETWORK,
    table: SECONDARY_TABLE,
    peer: { name: 'peer2', asn: SECONDARY_PEER_ASN },
  },
  {
    name: TERTIARY_NETWORK,
    table: TERTIARY_TABLE,
    peer: { name: 'peer3', asn: TERTIARY_PEER_ASN },
  },
] as const;

/** The additional networks a lab with these options has (`secondary`, `tertiary`). */
export function additionalNetworks(options: LabTopologyOptions): Array<'secondary' | 'tertiary'> {
  const secondary = options.secondaryNetwork ?? true;
  const tertiary = secondary && (options.tertiaryNetwork ?? true);
  return [...(secondary ? (['secondary'] as const) : []), ...(tertiary ? (['tertiary'] as const) : [])];
}

export interface LabNetworkPlan {
  /** `default` or `secondary`. */
  name: string;
  dockerName: string;
  /** Subnets of the docker network (always both families at the docker level). */
  subnets: DualSubnets;
  /** Routing table on the nodes for this network (absent for the default network). */
  routingTable?: { id: number; name: string };
}

export interface LabNodePlan {
  name: string;
  container: string;
  /** 0 for control-plane: the index in pod CIDRs (10.244.<index>.0/24). */
  index: number;
  asn: number;
  /** Address on the default network, per configured family. */
  addresses: FamilyAddresses;
  /** Address on each additional network, keyed by network name. */
  networkAddresses: Record<string, FamilyAddresses>;
  podCidrs: FamilyAddresses;
  /** Gateway address pods of this node use, per family. */
  podGateways: FamilyAddresses;
  labels: Record<string, string>;
}

export interface LabPeerPlan {
  name: string;
  container: string;
  network: string;
  asn: number;
  /** The peer's own address on its network, per configured family (its BGP session address). */
  interfaceAddresses: FamilyAddresses;
  /** "Outside" addresses on the peer's `lo`, announced to the nodes; the probe server answers there. */
  serviceAddresses: FamilyAddresses;
  probePort: number;
  /** Further ports the probe server answers on (see PEER_EXTRA_PROBE_PORTS). */
  extraProbePorts: number[];
}

export interface LabPlan {
  id: string;
  runId: string;
  families: IpFamily[];
  networks: LabNetworkPlan[];
  nodes: LabNodePlan[];
  peers: LabPeerPlan[];
  clusterPodCidrs: FamilyAddresses;
  loadBalancerRanges: FamilyAddresses;
  dataPlane: LabDataPlane;
  /** With the OVN data plane: the container of OVN's central databases and its address. */
  ovnCentral?: { container: string; address: string };
  /** With the OVN data plane: its gateway mode. */
  gatewayMode?: LabGatewayMode;
}

export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i === 0 ? 'control-plane' : i === 1 ? 'worker' : `worker${i}`,
  );
}

function pick(families: IpFamily[], values: Record<IpFamily, string>): FamilyAddresses {
  return Object.fromEntries(families.map((family) => [family, values[family]]));
}

function hostAddresses(subnets: DualSubnets, host: number): Record<IpFamily, string> {
  return { ipv4: ipv4Host(subnets.ipv4, host), ipv6: ipv6Host(subnets.ipv6, host) };
}

export function planLab(
  id: string,
  runId: string,
  options: LabTopologyOptions,
  subnets: LabSubnets,
): LabPlan {
  const families = options.families ?? ['ipv4', 'ipv6'];
  if (families.length === 0) throw new Error('a lab needs at least one IP family');
  const nodeCount = options.nodes ?? 3;
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 50) {
    throw new Error(`a lab has 1 to 50 nodes, not ${nodeCount}`);
  }
  const dataPlane = options.dataPlane ?? 'linux';
  if (options.gatewayMode && dataPlane !== 'ovn') {
    throw new Error('a gateway mode is a setting of the OVN data plane only');
  }
  if (options.gatewayMode === 'shared' && families.join() !== 'ipv4') {
    throw new Error("shared gateway mode's br-ex flows carry the ipv4 family only (for now)");
  }
  const wanted = additionalNetworks(options);
  const additional = ADDITIONAL_NETWORKS.filter((n) => wanted.includes(n.name)).map((n) => {
    const own = subnets[n.name];
    if (!own) throw new Error(`the ${n.name} network has no subnets`);
    return { ...n, subnets: own };
  });

  const networks: LabNetworkPlan[] = [
    { name: DEFAULT_NETWORK, dockerName: networkName(id, DEFAULT_NETWORK), subnets: subnets.default },
    ...additional.map(
      (n): LabNetworkPlan => ({
        name: n.name,
        dockerName: networkName(id, n.name),
        subnets: n.subnets,
        routingTable: { ...n.table },
      }),
    ),
  ];

  const nodes = nodeNames(nodeCount).map((name, index): LabNodePlan => {
    const host = NODE_HOST_BASE + index;
    const networkAddresses: Record<string, FamilyAddresses> = {};
    for (const network of networks.slice(1)) {
      networkAddresses[network.name] = pick(families, hostAddresses(network.subnets, host));
    }
    const hex = index.toString(16);
    return {
      name,
      container: containerName(id, name),
      index,
      asn: NODE_ASN,
      addresses: pick(families, hostAddresses(subnets.default, host)),
      networkAddresses,
      podCidrs: pick(families, {
        ipv4: `10.244.${index}.0/24`,
        ipv6: canonicalIp(`fd00:10:244:${hex}::/64`),
      }),
      podGateways: pick(families, { ipv4: `10.244.${index}.1`, ipv6: POD_GATEWAY_IPV6 }),
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        ...(index === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      },
    };
  });

  const peers: LabPeerPlan[] = [
    {
      name: 'peer',
      container: containerName(id, 'peer'),
      network: DEFAULT_NETWORK,
      asn: PEER_ASN,
      interfaceAddresses: pick(families, hostAddresses(subnets.default, PEER_HOST)),
      serviceAddresses: pick(families, { ipv4: '198.51.100.10', ipv6: '2001:db8:5100::10' }),
      probePort: PROBE_PORT,
      extraProbePorts: [...PEER_EXTRA_PROBE_PORTS],
    },
  ];
  for (const network of additional) {
    peers.push({
      name: network.peer.name,
      container: containerName(id, network.peer.name),
      network: network.name,
      asn: network.peer.asn,
      interfaceAddresses: pick(families, hostAddresses(network.subnets, PEER_HOST)),
      serviceAddresses: pick(families, SHARED_CLIENT_ADDRESSES),
      probePort: PROBE_PORT,
      extraProbePorts: [...PEER_EXTRA_PROBE_PORTS],
    });
  }

  return {
    id,
    runId,
    families: [...families],
    networks,
    nodes,
    peers,
    clusterPodCidrs: pick(families, CLUSTER_POD_CIDRS),
    loadBalancerRanges: pick(families, LOAD_BALANCER_RANGES),
    dataPlane,
    ...(dataPlane === 'ovn'
      ? {
          ovnCentral: {
            container: containerName(id, 'ovn-central'),
            address: ipv4Host(subnets.default.ipv4, OVN_CENTRAL_HOST),
          },
          gatewayMode: options.gatewayMode ?? 'local',
        }
      : {}),
  };
}

/** The node's or peer's address on a network, per family (a peer is only on its own network). */
export function addressOn(member: LabNodePlan | LabPeerPlan, network: string): FamilyAddresses | undefined {
  if ('interfaceAddresses' in member)
    return member.network === network ? member.interfaceAddresses : undefined;
  return network === DEFAULT_NETWORK ? member.addresses : member.networkAddresses[network];
}

export function findNode(plan: LabPlan, name: string): LabNodePlan {
  const node = plan.nodes.find((n) => n.name === name);
  if (!node)
    throw new Error(
      `lab ${plan.id} has no node "${name}" (nodes: ${plan.nodes.map((n) => n.name).join(', ')})`,
    );
  return node;
}

export function findPeer(plan: LabPlan, name: string): LabPeerPlan {
  const peer = plan.peers.find((p) => p.name === name);
  if (!peer)
    throw new Error(
      `lab ${plan.id} has no peer "${name}" (peers: ${plan.peers.map((p) => p.name).join(', ')})`,
    );
  return peer;
}

export function findNetwork(plan: LabPlan, name: string): LabNetworkPlan {
  const network = plan.networks.find((n) => n.name === name);
  if (!network) throw new Error(`lab ${plan.id} has no network "${name}"`);
  return network;
}
