import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name } from '../fields.js';

/** No node carries the egress-service label of the named Service. */
export const noEgressLabel = defineCondition({
  kind: 'noEgressLabel',
  schema: z.strictObject({ service: name }),
  doc: {
    syntax: '`noEgressLabel: {service}`',
    meaning: 'no node carries the egress-service label of the Service',
  },
});
