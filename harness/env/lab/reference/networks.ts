/**
 * `spec.network` of an EgressService names a routing table on the nodes, by id or by name
 * (`100` or `secondary` in the lab); this finds the lab network that table leads to.
 */
import type { LabNetworkPlan, LabPlan } from '../topology.js';

export function resolveNetwork(plan: LabPlan, network: string): LabNetworkPlan | undefined {
  const wanted = network.trim();
  return plan.networks.find(
    (n) =>
      n.routingTable !== undefined &&
      (String(n.routingTable.id) === wanted || n.routingTable.name === wanted),
  );
}
