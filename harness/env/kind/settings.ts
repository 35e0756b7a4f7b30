/**
 * The kind provider's settings (`kind:` in the options file): every version and image pinned
 * here and overridable, so that air-gapped mirrors and a vendor's own OVN-Kubernetes build can
 * be named without editing code.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { IpFamily } from '../environment.js';
import { parseSettingsSection } from '../shared/settings-section.js';

/**
 * Pinned defaults, and where each one comes from:
 * - kind v0.27.0 with its node image kindest/node:v1.32.2 by digest (the pair kind v0.27.0
 *   released; kubernetes-sigs/security-profiles-operator pins the same digest in its e2e).
 * - OVN-Kubernetes: the helm chart lives in the repository (helm/ovn-kubernetes), which is how
 *   contrib/kind-helm.sh installs it (`helm install ovn-kubernetes . -f values-no-ic.yaml`), so
 *   the chart is taken from a git ref; the image is the published ovn-kube-ubuntu image of the
 *   same release branch (docs/developer-guide/image-build.md lists `:release-1.0` and `:master`).
 * - MetalLB: the chart from its helm repository at a released version (v0.14.9).
 * - FRR peer: the stock FRR image from FRR's own quay.io namespace (what MetalLB's dev-env and
 *   its chart use for FRR), never a modified one: tcpdump and the probe server are sidecars.
 * - agnhost: the Kubernetes e2e image; `netexec` is the probe server upstream's
 *   test/e2e/egress_services.go runs on its external container.
 */
export const KIND_DEFAULTS = {
  versions: {
    kind: 'v0.27.0',
    metallbChart: '0.14.9',
    ovnKubernetesRef: 'release-1.0',
  },
  images: {
    node: 'kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f',
    ovnKubernetes: 'ghcr.io/ovn-org/ovn-kubernetes/ovn-kube-ubuntu:release-1.0',
    frr: 'quay.io/frrouting/frr:9.1.0',
    agnhost: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
    tools: 'docker.io/nicolaka/netshoot:v0.13',
  },
  ovnKubernetesRepository: 'https://github.com/ovn-org/ovn-kubernetes.git',
  metallbChartRepository: 'https://metallb.github.io/metallb',
  /** Subnets of the two docker networks the provider creates (override if they collide). */
  networks: {
    cluster: { ipv4: '10.212.0.0/24', ipv6: 'fd65:6563:1::/64' },
    secondary: { ipv4: '10.212.1.0/24', ipv6: 'fd65:6563:2::/64' },
  },
} as const;

const dualSubnets = z.strictObject({
  ipv4: z.string().regex(/^\d+\.\d+\.\d+\.0\/24$/, 'an IPv4 /24 such as 10.212.0.0/24'),
  ipv6: z.string().regex(/^[0-9a-f:]+::\/64$/, 'an IPv6 /64 such as fd65:6563:1::/64'),
});

export const kindSettingsSchema = z.strictObject({
  /** Environment id (names the cluster, containers and networks); default: derived from the settings. */
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,18}[a-z0-9]$/, 'lowercase letters, digits and dashes, 3 to 20 characters')
    .optional(),
  /** IP families of the cluster; `--family` wins over this. Default: ipv4. */
  families: z
    .array(z.enum(['ipv4', 'ipv6']))
    .min(1)
    .max(2)
    .optional(),
  /** OVN-Kubernetes gateway mode; `sourceIPBy: Network` needs `local` upstream. */
  gatewayMode: z.enum(['shared', 'local']).default('shared'),
  /** MetalLB's BGP backend: FRR-K8s (default) or the FRR sidecar mode. */
  metallbMode: z.enum(['frr-k8s', 'frr']).default('frr-k8s'),
  /** Worker nodes besides the control plane (upstream's egress-service tests need 3 nodes). */
  workers: z.number().int().min(2).max(4).default(2),
  /** Second docker network + peer2 + a VRF on every node, for `network` scenarios. */
  secondaryNetwork: z.boolean().default(true),
  versions: z
    .strictObject({
      kind: z.string(),
      metallbChart: z.string(),
      ovnKubernetesRef: z.string(),
    })
    .partial()
    .default({}),
  images: z
    .strictObject({
      node: z.string(),
      ovnKubernetes: z
        .string()
        .regex(/:[^/:@]+$/, 'an image reference with a tag (the helm chart takes repository and tag)'),
      frr: z.string(),
      agnhost: z.string(),
      tools: z.string(),
      metallbController: z.string(),
      metallbSpeaker: z.string(),
    })
    .partial()
    .default({}),
  /** Where the OVN-Kubernetes chart comes from: a git repository and ref, or a local chart dir. */
  ovnKubernetes: z.strictObject({ repository: z.string(), chartPath: z.string() }).partial().default({}),
  metallb: z.strictObject({ chartRepository: z.string() }).partial().default({}),
  /** Images to copy from the host's docker into the nodes (`kind load docker-image`), e.g. a vendor build. */
  loadImages: z.array(z.string()).default([]),
  networks: z.strictObject({ cluster: dualSubnets, secondary: dualSubnets }).partial().default({}),
  /** TCP MD5 password for the BGP sessions with the peers; never printed or reported. */
  bgpPassword: z.string().min(1).max(80).optional(),
  /** Where configs, clones, the kubeconfig and captures live; default ~/.cache/egress-conformance/kind/<id>. */
  workDir: z.string().optional(),
});

