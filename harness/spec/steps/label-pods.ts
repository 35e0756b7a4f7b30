import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { podGroupSchema } from '../fields.js';

/**
 * Sets (a string) or removes (null) labels on the ready pods of a group, in place: a pod
 * relabelled into a Service's selector becomes its endpoint, relabelled out stops being one
 * (ES-SNAT-5). Pods made by a Deployment keep its selector's labels, or it would replace them.
 */
export const labelPods = defineStep({
  kind: 'labelPods',
  schema: z.strictObject({
    pods: podGroupSchema,
    labels: z
      .record(z.string().min(1), z.string().nullable())
      .refine((l) => Object.keys(l).length > 0, { message: 'expected at least one label' }),
  }),
  doc: [
    {
      syntax: '`labelPods: {pods, labels}`',
      meaning:
        "set (`key: value`) or remove (`key: null`) labels on the ready pods of `pods`, e.g. to move them into or out of a Service's selector",
    },
  ],
});
