import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name, namespaceRef, nodeRefSchema } from '../fields.js';

/**
 * Where the EgressService sits: `placed` = exactly one node carries the label and status.host
 * names it; `unplaced` = no node carries it and status.host is empty; `all` = no label,
 * status.host is ALL (sourceIPBy Network).
 */
export const egressPlacement = defineCondition({
  kind: 'egressPlacement',
  schema: z.strictObject({
    /** In this namespace from requires.namespaces (default: the test's). */
    namespace: namespaceRef.optional(),
    egressService: name,
    state: z.enum(['placed', 'unplaced', 'all']),
    /** With `placed`: the node must also be this one. */
    node: nodeRefSchema.optional(),
    /** With `placed`: the node must be ready (after a failover, not the failed one). */
    nodeReady: z.boolean().optional(),
  }),
  doc: {
    syntax: '`egressPlacement: {egressService, namespace, state, node, nodeReady}`',
    meaning:
      '`placed`: exactly one node carries the egress-service label and `status.host` names it (with `node`: that node; with `nodeReady`: a ready one); `unplaced`: no label, `status.host` empty; `all`: no label, `status.host` ALL',
  },
});
