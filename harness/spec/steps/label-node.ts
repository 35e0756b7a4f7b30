import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { nodeRefSchema } from '../fields.js';
import { CHANGES_NODE_LABELS } from './shared-state.js';

export const labelNode = defineStep({
  kind: 'labelNode',
  schema: z.strictObject({ node: nodeRefSchema, key: z.string().min(1), value: z.string().default('') }),
  doc: [{ syntax: '`labelNode: {node, key, value}`', meaning: 'set a node label (restored at the end)' }],
  runsAlone: CHANGES_NODE_LABELS,
});
