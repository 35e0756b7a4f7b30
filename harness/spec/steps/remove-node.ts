import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { nodeRefSchema } from '../fields.js';
import { CHANGES_NODE_HEALTH } from './shared-state.js';

/**
 * Deletes the Node object of a node an earlier `failNode` failed (same reference), as an
 * operator removes a dead machine; `restoreNode` brings the machine back and it registers again.
 */
export const removeNode = defineStep({
  kind: 'removeNode',
  schema: z.strictObject({ node: nodeRefSchema }),
  doc: [
    {
      syntax: '`removeNode: {node}`',
      meaning:
        'delete the Node object of a node an earlier `failNode` failed (same reference); `restoreNode` brings the machine back and it registers again',
    },
  ],
  runsAlone: CHANGES_NODE_HEALTH,
});
