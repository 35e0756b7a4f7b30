/**
 * The external peers' FRR configuration (frr.conf), rendered from the topology. The static
 * files next to it (daemons, vtysh.conf) are shipped in `frr/`.
 *
 * Like MetalLB's dev-env router (dev-env/bgp/frr/bgpd.conf.j2) the peer peers with every node,
 * but by `bgp listen range` over the nodes' subnet instead of one neighbor per node address: kind
 * gives the nodes their addresses only when it creates them, and a listen range keeps the
 * configuration (and so the printed plan) fixed before any node exists. The nodes (MetalLB's
 * speakers, ASN 64512) dial; the peer stays passive. eBGP with `no bgp ebgp-requires-policy`
 * so that FRR >= 7.4 accepts the speakers' routes without a policy. For IPv6, next hops prefer
 * the global address (the route-map OVN-Kubernetes' contrib/kind-common adds to MetalLB's
 * dev-env config: `set ipv6 next-hop prefer-global`).
 */
import type { FamilyAddresses, IpFamily } from '../environment.js';
import { secretPlaceholder } from './planned-actions.js';

/** MetalLB's speakers all use one ASN (MetalLB dev-env: `myASN: 64512` for every node). */
export const NODE_ASN = 64512;

/** An external FRR peer in a container of its own (the kind peers, the existing provider's container peer). */
export interface FrrPeer {
  name: string;
  container: string;
  /** The probe server sidecar (agnhost netexec in the peer's network namespace). */
  probeContainer: string;
  dockerNetwork: string;
  asn: number;
  /** The peer's address on its docker network: BGP session address. */
  interfaceAddresses: FamilyAddresses;
  /** Where the probe server answers (what scenarios send traffic to). */
  probeAddresses: FamilyAddresses;
  /** Extra addresses on the peer's loopback ("outside" addresses only reached through it). */
  loopbackAddresses: FamilyAddresses;
  /** The node-side subnets BGP sessions come from (FRR `bgp listen range`). */
  listenRanges: FamilyAddresses;
  /** Host directory mounted as the peer's /etc/frr. */
  configDir: string;
}

/** Placeholder the executor replaces with the password; printed plans show it redacted. */
export const BGP_PASSWORD_PLACEHOLDER = secretPlaceholder('bgpPassword');

/** BGP timers on both sides (keepalive, hold): quick failover, within MetalLB's minimum hold of 3 s. */
export const BGP_TIMERS = { keepalive: 3, hold: 9 } as const;

export interface PeerFrrOptions {
  families: IpFamily[];
  /** Render `neighbor ... password` with the placeholder. */
  bgpAuth: boolean;
  /** The nodes' ASN (MetalLB's myASN); 64512 as in MetalLB's dev-env. */
  nodeAsn?: number;
}

function groupName(family: IpFamily): string {
  return family === 'ipv4' ? 'NODES4' : 'NODES6';
}

/** Router ids of peers without an IPv4 address (IPv6-only clusters), one each. */
const FALLBACK_ROUTER_IDS: Record<string, string> = {
  peer: '192.0.2.100',
  peer2: '192.0.2.101',
  peer3: '192.0.2.102',
};

export function renderPeerFrrConfig(peer: FrrPeer, options: PeerFrrOptions): string {
  const families = options.families;
  // A router id is an IPv4 dotted quad even on IPv6-only networks; docker networks here are
  // dual-stack, so derive it from the peer's IPv4 subnet host, or a fixed one per peer for
  // v6-only (the nodes see peer2 and peer3 both: their ids differ).
  const routerId = peer.interfaceAddresses.ipv4 ?? FALLBACK_ROUTER_IDS[peer.name] ?? '192.0.2.109';
  const lines: string[] = [
    'frr defaults traditional',
    `hostname ${peer.name}`,
    'log stdout informational',
    '!',
  ];
  lines.push(
    `router bgp ${peer.asn}`,
    ` bgp router-id ${routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' bgp log-neighbor-changes',
  );
  for (const family of families) {
    const group = groupName(family);
    lines.push(
      ` neighbor ${group} peer-group`,
      ` neighbor ${group} remote-as ${options.nodeAsn ?? NODE_ASN}`,
      ` neighbor ${group} passive`,
      ` neighbor ${group} timers ${BGP_TIMERS.keepalive} ${BGP_TIMERS.hold}`,
    );
    if (options.bgpAuth) lines.push(` neighbor ${group} password ${BGP_PASSWORD_PLACEHOLDER}`);
    lines.push(` bgp listen range ${peer.listenRanges[family]} peer-group ${group}`);
  }
  for (const family of families) {
    const group = groupName(family);
    lines.push(' !', ` address-family ${family} unicast`, `  neighbor ${group} activate`);
    if (family === 'ipv6') lines.push(`  neighbor ${group} route-map IPV6GLOBAL in`);
    lines.push(' exit-address-family');
  }
  lines.push('exit', '!');
  if (families.includes('ipv6')) {
    lines.push('route-map IPV6GLOBAL permit 10', ' set ipv6 next-hop prefer-global', 'exit', '!');
  }
  return `${lines.join('\n')}\n`;
}
