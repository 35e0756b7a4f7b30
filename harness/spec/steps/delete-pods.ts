import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { name, nodeRefSchema, podGroupSchema } from '../fields.js';

/**
 * Deletes the ready pods of a group (only those on `node`, when given), remembering them as a
 * named set first, so that their Deployment replaces them and a later probe can send from the
 * replacements alone (`from: {..., except: SET}`), whose addresses must be new.
 */
export const deletePods = defineStep({
  kind: 'deletePods',
  schema: z.strictObject({ name, pods: podGroupSchema, node: nodeRefSchema.optional() }),
  doc: [
    {
      syntax: '`deletePods: {name, pods, node}`',
      meaning:
        'delete the ready pods of `pods` (on `node` only, when given), remembered as the set `name` like `recordPods`; their Deployment replaces them',
    },
  ],
});
