import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { labels, namespaceRef } from '../fields.js';

/** The pods matching the labels are all ready: at least `count` of them (default 1). */
export const podsReady = defineCondition({
  kind: 'podsReady',
  schema: z.strictObject({
    /** In this namespace from requires.namespaces (default: the test's). */
    namespace: namespaceRef.optional(),
    pods: labels,
    count: z.number().int().min(1).default(1),
  }),
  doc: {
    syntax: '`podsReady: {pods, namespace, count}`',
    meaning: 'every pod matching the labels is ready, and there are at least `count` (default 1)',
  },
});
