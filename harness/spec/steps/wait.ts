import { z } from 'zod';
import { conditionAsWritten, conditionSchema } from '../conditions/index.js';
import { defineStep } from '../definitions.js';
import { timeoutName } from '../fields.js';

export const wait = defineStep({
  kind: 'wait',
  checks: true,
  schema: z.strictObject({
    condition: conditionSchema,
    timeout: timeoutName,
    /** Consecutive successful polls needed (guards against flapping). */
    consecutive: z.number().int().min(1).max(20).default(2),
  }),
  doc: [
    {
      syntax: '`wait: {condition, timeout, consecutive}`',
      meaning: 'poll until the condition holds `consecutive` times in a row within the named timeout',
    },
  ],
  asWritten: (body) => ({ ...body, condition: conditionAsWritten(body.condition) }),
});
