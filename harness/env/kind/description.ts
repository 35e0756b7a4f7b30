/** What a kind environment offers, as the runner sees it (computed from the topology alone). */
import { CORE_FEATURES } from '../../spec/statements.js';
import type { EnvironmentDescription, FeatureSupport, NetworkInfo, NodeInfo } from '../environment.js';
import { METALLB_NAMESPACE } from '../shared/metallb-peers.js';
import { type KindTopology, type OtherNetworkName, PROBE_PORT } from './topology.js';

export function kindFeatures(t: KindTopology): FeatureSupport[] {
  const provider = (name: string, supported: boolean, reason?: string): FeatureSupport => ({
    name,
    supported,
    source: 'provider',
    ...(reason ? { reason } : {}),
  });
  const secondary = t.otherNetworks.some((n) => n.network === 'secondary');
  const local = t.settings.gatewayMode === 'local';
  // Upstream runs its tests of another network (sourceIPBy: Network, ingress from a client on it)
  // only in local gateway mode: they are tagged [LGW], which test/scripts/e2e-cp.sh skips in
  // shared mode. The suite declares these features where upstream shows them working.
  const networkReason = !secondary
    ? 'kind.secondaryNetwork is off'
    : local
      ? undefined
      : "upstream's e2e runs its other-network tests ([LGW]) only in local gateway mode (kind.gatewayMode: local)";
  const ipv4Only = t.families.length === 1 && t.families[0] === 'ipv4';
  return [
    ...CORE_FEATURES.map((f) => provider(f, true)),
    provider('NodeSelector', true),
    provider('Failover', true, 'a failed node is a stopped node container'),
    provider('NetworkRouting', secondary && local, networkReason),
    provider('SourceIPNetwork', secondary && local, networkReason),
    provider('ExternalTrafficPolicyLocal', true),
    provider('HostNetworkEndpoints', true),
    provider(
      'EgressIPPriority',
      ipv4Only,
      ipv4Only
        ? 'EgressIP is on in contrib/kind.sh (--egress-ip-enable=true)'
        : 'OVN-Kubernetes release-1.0 skips its EgressIP e2e on IPv6 kind clusters (test/scripts/e2e-cp.sh, ovn-org/ovn-kubernetes#4130)',
    ),
    provider(
      'IPv6',
      t.families.includes('ipv6'),
      t.families.includes('ipv6') ? undefined : 'an IPv4-only cluster',
    ),
    provider(
      'DualStack',
      t.families.length === 2,
      t.families.length === 2 ? undefined : 'a single-stack cluster',
    ),
    provider('NoLeakOnPlacement', true),
  ];
}

export function kindNetworks(t: KindTopology): NetworkInfo[] {
  const pick = (subnets: { ipv4: string; ipv6: string }) =>
    Object.fromEntries(t.families.map((f) => [f, subnets[f]]));
  return [
    { name: 'default', subnets: pick(t.clusterNetwork.subnets) },
    ...t.otherNetworks.map(
      (n): NetworkInfo => ({ name: n.network, routingTable: String(n.table), subnets: pick(n.subnets) }),
    ),
  ];
}

function routingOf(t: KindTopology, network: OtherNetworkName): string {
  const net = t.otherNetworks.find((n) => n.network === network);
  return net ? `${net.routing} (table ${net.table})` : 'none';
}

export function describeTopology(t: KindTopology): EnvironmentDescription {
  const s = t.settings;
  return {
    provider: 'kind',
    id: t.id,
    implementation: {
      name: 'OVN-Kubernetes',
      version:
        s.images.ovnKubernetes ??
        `${s.versions.ovnKubernetesBranch}@${s.versions.ovnKubernetesCommit.slice(0, 12)}`,
      reference: false,
      url: 'https://github.com/ovn-org/ovn-kubernetes',
    },
    families: [...t.families],
    nodes: t.nodes.map(
      (n): NodeInfo => ({
        name: n.name,
        // Node addresses on the kind network come from docker when kind creates the nodes.
        addresses: {},
        networkAddresses: structuredClone(n.networkAddresses) as NodeInfo['networkAddresses'],
        labels: Object.fromEntries([
          ['kubernetes.io/hostname', n.name],
          ...(n.role === 'control-plane' ? [['node-role.kubernetes.io/control-plane', '']] : []),
        ]),
        ready: true,
      }),
    ),
    networks: kindNetworks(t),
    peers: t.peers.map((p) => ({
      name: p.name,
      network: p.network,
      addresses: { ...p.probeAddresses },
      asn: p.asn,
      probePort: PROBE_PORT,
    })),
    features: kindFeatures(t),
    loadBalancerRanges: { ...t.loadBalancerRanges },
    egressIPRanges: { ...t.egressIPRanges },
    metallbNamespace: METALLB_NAMESPACE,
    images: { agnhost: s.images.agnhost },
    fingerprint: {
      'kind.version': s.versions.kind,
      'kind.nodeImage': s.images.node,
      'ovnKubernetes.source': s.ovnKubernetesSourcePath
        ? `local checkout ${s.ovnKubernetesSourcePath}`
        : `${s.ovnKubernetesRepository}@${s.versions.ovnKubernetesCommit}`,
      'ovnKubernetes.image': t.ovnImage.build
        ? `${t.ovnImage.reference} (built from the source)`
        : t.ovnImage.reference,
      'ovnKubernetes.bringUp': 'contrib/kind.sh (no HA, interconnect, one node per zone)',
      'ovnKubernetes.gatewayMode': s.gatewayMode,
      'metallb.chart': s.versions.metallbChart,
      'metallb.mode': s.metallbMode,
      'peer.frrImage': s.images.frr,
      'secondaryNetwork.routing': routingOf(t, 'secondary'),
      'tertiaryNetwork.routing': routingOf(t, 'tertiary'),
      'bgp.authentication': s.bgpAuth ? 'md5' : 'none',
      ipFamily: t.ipFamily,
    },
  };
}
