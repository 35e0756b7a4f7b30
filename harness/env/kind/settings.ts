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
import type { SettingsSchema } from '../provider.js';
import { PEER_IMAGES } from '../shared/frr-peer-container.js';
import { parseSettingsSection } from '../shared/settings-section.js';
import { DEFAULT_PIN_SET, PIN_SET_NAMES, type PinSetName, pinSet } from './pin-sets.js';

/**
 * Defaults that do not depend on the pin set. Everything upstream pins (the OVN-Kubernetes commit,
 * kind and its node image, MetalLB and its FRR image, the base image) comes from the pin set
 * `kind.pinSet` selects (pin-sets.ts, each value read from the pinned commit): see pinnedDefaults.
 * The peers' images: see PEER_IMAGES (env/shared/frr-peer-container.ts); their FRR is the pin
 * set's FRR image, as upstream runs one FRR build everywhere (kind-common.sh FRR_DEPLOYED_IMAGE).
 */
export const KIND_DEFAULTS = {
  /** Where the commit is read (ovn-org/ovn-kubernetes moved to the ovn-kubernetes organisation). */
  ovnKubernetesRepository: 'https://github.com/ovn-kubernetes/ovn-kubernetes.git',
  metallbChartRepository: 'https://metallb.github.io/metallb',
  /** Subnets of the two docker networks the provider creates (override if they collide). */
  networks: {
    cluster: { ipv4: '10.212.0.0/24', ipv6: 'fd65:6563:1::/64' },
    secondary: { ipv4: '10.212.1.0/24', ipv6: 'fd65:6563:2::/64' },
    tertiary: { ipv4: '10.212.2.0/24', ipv6: 'fd65:6563:3::/64' },
  },
} as const;

/** What a pin set fixes for a bring-up, as settings (every one overridable under `kind.versions`/`kind.images`). */
export function pinnedDefaults(name: PinSetName) {
  const p = pinSet(name);
  return {
    versions: {
      kind: p.kind.value,
      // The chart's version is the release without its `v` (charts/metallb/Chart.yaml).
      metallbChart: p.metallb.value.replace(/^v/, ''),
      ovnKubernetesCommit: p.ovnKubernetes.commit,
      ovnKubernetesBranch: p.ovnKubernetes.ref,
    },
    images: {
      // kind-common.sh runs kind with --image ${KIND_IMAGE}:${K8S_VERSION}, by tag.
      node: `kindest/node:${p.kubernetes.value}`,
      ...PEER_IMAGES,
      frr: p.frrImage.value,
    },
    baseImage: p.baseImage.value,
  };
}

const dualSubnets = z.strictObject({
  ipv4: z.string().regex(/^\d+\.\d+\.\d+\.0\/24$/, 'an IPv4 /24 such as 10.212.0.0/24'),
  ipv6: z.string().regex(/^[0-9a-f:]+::\/64$/, 'an IPv6 /64 such as fd65:6563:1::/64'),
});

export const kindSettingsSchema = z.strictObject({
  /**
   * Which upstream world to bring up: `v1.3` (release-1.3, the default) or `master` (a recorded
   * commit), each a pin set of pin-sets.ts followed the way that commit's own CI runs its
   * EgressService e2e lanes.
   */
  pinSet: z.enum(PIN_SET_NAMES).default(DEFAULT_PIN_SET),
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
  /**
   * MetalLB's BGP backend: FRR (default: every EgressService lane of upstream's CI installs
   * MetalLB in FRR mode, kind-common.sh `inv dev-env -b frr`) or FRR-K8s (beyond upstream).
   */
  metallbMode: z.enum(['frr-k8s', 'frr']).default('frr'),
  /** Worker nodes besides the control plane (upstream's egress-service tests need 3 nodes). */
  workers: z.number().int().min(2).max(4).default(2),
  /** Second docker network + peer2, routed by a table on every node, for `network` scenarios. */
  secondaryNetwork: z.boolean().default(true),
  /**
   * Third docker network + peer3, which owns peer2's address, routed by table 101: two networks'
   * clients sharing one address (ES-NET-4, upstream's multiple-networks case). Needs the second.
   */
  tertiaryNetwork: z.boolean().default(true),
  /**
   * How the nodes reach the second network: `vrf` (its interface in a VRF whose table is the
   * network's, as the OpenShift documentation sets it up) or `table` (routes in a plain table,
   * as upstream's own multiple-networks e2e does).
   */
  networkRouting: z.enum(['vrf', 'table']).default('vrf'),
  versions: z
    .strictObject({
      kind: z.string(),
      metallbChart: z.string(),
      ovnKubernetesCommit: z
        .string()
        .regex(/^[0-9a-f]{40}$/, 'a full 40-character commit hash (a branch or tag is not a pin)'),
      ovnKubernetesBranch: z.string(),
    })
    .partial()
    .default({}),
  images: z
    .strictObject({
      node: z
        .string()
        .regex(
          /^[^@\s]+:[^/:@\s]+(@sha256:[0-9a-f]{64})?$/,
          'a kind node image with a tag, optionally by digest (contrib/kind.sh runs kind with --image ${KIND_IMAGE}:${K8S_VERSION})',
        ),
      /** A prebuilt OVN-Kubernetes image (a vendor's build) instead of building the pinned commit. */
      ovnKubernetes: z.string().min(1),
      frr: z.string(),
      agnhost: z.string(),
      tools: z.string(),
      metallbController: z.string(),
      metallbSpeaker: z.string(),
    })
    .partial()
    .default({}),
  /** Where OVN-Kubernetes comes from: a git repository (fetched at the commit), or a local checkout. */
  ovnKubernetes: z.strictObject({ repository: z.string(), sourcePath: z.string() }).partial().default({}),
  metallb: z.strictObject({ chartRepository: z.string() }).partial().default({}),
  /** Images to copy from the host's docker into the nodes (`kind load docker-image`). */
  loadImages: z.array(z.string()).default([]),
  networks: z
    .strictObject({ cluster: dualSubnets, secondary: dualSubnets, tertiary: dualSubnets })
    .partial()
    .default({}),
  /** TCP MD5 password for the BGP sessions with the peers; never printed or reported. */
  bgpPassword: z.string().min(1).max(80).optional(),
  /** Where configs, the source, the kubeconfig and captures live; default ~/.cache/egress-conformance/kind/<id>. */
  workDir: z.string().optional(),
});

