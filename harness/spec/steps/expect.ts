import { z } from 'zod';
import { conditionAsWritten, conditionSchema } from '../conditions/index.js';
import { defineStep } from '../definitions.js';
import { timeoutName } from '../fields.js';

export const expectStep = defineStep({
  kind: 'expect',
  checks: true,
  schema: z.strictObject({
    condition: conditionSchema,
    /** Hold throughout this window (a negative check), instead of once. */
    throughout: timeoutName.optional(),
  }),
  doc: [
    {
      syntax: '`expect: {condition, throughout}`',
      meaning: 'the condition holds now, or throughout the named window (negative checks)',
    },
  ],
  asWritten: (body) => ({ ...body, condition: conditionAsWritten(body.condition) }),
});
