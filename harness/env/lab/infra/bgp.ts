/** Reading FRR's BGP state from vtysh JSON (FRR 8.4 formats). */
import type { BgpRoute, IpFamily } from '../../environment.js';

export interface BgpSession {
  neighbor: string;
  family: IpFamily;
  state: string;
  remoteAs?: number;
  description?: string;
  prefixesReceived?: number;
  prefixesSent?: number;
}

interface SummaryPeer {
  state?: string;
  remoteAs?: number;
  desc?: string;
  pfxRcd?: number;
  pfxSnt?: number;
}

/**
 * `show bgp summary json`: `{ "ipv4Unicast": { "peers": { "<address>": { "state": ... } } },
 * "ipv6Unicast": {...} }`. A session appears under each address family it is activated in.
 */
export function parseBgpSummary(json: string): BgpSession[] {
  const data = parseJson(json, 'show bgp summary json') as Record<
    string,
    { peers?: Record<string, SummaryPeer> }
  >;
  const sessions: BgpSession[] = [];
  for (const [key, family] of [
    ['ipv4Unicast', 'ipv4'],
    ['ipv6Unicast', 'ipv6'],
  ] as const) {
    for (const [neighbor, peer] of Object.entries(data[key]?.peers ?? {})) {
      sessions.push({
        neighbor,
        family,
        state: peer.state ?? 'unknown',
        ...(peer.remoteAs !== undefined ? { remoteAs: peer.remoteAs } : {}),
        ...(peer.desc !== undefined ? { description: peer.desc } : {}),
        ...(peer.pfxRcd !== undefined ? { prefixesReceived: peer.pfxRcd } : {}),
        ...(peer.pfxSnt !== undefined ? { prefixesSent: peer.pfxSnt } : {}),
      });
    }
  }
  return sessions;
}

interface RoutePath {
  valid?: boolean;
  peerId?: string;
  nexthops?: { ip?: string; scope?: string; afi?: string }[];
}

/**
 * `show bgp <afi> unicast json`: `{ "routes": { "<prefix>": [ path, ... ] } }`. Returns the routes
 * learnt from neighbors (not the router's own `network` statements), each with the global
 * next hops of its valid paths (IPv6 paths also carry the link-local next hop: left out).
 */
export function parseBgpRoutes(json: string): BgpRoute[] {
  const data = parseJson(json, 'show bgp unicast json') as { routes?: Record<string, RoutePath[]> };
  const routes: BgpRoute[] = [];
  for (const [prefix, paths] of Object.entries(data.routes ?? {})) {
    const nextHops = new Set<string>();
    for (const path of paths) {
      if (!path.valid || !path.peerId || path.peerId === '(unspec)') continue;
      for (const hop of path.nexthops ?? []) {
        if (hop.ip && hop.scope !== 'link-local' && !hop.ip.startsWith('fe80:')) nextHops.add(hop.ip);
      }
    }
    if (nextHops.size > 0) routes.push({ prefix, nextHops: [...nextHops].sort() });
  }
  return routes.sort((a, b) => a.prefix.localeCompare(b.prefix));
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what}: not JSON: ${text.slice(0, 200)}`);
  }
}
