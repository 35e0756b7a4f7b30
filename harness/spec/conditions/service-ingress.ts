import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name } from '../fields.js';

/** The Service has (or has not) an ingress IP of the family under test. */
export const serviceIngress = defineCondition({
  kind: 'serviceIngress',
  schema: z.strictObject({ service: name, assigned: z.boolean().default(true) }),
  doc: {
    syntax: '`serviceIngress: {service, assigned}`',
    meaning: 'the Service has a LoadBalancer ingress IP of each family under test (`assigned: false`: none)',
  },
});
