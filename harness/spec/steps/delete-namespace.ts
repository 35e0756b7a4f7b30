import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { namespaceRef } from '../fields.js';

/**
 * Deletes a further test namespace (one of requires.namespaces) with everything in it, and waits
 * until it is gone (ES-LIFE-5: nothing of a deleted namespace's EgressServices stays).
 */
export const deleteNamespace = defineStep({
  kind: 'deleteNamespace',
  schema: z.strictObject({ namespace: namespaceRef }),
  doc: [
    {
      syntax: '`deleteNamespace: {namespace}`',
      meaning:
        'delete a namespace of `requires.namespaces` with everything in it, and wait (`deletion`) until it is gone',
    },
  ],
});
