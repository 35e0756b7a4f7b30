/**
 * The existing provider's settings (`existing:` in the options file). Option names keep to the
 * run command's redaction rule (/password|secret|token|kubeconfig|key$/): the kubeconfig path
 * and the BGP password are never printed or reported.
 */
import { z } from 'zod';
import { CORE_FEATURES, EXTENDED_FEATURES } from '../../spec/statements.js';
import type { SettingsSchema } from '../provider.js';
import { parseSettingsSection } from '../shared/settings-section.js';

const families = z.strictObject({ ipv4: z.string().optional(), ipv6: z.string().optional() });

const peer = z.strictObject({
  /** `container`: the harness starts a stock FRR peer on a docker network the nodes reach.
   *  `host`: a machine the user names, reached by ssh or a command template. */
  mode: z.enum(['container', 'host']),
  name: z.string().default('peer'),
  /** The peer's address per family: BGP session and probe target. */
  addresses: families,
  asn: z.number().int().min(1).max(4294967295),
  bgpPassword: z.string().min(1).max(80).optional(),
  probePort: z.number().int().min(1).max(65535).default(8080),
  // container mode
  dockerNetwork: z.string().optional(),
  /** The nodes' subnets the peer accepts BGP sessions from (FRR `bgp listen range`). */
  nodeSubnets: families.optional(),
  // host mode
  /** ssh destination (user@host) for the default command template. */
  ssh: z.string().optional(),
  /** How to run a command on the peer host; `{command}` is the shell-quoted command. */
  commandTemplate: z.string().default('ssh {ssh} {command}'),
});

const featureName = z.enum([...CORE_FEATURES, ...EXTENDED_FEATURES] as [string, ...string[]]);

export const existingSettingsSchema = z
  .strictObject({
    kubeconfig: z.string().optional(),
    context: z.string().optional(),
    /** Declared families, when the user wants fewer than the cluster has. */
    families: z
      .array(z.enum(['ipv4', 'ipv6']))
      .min(1)
      .max(2)
      .optional(),
    metallbNamespace: z.string().default('metallb-system'),
    ovnNamespace: z.string().default('ovn-kubernetes'),
    /**
     * Let the scenarios with `stopController` restart OVN-Kubernetes' pods (`app=ovnkube-node` in
     * `ovnNamespace`); off, they are skipped: a restart briefly disrupts the cluster's networking.
     */
    restartControllers: z.boolean().default(false),
    /** Create (and remove after) the BGPPeers for the peer; otherwise the user configured MetalLB. */
    manageMetalLB: z.boolean().default(false),
    nodeAsn: z.number().int().min(1).max(4294967295).default(64512),
    loadBalancerRanges: families.default({ ipv4: '203.0.113.0/24', ipv6: '2001:db8:113::/64' }),
    /**
     * Free addresses on the nodes' network for EgressIP objects (ES-EIP-1), one per test from
     * the start of the range. Only you know which are free, so there is no default: without it
     * the EgressIP scenario is skipped.
     */
    egressIPRanges: families.optional(),
    images: z.strictObject({ agnhost: z.string(), tools: z.string(), frr: z.string() }).partial().default({}),
    /** Features declared supported or not, overriding what is inferred. */
    features: z.partialRecord(featureName, z.boolean()).default({}),
    /** A network the nodes route by table (`spec.network`), declared: name, table, peer. */
    networks: z
      .array(z.strictObject({ name: z.string(), routingTable: z.string(), subnets: families.default({}) }))
      .default([]),
    /** Node names for `run --dry-run` without a cluster. */
    nodeNames: z.array(z.string()).optional(),
    peer,
    workDir: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.peer.mode === 'container' && !s.peer.dockerNetwork) {
      ctx.addIssue({
        code: 'custom',
        path: ['peer', 'dockerNetwork'],
        message: 'required in container mode: the docker network the nodes reach',
      });
    }
    if (s.peer.mode === 'host' && s.peer.commandTemplate.includes('{ssh}') && !s.peer.ssh) {
      ctx.addIssue({
        code: 'custom',
        path: ['peer', 'ssh'],
        message: 'required in host mode: an ssh destination, or a peer.commandTemplate without {ssh}',
      });
    }
    if (!s.peer.addresses.ipv4 && !s.peer.addresses.ipv6) {
      ctx.addIssue({
        code: 'custom',
        path: ['peer', 'addresses'],
        message: 'expected an ipv4 or ipv6 address for the peer',
      });
    }
  });

export type ExistingSettings = z.output<typeof existingSettingsSchema>;

/** Parses the `existing:` section; a UsageError names every bad field (`existing.peer.asn: expected ...`). */
export function parseExistingSettings(raw: Record<string, unknown> | undefined): ExistingSettings {
  return parseSettingsSection(existingSettingsSchema, 'existing', raw);
}

/** The existing provider's entry in the provider table (env/providers.ts): `existing:`, parsed once per command. */
export const existingSettings: SettingsSchema<ExistingSettings> = {
  schema: existingSettingsSchema,
  parse: parseExistingSettings,
};