export type KindSettingsInput = z.input<typeof kindSettingsSchema>;
export type KindSettings = z.output<typeof kindSettingsSchema>;

/** Parses the `kind:` section; a UsageError names every bad field (`kind.gatewayMode: expected ...`). */
export function parseKindSettings(raw: Record<string, unknown> | undefined): KindSettings {
  return parseSettingsSection(kindSettingsSchema, 'kind', raw);
}

/** kind's entry in the provider table (env/providers.ts): `kind:`, parsed once per command. */
export const kindSettings: SettingsSchema<KindSettings> = {
  schema: kindSettingsSchema,
  parse: parseKindSettings,
};

/** Fully resolved settings: defaults filled in, families decided, id derived. */
export interface ResolvedKindSettings {
  id: string;
  pinSet: PinSetName;
  /** dist/images/Dockerfile.fedora's base at the pinned commit (for the end-of-life warning). */
  baseImage: string;
  families: IpFamily[];
  gatewayMode: 'shared' | 'local';
  metallbMode: 'frr-k8s' | 'frr';
  workers: number;
  secondaryNetwork: boolean;
  /** Only with the second network. */
  tertiaryNetwork: boolean;
  networkRouting: 'vrf' | 'table';
  versions: { kind: string; metallbChart: string; ovnKubernetesCommit: string; ovnKubernetesBranch: string };
  images: {
    node: string;
    /** A prebuilt image; without it the plan builds the pinned commit. */
    ovnKubernetes?: string;
    frr: string;
    agnhost: string;
    tools: string;
    metallbController?: string;
    metallbSpeaker?: string;
  };
  ovnKubernetesRepository: string;
  /** A local OVN-Kubernetes checkout used instead of fetching the pinned commit. */
  ovnKubernetesSourcePath?: string;
  metallbChartRepository: string;
  loadImages: string[];
  networks: {
    cluster: { ipv4: string; ipv6: string };
    secondary: { ipv4: string; ipv6: string };
    tertiary: { ipv4: string; ipv6: string };
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
  const pinned = pinnedDefaults(settings.pinSet);
  const base = {
    pinSet: settings.pinSet,
    baseImage: pinned.baseImage,
    families: chosen,
    gatewayMode: settings.gatewayMode,
    metallbMode: settings.metallbMode,
    workers: settings.workers,
    secondaryNetwork: settings.secondaryNetwork,
    tertiaryNetwork: settings.secondaryNetwork && settings.tertiaryNetwork,
    networkRouting: settings.networkRouting,
    versions: { ...pinned.versions, ...settings.versions },
    images: { ...pinned.images, ...settings.images },
    ovnKubernetesRepository: settings.ovnKubernetes.repository ?? KIND_DEFAULTS.ovnKubernetesRepository,
    ...(settings.ovnKubernetes.sourcePath
      ? { ovnKubernetesSourcePath: settings.ovnKubernetes.sourcePath }
      : {}),
    metallbChartRepository: settings.metallb.chartRepository ?? KIND_DEFAULTS.metallbChartRepository,
    loadImages: settings.loadImages,
    networks: {
      cluster: settings.networks.cluster ?? { ...KIND_DEFAULTS.networks.cluster },
      secondary: settings.networks.secondary ?? { ...KIND_DEFAULTS.networks.secondary },
      tertiary: settings.networks.tertiary ?? { ...KIND_DEFAULTS.networks.tertiary },
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
