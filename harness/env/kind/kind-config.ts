/**
 * The kind cluster config for an IP family, as OVN-Kubernetes' own kind setup writes it
 * (contrib/kind.yaml.j2 and contrib/kind-helm.sh): no default CNI, no kube-proxy, the pod and
 * service subnets set, and the cloud-provider service LB controller off in the controller
 * manager (`--controllers=*,bootstrap-signer-controller,token-cleaner-controller,-service-lb-controller`,
 * kind.yaml.j2 citing kubernetes/kubernetes#128121), so that only MetalLB assigns LoadBalancer
 * IPs. One control-plane and two workers (upstream's egress-service e2e needs 3 ready nodes).
 */
import { stringify } from 'yaml';
import type { IpFamily } from '../environment.js';
import { type KindClusterConfig, kindClusterSchema } from './kind-config-schema.js';
import { POD_SUBNETS, SERVICE_SUBNETS } from './topology.js';

export const CONTROLLERS_WITHOUT_SERVICE_LB =
  '*,bootstrap-signer-controller,token-cleaner-controller,-service-lb-controller';

/**
 * Two merge patches, each limited by apiVersion (kind applies a patch only to a matching
 * apiVersion when the patch names one): kubeadm v1beta3 takes extraArgs as a map (what
 * kind.yaml.j2 writes), v1beta4 as a list of name/value pairs (newer kind/Kubernetes pairs
 * ignore the map form). Whichever API kind generates for the node image, one of them applies.
 */
export const SERVICE_LB_CONTROLLER_PATCHES = [
  stringify(
    {
      apiVersion: 'kubeadm.k8s.io/v1beta3',
      kind: 'ClusterConfiguration',
      controllerManager: { extraArgs: { controllers: CONTROLLERS_WITHOUT_SERVICE_LB } },
    },
    { lineWidth: 0 },
  ),
  stringify(
    {
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'ClusterConfiguration',
      controllerManager: { extraArgs: [{ name: 'controllers', value: CONTROLLERS_WITHOUT_SERVICE_LB }] },
    },
    { lineWidth: 0 },
  ),
];

export function kindIpFamily(families: IpFamily[]): 'ipv4' | 'ipv6' | 'dual' {
  if (families.length === 2) return 'dual';
  return families[0] === 'ipv6' ? 'ipv6' : 'ipv4';
}

export function kindConfig(families: IpFamily[], workers = 2): KindClusterConfig {
  const ipFamily = kindIpFamily(families);
  const ordered =
    ipFamily === 'ipv6'
      ? (['ipv6'] as const)
      : families.includes('ipv6')
        ? (['ipv4', 'ipv6'] as const)
        : (['ipv4'] as const);
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking: {
      ipFamily,
      disableDefaultCNI: true,
      kubeProxyMode: 'none',
      podSubnet: ordered.map((f) => POD_SUBNETS[f]).join(','),
      serviceSubnet: ordered.map((f) => SERVICE_SUBNETS[f]).join(','),
    },
    kubeadmConfigPatches: SERVICE_LB_CONTROLLER_PATCHES,
    nodes: [
      { role: 'control-plane' },
      ...Array.from({ length: workers }, () => ({ role: 'worker' as const })),
    ],
  };
}

/** The config as the YAML file kind reads; validated before it is written anywhere. */
export function kindConfigYaml(families: IpFamily[], workers = 2): string {
  const config = kindClusterSchema.parse(kindConfig(families, workers));
  return stringify(config, { lineWidth: 0 });
}
