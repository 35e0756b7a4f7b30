import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name } from '../fields.js';

/** The named EgressService does not exist any more (deletion has completed). */
export const egressServiceGone = defineCondition({
  kind: 'egressServiceGone',
  schema: z.strictObject({ egressService: name }),
  doc: {
    syntax: '`egressServiceGone: {egressService}`',
    meaning: 'the EgressService does not exist any more',
  },
});