export type KindSettingsInput = z.input<typeof kindSettingsSchema>;
export type KindSettings = z.output<typeof kindSettingsSchema>;

/** Parses the `kind:` section; a UsageError names every bad field (`kind.gatewayMode: expected ...`). */
export function parseKindSettings(raw: Record<string, unknown> | undefined): KindSettings {
  return parseSettingsSection(kindSettingsSchema, 'kind', raw);
}

/** Fully resolved settings: defaults filled in, families decided, id derived. */
export interface ResolvedKindSettings {
  id: string;
  families: IpFamily[];
  gatewayMode: 'shared' | 'local';
  metallbMode: 'frr-k8s' | 'frr';
  workers: number;
  secondaryNetwork: boolean;
  versions: { kind: string; metallbChart: string; ovnKubernetesRef: string };
  images: {
    node: string;
    ovnKubernetes: string;
    frr: string;
    agnhost: string;
    tools: string;
    metallbController?: string;
    metallbSpeaker?: string;
  };
  ovnKubernetesRepository: string;
  ovnKubernetesChartPath?: string;
  metallbChartRepository: string;
  loadImages: string[];
  networks: {
    cluster: { ipv4: string; ipv6: string };
    secondary: { ipv4: string; ipv6: string };
  };
  /** Whether a BGP password is set (the value itself stays in `secrets`). */
  bgpAuth: boolean;
  workDir: string;
}

export function resolveKindSettings(
  settings: KindSettings,
  families: IpFamily[] | undefined,
  home = homedir(),
): { resolved: ResolvedKindSettings; secrets: Record<string, string> } {
  const chosen: IpFamily[] = [...(families ?? settings.families ?? ['ipv4'])].sort() as IpFamily[];
  const base = {
    families: chosen,
    gatewayMode: settings.gatewayMode,
    metallbMode: settings.metallbMode,
    workers: settings.workers,
    secondaryNetwork: settings.secondaryNetwork,
    versions: { ...KIND_DEFAULTS.versions, ...settings.versions },
    images: { ...KIND_DEFAULTS.images, ...settings.images },
    ovnKubernetesRepository: settings.ovnKubernetes.repository ?? KIND_DEFAULTS.ovnKubernetesRepository,
    ...(settings.ovnKubernetes.chartPath ? { ovnKubernetesChartPath: settings.ovnKubernetes.chartPath } : {}),
    metallbChartRepository: settings.metallb.chartRepository ?? KIND_DEFAULTS.metallbChartRepository,
    loadImages: settings.loadImages,
    networks: {
      cluster: settings.networks.cluster ?? { ...KIND_DEFAULTS.networks.cluster },
      secondary: settings.networks.secondary ?? { ...KIND_DEFAULTS.networks.secondary },
    },
    bgpAuth: settings.bgpPassword !== undefined,
  };
  // The same settings give the same id, so a later run finds (and reuses) the environment.
  const id =
    settings.id ?? `eck-${createHash('sha256').update(JSON.stringify(base)).digest('hex').slice(0, 6)}`;
  const workDir = settings.workDir ?? join(home, '.cache', 'egress-conformance', 'kind', id);
  const secrets: Record<string, string> = {};
  if (settings.bgpPassword !== undefined) secrets.bgpPassword = settings.bgpPassword;
  return { resolved: { id, ...base, workDir }, secrets };
}
