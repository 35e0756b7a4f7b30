import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { nodeRefSchema } from '../fields.js';
import { CHANGES_NODE_HEALTH } from './shared-state.js';

export const failNode = defineStep({
  kind: 'failNode',
  schema: z.strictObject({ node: nodeRefSchema }),
  doc: [
    {
      syntax: '`failNode: {node}`',
      meaning: 'make a node fail: not ready, its egress cut (restored at the end)',
    },
  ],
  runsAlone: CHANGES_NODE_HEALTH,
});
