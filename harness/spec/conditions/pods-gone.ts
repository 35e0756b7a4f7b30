import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { labels } from '../fields.js';

/** No pod matches the labels any more, terminating ones included (a Deployment scaled down). */
export const podsGone = defineCondition({
  kind: 'podsGone',
  schema: z.strictObject({ pods: labels }),
  doc: {
    syntax: '`podsGone: {pods}`',
    meaning: 'no pod matches the labels any more (terminating pods count as still there)',
  },
});
