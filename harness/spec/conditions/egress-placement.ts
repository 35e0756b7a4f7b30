import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name, nodeRefSchema } from '../fields.js';

/**
 * Where the EgressService sits: `placed` = exactly one node carries the label and status.host
 * names it; `unplaced` = no node carries it and status.host is empty; `all` = no label,
 * status.host is ALL (sourceIPBy Network).
 */
export const egressPlacement = defineCondition({
  kind: 'egressPlacement',
  schema: z.strictObject({
    egressService: name,
    state: z.enum(['placed', 'unplaced', 'all']),
    /** With `placed`: the node must also be this one. */
    node: nodeRefSchema.optional(),
    /** With `placed`: the node must be ready (after a failover, not the failed one). */
    nodeReady: z.boolean().optional(),
  }),
  doc: {
    syntax: '`egressPlacement: {egressService, state, node, nodeReady}`',
    meaning:
      '`placed`: exactly one node carries the egress-service label and `status.host` names it (with `node`: that node; with `nodeReady`: a ready one); `unplaced`: no label, `status.host` empty; `all`: no label, `status.host` ALL',
  },
});
