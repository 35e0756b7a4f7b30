/**
 * `spec.network` of an EgressService names a routing table on the nodes, by id or by name
 * (`100` or `secondary` in the lab); this finds the network that table leads to.
 */
import type { DataplaneBehaviour } from './behaviour.js';
import type { ClusterLayout, MachineNetwork } from './machines.js';

export function resolveNetwork(layout: ClusterLayout, network: string): MachineNetwork | undefined {
  const wanted = network.trim();
  return layout.networks.find(
    (n) =>
      n.routingTable !== undefined &&
      (String(n.routingTable.id) === wanted || n.routingTable.name === wanted),
  );
}

/**
 * The network an EgressService's egress is routed to, as the data plane behaviour decides: the
 * one spec.network names, or (a fault's) the first network with a table whatever it names.
 */
export function egressNetwork(
  layout: ClusterLayout,
  network: string,
  behaviour: Pick<DataplaneBehaviour, 'firstNetworkTableForAll'>,
): MachineNetwork | undefined {
  const named = resolveNetwork(layout, network);
  if (!named || !behaviour.firstNetworkTableForAll) return named;
  return layout.networks.find((n) => n.routingTable !== undefined);
}
