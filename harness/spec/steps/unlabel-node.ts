import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { nodeRefSchema } from '../fields.js';
import { CHANGES_NODE_LABELS } from './shared-state.js';

export const unlabelNode = defineStep({
  kind: 'unlabelNode',
  schema: z.strictObject({ node: nodeRefSchema, key: z.string().min(1) }),
  doc: [{ syntax: '`unlabelNode: {node, key}`', meaning: 'remove a node label (restored at the end)' }],
  runsAlone: CHANGES_NODE_LABELS,
});
