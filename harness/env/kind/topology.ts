/**
 * Every name and address of a kind environment, computed from the resolved settings alone (no
 * Docker, no cluster), so that the plan printed by a dry run is the plan that runs.
 *
 *   docker network <id>          the nodes' network (KIND_EXPERIMENTAL_DOCKER_NETWORK), dual-stack
 *     <id>-control-plane, <id>-worker, <id>-worker2 (addresses from docker)   peer .100 / ::100
 *   docker network <id>-net2     the second network (`spec.network` scenarios)
 *     the same nodes on a second interface, routed by table 100: the interface enslaved to
 *     VRF `ec-net2` (networkRouting: vrf), or a route in a plain table (networkRouting: table)
 *                                                                                  peer2 .100
 *   docker network <id>-net3     the third network, routed by table 101 the same way (VRF
 *     `ec-net3`, or a plain table); its peer3 owns the same loopback address as peer2, as the
 *     two external containers of upstream's multiple-networks e2e share one IP (ES-NET-4)
 *                                                                                  peer3 .100
 *
 * The default peer's probe address is its own address on the nodes' network, as upstream's
 * test/e2e/egress_services.go targets its external container's kind-network address: the peer
 * is on-link for every node, so pod egress reaches it in both gateway modes (in shared gateway
 * mode, non-EgressService egress leaves through OVN's gateway router, which routes by the node's
 * default route, not by host routes). peer2's probe addresses are "outside" addresses on its
 * loopback, reachable from the nodes only through table 100: that is what makes
 * `spec.network` observable (ES-NET-1), as upstream's custom routing table test does.
 */

import { nthAddressOf } from '../../common/address-block.js';
import type { FamilyAddresses, IpFamily } from '../environment.js';
import type { EnvironmentLabel } from '../shared/docker-labels.js';
import type { FrrPeer } from '../shared/frr-peer-config.js';
import type { ResolvedKindSettings } from './settings.js';

export const PEER_ASN = 64500;
export const SECONDARY_PEER_ASN = 64501;
export const TERTIARY_PEER_ASN = 64502;
export const PROBE_PORT = 8080;
/** Routing table of the second network on the nodes (upstream's egress-service e2e uses 100). */
export const SECONDARY_TABLE = 100;
export const SECONDARY_VRF = 'ec-net2';
/** The third network's (upstream's multiple-networks e2e gives each network a table: 101, 102). */
export const TERTIARY_TABLE = 101;
export const TERTIARY_VRF = 'ec-net3';
export const PEER_HOST = 100;
export const NODE_HOST_BASE = 10;
export const LOAD_BALANCER_RANGES = { ipv4: '203.0.113.0/24', ipv6: '2001:db8:113::/64' } as const;
/**
 * The loopback address of peer2 and peer3 alike: the other networks' clients share one address,
 * as upstream's multiple-networks e2e gives both external containers one IP (a documentation
 * address here, where upstream uses 1.2.3.4).
 */
export const SHARED_CLIENT_ADDRESSES = { ipv4: '198.51.100.20', ipv6: '2001:db8:5100::20' } as const;
/**
 * Pod and service subnets: contrib/kind.sh's defaults (NET_CIDR_IPV4/6, SVC_CIDR_IPV4/6), which
 * the plan leaves as they are: kind's defaults for IPv4, and for IPv6 a /48 pod subnet because
 * OVN-Kubernetes gives every node a /64.
 */
export const POD_SUBNETS = { ipv4: '10.244.0.0/16', ipv6: 'fd00:10:244::/48' } as const;
export const SERVICE_SUBNETS = { ipv4: '10.96.0.0/16', ipv6: 'fd00:10:96::/112' } as const;
export const OVN_NAMESPACE = 'ovn-kubernetes';
/** Docker and Kubernetes label marking everything this provider created, with the env id. */
export const ENV_LABEL = 'egress-conformance.io/kind-env';
/** kind's own label on its node containers. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

/**
 * The node network's split: docker hands out node addresses from the lower half (`--ip-range`),
 * and EgressIP scenarios take addresses from the top of the upper half, which nothing else uses:
 * an EgressIP must be an address on the nodes' own network, and a free one.
 */
