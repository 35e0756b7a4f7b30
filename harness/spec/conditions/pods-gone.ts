import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { labels, namespaceRef } from '../fields.js';

/** No pod matches the labels any more, terminating ones included (a Deployment scaled down). */
export const podsGone = defineCondition({
  kind: 'podsGone',
  schema: z.strictObject({
    /** In this namespace from requires.namespaces (default: the test's). */
    namespace: namespaceRef.optional(),
    pods: labels,
  }),
  doc: {
    syntax: '`podsGone: {pods, namespace}`',
    meaning: 'no pod matches the labels any more (terminating pods count as still there)',
  },
});
