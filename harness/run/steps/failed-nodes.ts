/**
 * Nodes failed by `failNode`, by the step's node reference: `removeNode` and `restoreNode` act on
 * the node that reference named when it failed (after failover, "the egress node" is another).
 */
import type { NodeRef } from '../../spec/fields.js';

export function failedNodeKey(ref: NodeRef): string {
  return JSON.stringify(ref);
}

export function restoreAction(node: string): string {
  return `restore node ${node}`;
}
