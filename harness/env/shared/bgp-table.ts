/**
 * Reading a peer's BGP table from FRR's `show bgp <afi> unicast json`: the routes it learnt from
 * the nodes, each with the global next hops of its valid paths (for IPv6 FRR lists the global and
 * the link-local next hop of a path; only the global one names the node).
 */
import type { BgpRoute, IpFamily } from '../environment.js';

interface FrrNextHop {
  ip?: string;
  scope?: string;
  afi?: string;
}
interface FrrPath {
  valid?: boolean;
  pathFrom?: string;
  nexthops?: FrrNextHop[];
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

export function bgpShowCommand(family: IpFamily): string {
  return `show bgp ${family} unicast json`;
}

export function parseBgpRoutes(json: string): BgpRoute[] {
  let parsed: { routes?: Record<string, FrrPath[]> };
  try {
    parsed = JSON.parse(json) as { routes?: Record<string, FrrPath[]> };
  } catch {
    throw new Error(`FRR did not answer with JSON: ${json.slice(0, 200)}`);
  }
  const routes: BgpRoute[] = [];
  for (const [prefix, paths] of Object.entries(parsed.routes ?? {})) {
    const nextHops = new Set<string>();
    for (const path of paths) {
      if (path.valid === false || path.pathFrom === 'local') continue;
      for (const hop of path.nexthops ?? []) {
        if (!hop.ip || isUnspecified(hop.ip) || hop.scope === 'link-local' || hop.ip.startsWith('fe80:'))
          continue;
        nextHops.add(hop.ip);
      }
    }
    if (nextHops.size > 0) routes.push({ prefix, nextHops: [...nextHops].sort() });
  }
  return routes.sort((a, b) => a.prefix.localeCompare(b.prefix));
}
