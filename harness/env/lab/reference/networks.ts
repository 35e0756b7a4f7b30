/**
 * `spec.network` of an EgressService names a routing table on the nodes, by id or by name
 * (`100` or `secondary` in the lab); this finds the network that table leads to.
 */
import type { ClusterLayout, MachineNetwork } from './machines.js';

export function resolveNetwork(layout: ClusterLayout, network: string): MachineNetwork | undefined {
  const wanted = network.trim();
  return layout.networks.find(
    (n) =>
      n.routingTable !== undefined &&
      (String(n.routingTable.id) === wanted || n.routingTable.name === wanted),
  );
}
