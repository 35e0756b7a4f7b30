/** What a kind environment offers, as the runner sees it (computed from the topology alone). */
import { CORE_FEATURES, type Feature } from '../../spec/statements.js';
import type { EnvironmentDescription, FeatureSupport, NetworkInfo, NodeInfo } from '../environment.js';
import { METALLB_NAMESPACE } from '../shared/metallb-peers.js';
import { kindFamily } from './combinations.js';
import { pinSet } from './pin-sets.js';
import { type KindTopology, type OtherNetworkName, PROBE_PORT } from './topology.js';
import { BEYOND_UPSTREAM, lanesExercising, upstreamCoverage } from './upstream-support.js';

/**
 * The features the environment offers, each with where upstream's CI shows it: the lane of the
 * pin set that runs an EgressService e2e case exercising it in this combination, or "beyond
 * upstream" (upstream-support.ts). Unsupported only where the environment cannot offer it.
 */
export function kindFeatures(t: KindTopology): FeatureSupport[] {
  const pins = pinSet(t.settings.pinSet);
  const combination = {
    family: kindFamily(t.families),
    gatewayMode: t.settings.gatewayMode,
    metallbMode: t.settings.metallbMode,
  };
  const feature = (name: Feature, supported: boolean, unsupportedReason?: string): FeatureSupport => {
    const lanes = lanesExercising(pins, combination, name);
    const reason = !supported
      ? unsupportedReason
      : lanes.length > 0
        ? `upstream lane ${lanes[0]?.job} runs it (${pins.name})`
        : BEYOND_UPSTREAM;
    return { name, supported, source: 'provider', ...(reason ? { reason } : {}) };
  };
  const secondary = t.otherNetworks.some((n) => n.network === 'secondary');
  const local = t.settings.gatewayMode === 'local';
  return [
    ...CORE_FEATURES.map((f) => feature(f, true)),
    feature('NodeSelector', true),
    feature('Failover', true),
    // Upstream's "without selectors" case sets `network: "100"` in every lane, shared gateway
    // mode included (upstream-cases.ts); its [LGW] cases run in local gateway mode only.
    feature('NetworkRouting', secondary, 'kind.secondaryNetwork is off'),
    feature(
      'SourceIPNetwork',
      secondary && local,
      !secondary
        ? 'kind.secondaryNetwork is off'
        : 'OVN-Kubernetes supports "Network without LoadBalancer SNAT" in local gateway mode only ' +
            '(docs/features/cluster-egress-controls/egress-service.md); kind.gatewayMode: local',
    ),
    feature('ExternalTrafficPolicyLocal', true),
    feature('HostNetworkEndpoints', true),
    feature('EgressIPPriority', true),
    feature('IPv6', t.families.includes('ipv6'), 'an IPv4-only cluster'),
    feature('DualStack', t.families.length === 2, 'a single-stack cluster'),
    feature('NoLeakOnPlacement', true),
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
      url: 'https://github.com/ovn-kubernetes/ovn-kubernetes',
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
      'kind.pinSet': s.pinSet,
      'kind.upstreamCoverage': upstreamCoverage(pinSet(s.pinSet), {
        family: kindFamily(t.families),
        gatewayMode: s.gatewayMode,
        metallbMode: s.metallbMode,
      }),
      'kind.version': s.versions.kind,
      'kind.nodeImage': s.images.node,
      'ovnKubernetes.source': s.ovnKubernetesSourcePath
        ? `local checkout ${s.ovnKubernetesSourcePath}`
        : `${s.ovnKubernetesRepository}@${s.versions.ovnKubernetesCommit}`,
      'ovnKubernetes.image': t.ovnImage.build
        ? `${t.ovnImage.reference} (built from the source)`
        : t.ovnImage.reference,
      'ovnKubernetes.bringUp':
        'contrib/kind-helm.sh with kind-configs/ovn-kubernetes.yaml (no HA, interconnect, one node per zone)',
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
