import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name, namespaceRef } from '../fields.js';

/** No node carries the egress-service label of the named Service. */
export const noEgressLabel = defineCondition({
  kind: 'noEgressLabel',
  schema: z.strictObject({
    /** In this namespace from requires.namespaces (default: the test's). */
    namespace: namespaceRef.optional(),
    service: name,
  }),
  doc: {
    syntax: '`noEgressLabel: {service, namespace}`',
    meaning: 'no node carries the egress-service label of the Service',
  },
});