export function dockerIpRange(subnet: string): string {
  const [base = '', length = ''] = subnet.split('/');
  return `${base}/${Number(length) + 1}`;
}

/** The EgressIP addresses: the last 64 (IPv4) or 65536 (IPv6) addresses of the node network. */
export function egressIPRange(subnet: string, family: IpFamily): string {
  const length = Number(subnet.split('/')[1]);
  const total = family === 'ipv4' ? 32 : 128;
  const rangeBits = family === 'ipv4' ? 6 : 16;
  if (total - length < rangeBits + 1)
    throw new RangeError(
      `node network ${subnet} is too small: it needs room for ${2 ** rangeBits} EgressIPs`,
    );
  return `${nthAddressOf(subnet, 2 ** (total - length) - 2 ** rangeBits)}/${total - rangeBits}`;
}

export function hostAddress(subnet: string, family: IpFamily, host: number): string {
  const base = subnet.split('/')[0] as string;
  if (family === 'ipv4') return base.replace(/\.0$/, `.${host}`);
  return `${base.replace(/::$/, '')}::${host}`;
}

function pick(families: IpFamily[], values: Record<IpFamily, string>): FamilyAddresses {
  return Object.fromEntries(families.map((f) => [f, values[f]]));
}

export type OtherNetworkName = 'secondary' | 'tertiary';

/** A network besides the nodes' own, routed by a table on every node (`spec.network`). */
export interface KindOtherNetwork {
  /** The network's name in the EnvironmentDescription (`${networks.NAME.table}`). */
  network: OtherNetworkName;
  /** The docker network. */
  name: string;
  subnets: { ipv4: string; ipv6: string };
  routing: 'vrf' | 'table';
  /** The VRF device (routing: vrf). */
  vrf: string;
  table: number;
  /** The peer on it. */
  peer: 'peer2' | 'peer3';
}

export interface KindNode {
  name: string;
  role: 'control-plane' | 'worker';
  index: number;
  /** Address on each other network (fixed with `docker network connect --ip`), by network. */
  networkAddresses: Partial<Record<OtherNetworkName, FamilyAddresses>>;
}

export interface KindPeer extends FrrPeer {
  name: 'peer' | 'peer2' | 'peer3';
  network: 'default' | OtherNetworkName;
}

export interface KindTopology {
  settings: ResolvedKindSettings;
  id: string;
  /** The label on every docker object of this environment. */
  label: EnvironmentLabel;
  clusterName: string;
  /** The kubeconfig context (kind.sh renames kind's own, see planTopology). */
  context: string;
  kubeconfigPath: string;
  ipFamily: 'ipv4' | 'ipv6' | 'dual';
  families: IpFamily[];
  clusterNetwork: { name: string; subnets: { ipv4: string; ipv6: string } };
  /** The second and third networks, in that order (none with `secondaryNetwork: false`). */
  otherNetworks: KindOtherNetwork[];
  /** The OVN-Kubernetes checkout contrib/kind.sh runs from (fetched at the pinned commit, or the user's). */
  ovnSource: string;
  /** The OVN-Kubernetes image: built from the checkout, or the user's prebuilt one. */
  ovnImage: { reference: string; build: boolean };
  nodes: KindNode[];
  peers: KindPeer[];
  podSubnets: FamilyAddresses;
  serviceSubnets: FamilyAddresses;
  loadBalancerRanges: FamilyAddresses;
  /** Free addresses on the node network for EgressIP objects (see egressIPRange). */
  egressIPRanges: FamilyAddresses;
}

export function nodeName(clusterName: string, index: number): string {
  if (index === 0) return `${clusterName}-control-plane`;
  return index === 1 ? `${clusterName}-worker` : `${clusterName}-worker${index}`;
}

