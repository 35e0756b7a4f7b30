import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { name, podGroupSchema } from '../fields.js';

/**
 * Remembers the ready pods of a group, with their nodes and addresses, as a named set: a later
 * probe's `from: {..., except: SET}` sends only from the pods that arrived since (ES-SNAT-5).
 */
export const recordPods = defineStep({
  kind: 'recordPods',
  schema: z.strictObject({ name, pods: podGroupSchema }),
  doc: [
    {
      syntax: '`recordPods: {name, pods}`',
      meaning:
        'remember the ready pods of `pods` (`{endpointsOf: svc}` or `{pods: labels}`) with their nodes and addresses, as the set `name`',
    },
  ],
});
