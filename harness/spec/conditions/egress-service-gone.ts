import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name, namespaceRef } from '../fields.js';

/** The named EgressService does not exist any more (deletion has completed). */
export const egressServiceGone = defineCondition({
  kind: 'egressServiceGone',
  schema: z.strictObject({
    /** In this namespace from requires.namespaces (default: the test's). */
    namespace: namespaceRef.optional(),
    egressService: name,
  }),
  doc: {
    syntax: '`egressServiceGone: {egressService, namespace}`',
    meaning: 'the EgressService does not exist any more',
  },
});
