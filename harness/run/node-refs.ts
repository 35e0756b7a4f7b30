/** Turns a spec's role-based node reference into a node of the environment. */
import type { ClusterApi, NodeInfo } from '../env/environment.js';
import type { NodeRef } from '../spec/fields.js';
import { placementOf } from './objects.js';

export async function resolveNode(cluster: ClusterApi, namespace: string, ref: NodeRef): Promise<NodeInfo> {
  const nodes = await cluster.nodes();
  if ('index' in ref) {
    const node = nodes[ref.index];
    if (!node) throw new Error(`there is no node number ${ref.index} (the environment has ${nodes.length})`);
    return node;
  }
  const service = 'egressNodeOf' in ref ? ref.egressNodeOf : ref.notEgressNodeOf;
  const placement = await placementOf(cluster, namespace, service);
  const chosen = placement.labelledNodes.length === 1 ? placement.labelledNodes[0] : placement.host;
  if ('egressNodeOf' in ref) {
    const node = nodes.find((n) => n.name === chosen);
    if (!node)
      throw new Error(`EgressService ${service} has no chosen node (status.host '${placement.host ?? ''}')`);
    return node;
  }
  const other = nodes.find((n) => n.name !== chosen && n.ready);
  if (!other) throw new Error(`no ready node other than the one chosen for ${service}`);
  return other;
}

export function describeNodeRef(ref: NodeRef): string {
  if ('index' in ref) return `node #${ref.index}`;
  if ('egressNodeOf' in ref) return `the node chosen for ${ref.egressNodeOf}`;
  return `a node not chosen for ${ref.notEgressNodeOf}`;
}