export function planTopology(settings: ResolvedKindSettings): KindTopology {
  const { id, families } = settings;
  const clusterName = id;
  const ipFamily = families.length === 2 ? 'dual' : (families[0] as IpFamily);
  const clusterNetwork = { name: id, subnets: settings.networks.cluster };
  const otherNetworks: KindOtherNetwork[] = [];
  if (settings.secondaryNetwork) {
    otherNetworks.push({
      network: 'secondary',
      name: `${id}-net2`,
      subnets: settings.networks.secondary,
      routing: settings.networkRouting,
      vrf: SECONDARY_VRF,
      table: SECONDARY_TABLE,
      peer: 'peer2',
    });
    if (settings.tertiaryNetwork) {
      otherNetworks.push({
        network: 'tertiary',
        name: `${id}-net3`,
        subnets: settings.networks.tertiary,
        routing: settings.networkRouting,
        vrf: TERTIARY_VRF,
        table: TERTIARY_TABLE,
        peer: 'peer3',
      });
    }
  }
  const nodes: KindNode[] = Array.from({ length: settings.workers + 1 }, (_, index) => ({
    name: nodeName(clusterName, index),
    role: index === 0 ? 'control-plane' : 'worker',
    index,
    networkAddresses: Object.fromEntries(
      otherNetworks.map((n) => [
        n.network,
        pick(families, {
          ipv4: hostAddress(n.subnets.ipv4, 'ipv4', NODE_HOST_BASE + index),
          ipv6: hostAddress(n.subnets.ipv6, 'ipv6', NODE_HOST_BASE + index),
        }),
      ]),
    ),
  }));
  const peerAddresses = (subnets: { ipv4: string; ipv6: string }) =>
    pick(families, {
      ipv4: hostAddress(subnets.ipv4, 'ipv4', PEER_HOST),
      ipv6: hostAddress(subnets.ipv6, 'ipv6', PEER_HOST),
    });
  const peers: KindPeer[] = [
    {
      name: 'peer',
      container: `${id}-peer`,
      probeContainer: `${id}-peer-probe`,
      network: 'default',
      dockerNetwork: clusterNetwork.name,
      asn: PEER_ASN,
      interfaceAddresses: peerAddresses(clusterNetwork.subnets),
      probeAddresses: peerAddresses(clusterNetwork.subnets),
      loopbackAddresses: {},
      listenRanges: pick(families, clusterNetwork.subnets),
      configDir: `${settings.workDir}/peer`,
    },
  ];
  for (const network of otherNetworks) {
    peers.push({
      name: network.peer,
      container: `${id}-${network.peer}`,
      probeContainer: `${id}-${network.peer}-probe`,
      network: network.network,
      dockerNetwork: network.name,
      asn: network.peer === 'peer2' ? SECONDARY_PEER_ASN : TERTIARY_PEER_ASN,
      interfaceAddresses: peerAddresses(network.subnets),
      probeAddresses: pick(families, SHARED_CLIENT_ADDRESSES),
      loopbackAddresses: pick(families, SHARED_CLIENT_ADDRESSES),
      listenRanges: pick(families, network.subnets),
      configDir: `${settings.workDir}/${network.peer}`,
    });
  }
  return {
    settings,
    id,
    label: { key: ENV_LABEL, id },
    clusterName,
    // contrib/kind.sh renames kind's `kind-<cluster>` context to the cluster's own name
    // (fixup_kubeconfig_names), except for its default cluster `ovn`.
    context: clusterName === 'ovn' ? 'kind-ovn' : clusterName,
    kubeconfigPath: `${settings.workDir}/kubeconfig`,
    ipFamily,
    families,
    clusterNetwork,
    otherNetworks,
    nodes,
    peers,
    podSubnets: pick(families, POD_SUBNETS),
    serviceSubnets: pick(families, SERVICE_SUBNETS),
    loadBalancerRanges: pick(families, LOAD_BALANCER_RANGES),
    egressIPRanges: pick(families, {
      ipv4: egressIPRange(clusterNetwork.subnets.ipv4, 'ipv4'),
      ipv6: egressIPRange(clusterNetwork.subnets.ipv6, 'ipv6'),
    }),
    ovnSource: settings.ovnKubernetesSourcePath ?? `${settings.workDir}/ovn-kubernetes`,
    ovnImage: settings.images.ovnKubernetes
      ? { reference: settings.images.ovnKubernetes, build: false }
      : {
          // Tagged by what it is built from: the pinned commit, or this environment's checkout.
          reference: `ovn-daemonset-fedora:${
            settings.ovnKubernetesSourcePath
              ? `local-${id}`
              : settings.versions.ovnKubernetesCommit.slice(0, 12)
          }`,
          build: true,
        },
  };
}
