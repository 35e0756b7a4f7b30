import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { nodeRefSchema } from '../fields.js';
import { CHANGES_NODE_HEALTH } from './shared-state.js';

export const restoreNode = defineStep({
  kind: 'restoreNode',
  schema: z.strictObject({ node: nodeRefSchema }),
  doc: [
    {
      syntax: '`restoreNode: {node}`',
      meaning: 'bring back the node an earlier `failNode` with the same reference failed',
    },
  ],
  runsAlone: CHANGES_NODE_HEALTH,
});
