/**
 * MetalLB's part, as the scenarios use it: LoadBalancer IPs from IPAddressPools (selected by the
 * Service's pool annotation, or any pool with autoAssign; the addresses its loadBalancerIPs
 * annotation requests, when it has one: model.ts), and which nodes announce each IP over BGP, from
 * the BGPAdvertisements' pools and node selectors.
 */

import { canonicalIp, parseCidr, parseIp } from '../../../common/ip.js';
import type { IpFamily, KubeObject } from '../../environment.js';
import { field, type ServiceView } from './model.js';
import { type LabelSelector, selectorMatches } from './selector.js';

interface PoolRange {
  family: IpFamily;
  first: bigint;
  last: bigint;
}

export interface Pool {
  name: string;
  autoAssign: boolean;
  ranges: PoolRange[];
}

function formatValue(family: IpFamily, value: bigint): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  return canonicalIp(groups.join(':'));
}

/** `a.b.c.d/n`, `a-b`, or a single address, per MetalLB's pool syntax. */
function parseRange(text: string): PoolRange {
  if (text.includes('-')) {
    const [from = '', to = ''] = text.split('-').map((s) => s.trim());
    const a = parseIp(from);
    const b = parseIp(to);
    return { family: a.version === 4 ? 'ipv4' : 'ipv6', first: a.value, last: b.value };
  }
  const cidr = parseCidr(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`);
  const bits = cidr.version === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - cidr.prefixLength);
  return {
    family: cidr.version === 4 ? 'ipv4' : 'ipv6',
    first: cidr.network,
    last: cidr.network + size - 1n,
  };
}

export function poolOf(object: KubeObject): Pool {
  return {
    name: object.metadata.name,
    autoAssign: field<boolean>(object, 'spec', 'autoAssign') !== false,
    ranges: (field<string[]>(object, 'spec', 'addresses') ?? []).map(parseRange),
  };
}

function inPool(pool: Pool, address: string): boolean {
  const ip = parseIp(address);
  const family = ip.version === 4 ? 'ipv4' : 'ipv6';
  return pool.ranges.some((r) => r.family === family && ip.value >= r.first && ip.value <= r.last);
}

/**
 * The ingress IPs of every LoadBalancer Service, keeping the ones already given while they stay
 * valid; a Service whose pool does not exist (yet) or is exhausted gets none.
 */
export function allocateIngress(services: ServiceView[], pools: Pool[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const used = new Set<string>();
  const key = (s: ServiceView) => `${s.namespace}/${s.name}`;
  const candidates = (s: ServiceView) =>
    s.pool !== undefined ? pools.filter((p) => p.name === s.pool) : pools.filter((p) => p.autoAssign);
  const balancers = services.filter((s) => s.type === 'LoadBalancer');
  // First keep every still-valid existing assignment, so a new Service never takes one.
  for (const service of balancers) {
    const pools = candidates(service);
    const kept = service.ingress.filter(
      (ip) =>
        pools.some((p) => inPool(p, ip)) &&
        service.families.includes(ip.includes(':') ? 'ipv6' : 'ipv4') &&
        (service.requested === undefined || service.requested.includes(canonicalIp(ip))),
    );
    for (const ip of kept) used.add(ip);
    result.set(key(service), kept);
  }
  for (const service of balancers) {
    const assigned = result.get(key(service)) as string[];
    for (const family of service.families) {
      if (assigned.some((ip) => (ip.includes(':') ? 'ipv6' : 'ipv4') === family)) continue;
      const ip =
        service.requested === undefined
          ? firstFree(candidates(service), family, used)
          : requestedFree(service.requested, candidates(service), family, used);
      if (ip) {
        used.add(ip);
        assigned.push(ip);
      }
    }
    // A dual-stack Service gets both families or, until both are free, none (as MetalLB does).
    if (assigned.length < service.families.length) result.set(key(service), []);
  }
  return result;
}

/** The requested address of the family, when a candidate pool holds it and no Service has it. */
function requestedFree(
  requested: string[],
  pools: Pool[],
  family: IpFamily,
  used: Set<string>,
): string | undefined {
  const ip = requested.find((a) => (a.includes(':') ? 'ipv6' : 'ipv4') === family);
  return ip !== undefined && !used.has(ip) && pools.some((p) => inPool(p, ip)) ? ip : undefined;
}

function firstFree(pools: Pool[], family: IpFamily, used: Set<string>): string | undefined {
  for (const pool of pools) {
    for (const range of pool.ranges.filter((r) => r.family === family)) {
      // Bounded: pools in scenarios are small; a /64 is searched only until its first free address.
      for (let value = range.first, n = 0; value <= range.last && n < 65536; value++, n++) {
        const ip = formatValue(family, value);
        if (!used.has(ip)) return ip;
      }
    }
  }
  return undefined;
}

export interface Advertisement {
  pools: string[];
  nodeSelectors: LabelSelector[];
}

export function advertisementOf(object: KubeObject): Advertisement {
  return {
    pools: field<string[]>(object, 'spec', 'ipAddressPools') ?? [],
    nodeSelectors: field<LabelSelector[]>(object, 'spec', 'nodeSelectors') ?? [],
  };
}

/** Nodes that announce an IP of `pool`: those any advertisement of the pool selects. */
export function announcingNodes(
  pool: string,
  advertisements: Advertisement[],
  nodes: Array<{ name: string; labels: Record<string, string>; ready: boolean }>,
): string[] {
  const relevant = advertisements.filter((a) => a.pools.length === 0 || a.pools.includes(pool));
  return nodes
    .filter((node) => node.ready)
    .filter((node) =>
      relevant.some(
        (a) => a.nodeSelectors.length === 0 || a.nodeSelectors.some((s) => selectorMatches(s, node.labels)),
      ),
    )
    .map((node) => node.name);
}

/** The pool an address was given from. */
export function poolContaining(pools: Pool[], address: string): Pool | undefined {
  return pools.find((p) => inPool(p, address));
}
