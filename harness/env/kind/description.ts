/** What a kind environment offers, as the runner sees it (computed from the topology alone). */
import { CORE_FEATURES } from '../../spec/statements.js';
import type { EnvironmentDescription, FeatureSupport, NetworkInfo, NodeInfo } from '../environment.js';
import { METALLB_NAMESPACE } from '../shared/metallb-peers.js';
import { splitImage } from './bring-up.js';
import { type KindTopology, PROBE_PORT } from './topology.js';

export function kindFeatures(t: KindTopology): FeatureSupport[] {
  const provider = (name: string, supported: boolean, reason?: string): FeatureSupport => ({
    name,
    supported,
    source: 'provider',
    ...(reason ? { reason } : {}),
  });
  const secondary = t.secondaryNetwork !== undefined;
  return [
    ...CORE_FEATURES.map((f) => provider(f, true)),
    provider('NodeSelector', true),
    provider('Failover', true, 'a failed node is a stopped node container'),
    provider('NetworkRouting', secondary, secondary ? undefined : 'kind.secondaryNetwork is off'),
    provider(
      'SourceIPNetwork',
      secondary && t.settings.gatewayMode === 'local',
      t.settings.gatewayMode !== 'local'
        ? 'sourceIPBy: Network needs OVN-Kubernetes local gateway mode (kind.gatewayMode: local)'
        : secondary
          ? undefined
          : 'kind.secondaryNetwork is off',
    ),
    provider('ExternalTrafficPolicyLocal', true),
    provider('HostNetworkEndpoints', true),
    provider('EgressIPPriority', true, 'EgressIP is enabled in the OVN-Kubernetes chart (enableEgressIp)'),
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
  const networks: NetworkInfo[] = [{ name: 'default', subnets: pick(t.clusterNetwork.subnets) }];
  if (t.secondaryNetwork) {
    networks.push({
      name: 'secondary',
      routingTable: String(t.secondaryNetwork.table),
      subnets: pick(t.secondaryNetwork.subnets),
    });
  }
  return networks;
}

export function describeTopology(t: KindTopology): EnvironmentDescription {
  const s = t.settings;
  return {
    provider: 'kind',
    id: t.id,
    implementation: {
      name: 'OVN-Kubernetes',
      version: splitImage(s.images.ovnKubernetes).tag,
      reference: false,
      url: 'https://github.com/ovn-org/ovn-kubernetes',
    },
    families: [...t.families],
    nodes: t.nodes.map(
      (n): NodeInfo => ({
        name: n.name,
        // Node addresses on the kind network come from docker when kind creates the nodes.
        addresses: {},
        networkAddresses: t.secondaryNetwork
          ? { secondary: { ...n.secondaryAddresses } }
          : ({} as NodeInfo['networkAddresses']),
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
      'ovnKubernetes.image': s.images.ovnKubernetes,
      'ovnKubernetes.chart':
        s.ovnKubernetesChartPath ?? `${s.ovnKubernetesRepository}@${s.versions.ovnKubernetesRef}`,
      'ovnKubernetes.gatewayMode': s.gatewayMode,
      'metallb.chart': s.versions.metallbChart,
      'metallb.mode': s.metallbMode,
      'peer.frrImage': s.images.frr,
      'bgp.authentication': s.bgpAuth ? 'md5' : 'none',
      ipFamily: t.ipFamily,
    },
  };
}
