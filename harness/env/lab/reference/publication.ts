/**
 * What a placement shows on the API: `status.host` of the EgressService and the egress-service
 * label on the chosen node (`egress-service.k8s.ovn.org/<namespace>-<name>: ""`), as the
 * publication behaviour makes them.
 */
import type { PublicationBehaviour } from './behaviour.js';

export const EGRESS_LABEL_PREFIX = 'egress-service.k8s.ovn.org/';

/** status.host as published for a placement on `host` (a node, `ALL`, or `` for none). */
export function publishedHost(
  host: string,
  nodes: readonly string[],
  behaviour: PublicationBehaviour,
): string {
  if (behaviour.statusHost === 'chosen-node' || host === '' || host === 'ALL') return host;
  return nodes[(nodes.indexOf(host) + 1) % nodes.length] as string;
}

/**
 * The egress-service labels `node` should carry: those of the services placed on it (every
 * placed service's, with `every-node`), and those a failover left behind (`stale`: service key
 * to the nodes it left its label on); none with `no-node`.
 */
export function labelsWanted(
  node: string,
  placements: ReadonlyMap<string, string>,
  stale: ReadonlyMap<string, ReadonlySet<string>>,
  behaviour: PublicationBehaviour,
): string[] {
  if (behaviour.label === 'no-node') return [];
  const placed = [...placements.entries()]
    .filter(([, host]) => host === node || behaviour.label === 'every-node')
    .map(([key]) => key);
  const left = [...stale.entries()].filter(([, hosts]) => hosts.has(node)).map(([key]) => key);
  return [...placed, ...left].map((key) => `${EGRESS_LABEL_PREFIX}${key.replace('/', '-')}`);
}
