/**
 * Strict schemas of the custom resources the harness generates or the scenarios apply, written
 * from the CRDs' OpenAPI schemas:
 * - metallb/metallb config/crd/bases/metallb.io_ipaddresspools.yaml (v1beta1),
 *   metallb.io_bgpadvertisements.yaml (v1beta1), metallb.io_bgppeers.yaml (v1beta2);
 * - ovn-kubernetes/ovn-kubernetes helm/ovn-kubernetes/crds/k8s.ovn.org_egressservices.yaml (k8s.ovn.org/v1), at the kind pin sets' commits (harness/env/kind/pin-sets.ts).
 * Unknown fields are rejected (the API server prunes them silently, which would hide a typo in
 * a scenario), enums and bounds are the CRDs' own.
 */
import { z } from 'zod';
import type { KubeObject } from '../env/environment.js';

const int32 = z.number().int().min(-2147483648).max(2147483647);

const metadata = z.looseObject({
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** metav1.LabelSelector as the CRDs spell it. */
const labelSelectorRequirement = z.strictObject({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).optional(),
});
const labelSelector = z.strictObject({
  matchExpressions: z.array(labelSelectorRequirement).optional(),
  matchLabels: z.record(z.string(), z.string()).optional(),
});

const typeMeta = <V extends string, K extends string>(apiVersion: V, kind: K) => ({
  apiVersion: z.literal(apiVersion),
  kind: z.literal(kind),
  metadata,
});

export const ipAddressPoolSchema = z.strictObject({
  ...typeMeta('metallb.io/v1beta1', 'IPAddressPool'),
  spec: z.strictObject({
    addresses: z.array(z.string()),
    autoAssign: z.boolean().optional(),
    avoidBuggyIPs: z.boolean().optional(),
    serviceAllocation: z
      .strictObject({
        namespaceSelectors: z.array(labelSelector).optional(),
        namespaces: z.array(z.string()).optional(),
        priority: z.number().int().optional(),
        serviceSelectors: z.array(labelSelector).optional(),
      })
      .optional(),
  }),
  status: z.object({}).optional(),
});

export const bgpAdvertisementSchema = z.strictObject({
  ...typeMeta('metallb.io/v1beta1', 'BGPAdvertisement'),
  spec: z
    .strictObject({
      aggregationLength: int32.min(1).optional(),
      aggregationLengthV6: int32.optional(),
      communities: z.array(z.string()).optional(),
      ipAddressPoolSelectors: z.array(labelSelector).optional(),
      ipAddressPools: z.array(z.string()).optional(),
      localPref: int32.optional(),
      nodeSelectors: z.array(labelSelector).optional(),
      peers: z.array(z.string()).optional(),
    })
    .optional(),
  status: z.object({}).optional(),
});

const asn = z.number().int().min(0).max(4294967295);

export const bgpPeerSchema = z.strictObject({
  ...typeMeta('metallb.io/v1beta2', 'BGPPeer'),
  spec: z.strictObject({
    bfdProfile: z.string().optional(),
    connectTime: z.string().optional(),
    disableMP: z.boolean().optional(),
    dualStackAddressFamily: z.boolean().optional(),
    dynamicASN: z.enum(['internal', 'external']).optional(),
    ebgpMultiHop: z.boolean().optional(),
    enableGracefulRestart: z.boolean().optional(),
    holdTime: z.string().optional(),
    interface: z.string().optional(),
    keepaliveTime: z.string().optional(),
    myASN: asn,
    nodeSelectors: z.array(labelSelector).optional(),
    password: z.string().optional(),
    passwordSecret: z
      .strictObject({ name: z.string().optional(), namespace: z.string().optional() })
      .optional(),
    peerASN: asn.optional(),
    peerAddress: z.string().optional(),
    peerPort: z.number().int().min(1).max(16384).optional(),
    routerID: z.string().optional(),
    sourceAddress: z.string().optional(),
    vrf: z.string().optional(),
  }),
  status: z.object({}).optional(),
});

export const egressServiceSchema = z.strictObject({
  ...typeMeta('k8s.ovn.org/v1', 'EgressService'),
  spec: z
    .strictObject({
      network: z.string().optional(),
      nodeSelector: labelSelector.optional(),
      sourceIPBy: z.enum(['LoadBalancerIP', 'Network']).optional(),
    })
    .optional(),
  status: z.strictObject({ host: z.string() }).optional(),
});

const SCHEMAS: Record<string, z.ZodType> = {
  'metallb.io/v1beta1/IPAddressPool': ipAddressPoolSchema,
  'metallb.io/v1beta1/BGPAdvertisement': bgpAdvertisementSchema,
  'metallb.io/v1beta2/BGPPeer': bgpPeerSchema,
  'k8s.ovn.org/v1/EgressService': egressServiceSchema,
};

/** The schema for an object's apiVersion and kind, if the harness has one. */
export function crdSchemaFor(object: Pick<KubeObject, 'apiVersion' | 'kind'>): z.ZodType | undefined {
  return SCHEMAS[`${object.apiVersion}/${object.kind}`];
}

/** Problems of an object against its CRD schema; [] when valid or when no schema applies. */
export function validateCustomResource(object: KubeObject): string[] {
  const schema = crdSchemaFor(object);
  if (!schema) return [];
  const result = schema.safeParse(object);
  if (result.success) return [];
  return result.error.issues.map(
    (i) => `${object.kind} ${object.metadata.name}: ${i.path.join('.') || '(root)'}: ${i.message}`,
  );
}
