/**
 * What can be learnt about a cluster from its API objects, as pure functions over recorded
 * objects (tested with JSON fixtures): IP families (nodes' InternalIPs, else the `kubernetes`
 * Service's clusterIPs), node count, OVN-Kubernetes' gateway mode (the node annotation
 * `k8s.ovn.org/l3-gateway-config`, `{"default":{"mode":"shared"|"local",...}}`), whether the
 * EgressService, EgressIP and MetalLB CRDs exist, and MetalLB's mode from its workloads (an
 * frr-k8s daemonset: FRR-K8s mode; a speaker with an `frr` container: FRR mode; else native).
 */
import type { FeatureSupport, IpFamily, KubeObject } from '../environment.js';

export interface RecordedCluster {
  nodes: KubeObject[];
  /** CustomResourceDefinition names, e.g. egressservices.k8s.ovn.org. */
  crds: string[];
  /** Deployments and DaemonSets of MetalLB's namespace. */
  metallbWorkloads: KubeObject[];
  /** The `kubernetes` Service of `default`, when nodes do not tell the families. */
  kubernetesService?: KubeObject;
}

export interface Inferred {
  families: IpFamily[];
  nodeCount: number;
  gatewayMode?: 'shared' | 'local';
  egressServiceCrd: boolean;
  egressIpCrd: boolean;
  metallbCrds: boolean;
  metallbMode?: 'frr-k8s' | 'frr' | 'native';
}

const familyOf = (ip: string): IpFamily => (ip.includes(':') ? 'ipv6' : 'ipv4');

export function inferFamilies(cluster: RecordedCluster): IpFamily[] {
  const found = new Set<IpFamily>();
  for (const node of cluster.nodes) {
    const addresses = (
      (node.status as { addresses?: Array<{ type?: string; address?: string }> })?.addresses ?? []
    ).filter((a) => a.type === 'InternalIP' && a.address);
    for (const a of addresses) found.add(familyOf(a.address as string));
  }
  if (found.size === 0 && cluster.kubernetesService) {
    const spec = cluster.kubernetesService.spec as { clusterIPs?: string[]; clusterIP?: string };
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) found.add(familyOf(ip));
  }
  return (['ipv4', 'ipv6'] as IpFamily[]).filter((f) => found.has(f));
}

export function inferGatewayMode(nodes: KubeObject[]): 'shared' | 'local' | undefined {
  const modes = new Set<string>();
  for (const node of nodes) {
    const raw = node.metadata.annotations?.['k8s.ovn.org/l3-gateway-config'];
    if (!raw) continue;
    try {
      const mode = (JSON.parse(raw) as { default?: { mode?: string } }).default?.mode;
      if (mode) modes.add(mode);
    } catch {
      // an annotation we cannot read tells nothing
    }
  }
  if (modes.size !== 1) return undefined;
  const [mode] = [...modes];
  return mode === 'shared' || mode === 'local' ? mode : undefined;
}

function containerNames(workload: KubeObject): string[] {
  const spec = workload.spec as
    | { template?: { spec?: { containers?: Array<{ name?: string }> } } }
    | undefined;
  return (spec?.template?.spec?.containers ?? []).map((c) => c.name ?? '');
}

export function inferMetallbMode(workloads: KubeObject[]): 'frr-k8s' | 'frr' | 'native' | undefined {
  const daemonsets = workloads.filter((w) => w.kind === 'DaemonSet');
  const isFrrK8s = (w: KubeObject) =>
    w.metadata.name.includes('frr-k8s') ||
    w.metadata.labels?.['app.kubernetes.io/name'] === 'frr-k8s' ||
    w.metadata.labels?.app === 'frr-k8s';
  if (daemonsets.some(isFrrK8s)) return 'frr-k8s';
  const speaker = daemonsets.find(
    (w) =>
      w.metadata.name.includes('speaker') || w.metadata.labels?.['app.kubernetes.io/component'] === 'speaker',
  );
  if (!speaker) return undefined;
  return containerNames(speaker).includes('frr') ? 'frr' : 'native';
}

export function infer(cluster: RecordedCluster): Inferred {
  const crds = new Set(cluster.crds);
  const gatewayMode = inferGatewayMode(cluster.nodes);
  const metallbMode = inferMetallbMode(cluster.metallbWorkloads);
  return {
    families: inferFamilies(cluster),
    nodeCount: cluster.nodes.length,
    ...(gatewayMode ? { gatewayMode } : {}),
    egressServiceCrd: crds.has('egressservices.k8s.ovn.org'),
    egressIpCrd: crds.has('egressips.k8s.ovn.org'),
    metallbCrds: ['ipaddresspools.metallb.io', 'bgpadvertisements.metallb.io', 'bgppeers.metallb.io'].every(
      (c) => crds.has(c),
    ),
    ...(metallbMode ? { metallbMode } : {}),
  };
}

/**
 * Features from what was inferred, then the user's declarations on top (source `declared`).
 * `networks` is how many routed networks the user declared (NetworkRouting needs one);
 * `egressIPRanges` whether EgressIP addresses were given (EgressIPPriority needs them).
 */
export function existingFeatures(
  inferred: Inferred,
  declared: Partial<Record<string, boolean>>,
  networks: number,
  egressIPRanges = false,
): FeatureSupport[] {
  const base = inferred.egressServiceCrd && inferred.metallbCrds;
  const why = base
    ? 'EgressService and MetalLB CRDs present'
    : `missing ${[!inferred.egressServiceCrd && 'the EgressService CRD', !inferred.metallbCrds && 'the MetalLB CRDs'].filter(Boolean).join(' and ')}`;
  const inferredList: Array<[string, boolean, string]> = [
    ['SourceIPLoadBalancer', base, why],
    ['NodeLabel', base, why],
    ['Lifecycle', base, why],
    ['NodeSelector', base && inferred.nodeCount >= 2, `${inferred.nodeCount} nodes`],
    ['Failover', false, 'the existing provider does not fail nodes of your cluster'],
    [
      'NetworkRouting',
      base && networks > 0,
      networks > 0 ? 'a routed network is declared' : 'no routed network declared (existing.networks)',
    ],
    [
      'SourceIPNetwork',
      base && networks > 0 && inferred.gatewayMode === 'local',
      `gateway mode ${inferred.gatewayMode ?? 'unknown'} (k8s.ovn.org/l3-gateway-config); needs local and a declared network`,
    ],
    ['ExternalTrafficPolicyLocal', base, why],
    ['HostNetworkEndpoints', base, why],
    [
      'EgressIPPriority',
      base && inferred.egressIpCrd && egressIPRanges,
      !inferred.egressIpCrd
        ? 'no EgressIP CRD'
        : egressIPRanges
          ? 'EgressIP CRD present, addresses in existing.egressIPRanges'
          : 'EgressIP CRD present, but no free addresses declared (existing.egressIPRanges)',
    ],
    [
      'IPv6',
      inferred.families.includes('ipv6'),
      `node InternalIPs: ${inferred.families.join(', ') || 'none'}`,
    ],
    [
      'DualStack',
      inferred.families.length === 2,
      `node InternalIPs: ${inferred.families.join(', ') || 'none'}`,
    ],
    ['NoLeakOnPlacement', base, why],
  ];
  return inferredList.map(([name, supported, reason]) => {
    const decl = declared[name];
    if (decl !== undefined)
      return { name, supported: decl, source: 'declared', reason: 'declared in existing.features' };
    return { name, supported, source: 'inferred', reason };
  });
}
