import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name, namespaceRef } from '../fields.js';

/** The Service has (or has not) an ingress IP of the family under test; never two of one family. */
export const serviceIngress = defineCondition({
  kind: 'serviceIngress',
  schema: z.strictObject({
    /** In this namespace from requires.namespaces (default: the test's). */
    namespace: namespaceRef.optional(),
    service: name,
    assigned: z.boolean().default(true),
    /**
     * The ingress IP of each family must be the test's reserved address N (`${pool.address.N}`,
     * `${pool.ipv4.N}`, `${pool.ipv6.N}`), e.g. the address a Service requested: N must be one the
     * spec's manifests reserve.
     */
    reserved: z.number().int().min(0).max(7).optional(),
  }),
  doc: {
    syntax: '`serviceIngress: {service, namespace, assigned, reserved}`',
    meaning:
      "the Service has one LoadBalancer ingress IP of each family under test, and only one, as MetalLB gives (`assigned: false`: none); with `reserved: N`, it is the test's N-th reserved address (`${pool.address.N}`)",
  },
});
