/**
 * kind's cluster config (kind.x-k8s.io/v1alpha4) as a strict schema, written from
 * kubernetes-sigs/kind pkg/apis/config/v1alpha4/types.go (every field, by its yaml name) and the
 * checks of pkg/internal/apis/config/validate.go (ipFamily, kubeProxyMode, subnets per family,
 * node roles, ports, at least one control-plane). Unknown fields are rejected, as kind's own
 * strict YAML decoding rejects them ("invalid-bogus-field" in its encoding tests).
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

const int32 = z.number().int().min(-2147483648).max(2147483647);
const port = int32.refine((p) => p >= -1 && p <= 65535, { message: 'invalid port number' });

const patchJson6902 = z.strictObject({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  patch: z.string(),
});

const mount = z.strictObject({
  containerPath: z.string().optional(),
  hostPath: z.string().optional(),
  readOnly: z.boolean().optional(),
  selinuxRelabel: z.boolean().optional(),
  propagation: z.enum(['None', 'HostToContainer', 'Bidirectional']).optional(),
});

const portMapping = z.strictObject({
  containerPort: port.optional(),
  hostPort: port.optional(),
  listenAddress: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
});

/**
 * A kubeadm config patch: YAML, one document or several separated by `---` (kind splits them,
 * pkg/internal/patch), each a mapping whose `kind` names the object it patches.
 */
const kubeadmPatch = z.string().superRefine((text, ctx) => {
  const docs = parseAllDocuments(text);
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      ctx.addIssue({ code: 'custom', message: `kubeadm patch is not YAML: ${doc.errors[0]?.message}` });
      return;
    }
    const kind = (doc.toJS() as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || kind.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'kubeadm patch has no `kind` (kind matches patches by kind)' });
    }
  }
});

const node = z.strictObject({
  role: z.enum(['control-plane', 'worker']).optional(),
  image: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  extraMounts: z.array(mount).optional(),
  extraPortMappings: z.array(portMapping).optional(),
  gpus: z.string().optional(),
  kubeadmConfigPatches: z.array(kubeadmPatch).optional(),
  kubeadmConfigPatchesJSON6902: z.array(patchJson6902).optional(),
});

const networking = z.strictObject({
  ipFamily: z.enum(['ipv4', 'ipv6', 'dual']).optional(),
  apiServerPort: port.optional(),
  apiServerAddress: z.string().optional(),
  podSubnet: z.string().optional(),
  serviceSubnet: z.string().optional(),
  disableDefaultCNI: z.boolean().optional(),
  kubeProxyMode: z.enum(['iptables', 'ipvs', 'none', 'nftables']).optional(),
  dnsSearch: z.array(z.string()).optional(),
});

const CIDR_V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const CIDR_V6 = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

function cidrFamily(cidr: string): 'ipv4' | 'ipv6' | undefined {
  const v4 = CIDR_V4.exec(cidr);
  if (v4) {
    const octets = v4.slice(1, 5).map(Number);
    return octets.every((o) => o <= 255) && Number(v4[5]) <= 32 ? 'ipv4' : undefined;
  }
  const v6 = CIDR_V6.exec(cidr);
  if (v6 && cidr.includes(':') && Number(v6[1]) <= 128 && (cidr.match(/::/g)?.length ?? 0) <= 1)
    return 'ipv6';
  return undefined;
}

/** validate.go's validateSubnets: one CIDR of the family, or one of each for dual-stack. */
export function subnetProblem(value: string, ipFamily: 'ipv4' | 'ipv6' | 'dual'): string | undefined {
  const cidrs = value.split(',');
  const families = cidrs.map(cidrFamily);
  if (families.some((f) => f === undefined)) return `failed to parse cidr value "${value}"`;
  if (ipFamily === 'dual') {
    if (cidrs.length > 2 || (cidrs.length === 2 && families[0] === families[1])) {
      return 'expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking';
    }
    return undefined;
  }
  if (cidrs.length > 1) return 'only one CIDR allowed for single-stack networking';
  if (families[0] !== ipFamily)
    return `expected ${ipFamily === 'ipv4' ? 'IPv4' : 'IPv6'} CIDR for ${ipFamily} family`;
  return undefined;
}

export const kindClusterSchema = z
  .strictObject({
    kind: z.literal('Cluster'),
    apiVersion: z.literal('kind.x-k8s.io/v1alpha4'),
    name: z
      .string()
      .regex(/^[a-z0-9.-]+$/)
      .optional(),
    nodes: z.array(node).optional(),
    networking: networking.optional(),
    featureGates: z.record(z.string(), z.boolean()).optional(),
    runtimeConfig: z.record(z.string(), z.string()).optional(),
    kubeadmConfigPatches: z.array(kubeadmPatch).optional(),
    kubeadmConfigPatchesJSON6902: z.array(patchJson6902).optional(),
    containerdConfigPatches: z.array(z.string()).optional(),
    containerdConfigPatchesJSON6902: z.array(z.string()).optional(),
  })
  .superRefine((cluster, ctx) => {
    const ipFamily = cluster.networking?.ipFamily ?? 'ipv4';
    for (const field of ['podSubnet', 'serviceSubnet'] as const) {
      const value = cluster.networking?.[field];
      if (value === undefined) continue;
      const problem = subnetProblem(value, ipFamily);
      if (problem) ctx.addIssue({ code: 'custom', path: ['networking', field], message: problem });
    }
    // Nodes default to one control-plane; with nodes listed, one must be a control plane.
    const roles = (cluster.nodes ?? [{ role: 'control-plane' }]).map((n) => n.role ?? 'control-plane');
    if (!roles.includes('control-plane')) {
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'must have at least one control-plane node' });
    }
  });

export type KindClusterConfig = z.infer<typeof kindClusterSchema>;
