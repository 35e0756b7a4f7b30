import { z } from 'zod';
import { defineCondition } from '../definitions.js';

/**
 * The EgressIP (cluster-scoped, so its name is usually templated with `${uid}`) has this
 * test's EgressIP address assigned to a node in its status.
 */
export const egressIPAssigned = defineCondition({
  kind: 'egressIPAssigned',
  schema: z.strictObject({ egressIP: z.string().min(1) }),
  doc: {
    syntax: '`egressIPAssigned: {egressIP}`',
    meaning: "the EgressIP's status puts this test's address (`${egressIP.address}`) on a node",
  },
});
