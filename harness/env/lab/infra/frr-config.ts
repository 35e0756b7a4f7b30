/**
 * FRR configuration of lab nodes (MetalLB's speaker role) and external peers, rendered from the
 * plan, and the vtysh commands that change announcements at run time.
 *
 * Sessions: one per node, peer and family (IPv4 NLRI over IPv4, IPv6 over IPv6), as MetalLB
 * does. Timers keepalive 1 s / hold 3 s / connect 1 s, so that a failed node's routes are gone
 * from the peer within about 3 s and sessions come up about a second after a container starts
 * (on the OVN data plane keepalive 3 s / hold 9 s: `bgpTimers`).
 *
 * Announcements: `network` statements with `no bgp network import-check`, which is how MetalLB's
 * FRR mode announces a LoadBalancer IP: the prefix needs no route or address on the node, and
 * adding/removing the statement takes effect at once. Which peers get a prefix is decided by
 * an outbound route-map per peer matching a prefix-list per peer and family.
 *
 * Secondary network: nodes accept nothing from peers off the default network (inbound route-map
 * deny), so the main table never gets those routes; the harness puts them into that network's
 * routing table instead. `soft-reconfiguration inbound` keeps what such a peer sent, visible with
 * `show bgp ... neighbors X received-routes`.
 */

import { ipv4Host } from '../../../common/ip.js';
import type { IpFamily } from '../../environment.js';
import {
  addressOn,
  DEFAULT_NETWORK,
  type LabNodePlan,
  type LabPeerPlan,
  type LabPlan,
  NODE_HOST_BASE,
  PEER_HOST,
} from './topology.js';

const AFI: Record<IpFamily, string> = { ipv4: 'ipv4', ipv6: 'ipv6' };
const DENY_ALL = 'LAB-DENY-ALL';

export function outRouteMap(peer: string): string {
  return `LAB-OUT-${peer}`;
}

export function outPrefixList(peer: string, family: IpFamily): string {
  return `LAB-OUT-${peer}-${family === 'ipv4' ? 'V4' : 'V6'}`;
}

function header(hostname: string): string[] {
  return [
    'frr version 8.4',
    'frr defaults traditional',
    `hostname ${hostname}`,
    'log file /var/log/frr/frr.log informational',
    'log timestamp precision 3',
    '!',
  ];
}

/**
 * zebra's own file: the daemons read their config files directly (see the entrypoint), and zebra
 * would complain about every BGP line of a shared file.
 */
export function renderZebraConfig(hostname: string): string {
  return `${header(hostname).join('\n')}\n`;
}

/**
 * BGP keepalive and hold (s): 1/3 on the Linux data plane. On OVN a node's BGP to the default
 * network's peer crosses ovs-vswitchd in userspace (br-ex over eth0), and a starved machine
 * stalls its main loop for seconds (its log: "Unreasonably long 2508ms poll interval (0ms user,
 * 0ms system)", load 77 on 2 cores): with a 3 s hold the session dropped and took the route to
 * the peer with it (pods got "Network is unreachable"), while the node's kernel-path sessions
 * to the other peers stayed up. 3/9 there: a failed node's routes go within about 9 s.
 */
export function bgpTimers(plan: Pick<LabPlan, 'dataPlane'>): { keepalive: number; hold: number } {
  return plan.dataPlane === 'ovn' ? { keepalive: 3, hold: 9 } : { keepalive: 1, hold: 3 };
}

function commonBgp(routerId: string, plan: LabPlan): string[] {
  const { keepalive, hold } = bgpTimers(plan);
  return [
    ` bgp router-id ${routerId}`,
    // Policy is explicit below (route-maps); FRR's eBGP default would block everything without one.
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' no bgp network import-check',
    ' bgp log-neighbor-changes',
    ` timers bgp ${keepalive} ${hold}`,
  ];
}

function neighbor(address: string, asn: number, description: string, passive = false): string[] {
  return [
    ` neighbor ${address} remote-as ${asn}`,
    ` neighbor ${address} description ${description}`,
    ` neighbor ${address} timers connect 1`,
    ` neighbor ${address} advertisement-interval 0`,
    ...(passive ? [` neighbor ${address} passive`] : []),
  ];
}

/**
 * Router id: the container's IPv4 address on its (first) network. Docker networks always have an
 * IPv4 subnet, so this exists in IPv6-only labs too.
 */
function routerId(plan: LabPlan, network: string, host: number): string {
  const subnets = plan.networks.find((n) => n.name === network)?.subnets;
  if (!subnets) throw new Error(`lab plan has no network ${network}`);
  return ipv4Host(subnets.ipv4, host);
}

export function renderNodeFrrConfig(plan: LabPlan, node: LabNodePlan): string {
  const lines = [...header(node.name)];
  lines.push(`route-map ${DENY_ALL} deny 10`, '!');
  for (const peer of plan.peers) {
    lines.push(
      `route-map ${outRouteMap(peer.name)} permit 10`,
      ` match ip address prefix-list ${outPrefixList(peer.name, 'ipv4')}`,
      `route-map ${outRouteMap(peer.name)} permit 20`,
      ` match ipv6 address prefix-list ${outPrefixList(peer.name, 'ipv6')}`,
      '!',
    );
  }
  lines.push(
    `router bgp ${node.asn}`,
    ...commonBgp(routerId(plan, DEFAULT_NETWORK, NODE_HOST_BASE + node.index), plan),
  );
  for (const peer of plan.peers) {
    for (const family of plan.families) {
      const address = peer.interfaceAddresses[family];
      if (address) lines.push(...neighbor(address, peer.asn, peer.name));
    }
  }
  for (const family of plan.families) {
    lines.push(` address-family ${AFI[family]} unicast`);
    for (const peer of plan.peers) {
      const address = peer.interfaceAddresses[family];
      if (!address) continue;
      lines.push(
        `  neighbor ${address} activate`,
        `  neighbor ${address} route-map ${outRouteMap(peer.name)} out`,
      );
      if (peer.network !== DEFAULT_NETWORK) {
        lines.push(
          `  neighbor ${address} soft-reconfiguration inbound`,
          `  neighbor ${address} route-map ${DENY_ALL} in`,
        );
      }
    }
    lines.push(' exit-address-family');
  }
  lines.push('exit', '!');
  return `${lines.join('\n')}\n`;
}

export function renderPeerFrrConfig(plan: LabPlan, peer: LabPeerPlan): string {
  const lines = [...header(peer.name)];
  lines.push(`router bgp ${peer.asn}`, ...commonBgp(routerId(plan, peer.network, PEER_HOST), plan));
  for (const node of plan.nodes) {
    const addresses = addressOn(node, peer.network) ?? {};
    for (const family of plan.families) {
      const address = addresses[family];
      // Passive: only nodes open sessions (as MetalLB's speakers do towards a router), so two
      // simultaneous opens never collide and reset each other while the lab comes up.
      if (address) lines.push(...neighbor(address, node.asn, node.name, true));
    }
  }
  for (const family of plan.families) {
    lines.push(` address-family ${AFI[family]} unicast`);
    const service = peer.serviceAddresses[family];
    if (service) lines.push(`  network ${service}/${family === 'ipv4' ? 32 : 128}`);
    // Several nodes announcing one LoadBalancer IP is ECMP on the peer, as on a real router.
    lines.push('  maximum-paths 16');
    for (const node of plan.nodes) {
      const address = addressOn(node, peer.network)?.[family];
      if (address) lines.push(`  neighbor ${address} activate`);
    }
    lines.push(' exit-address-family');
  }
  lines.push('exit', '!');
  return `${lines.join('\n')}\n`;
}

/** Prefix length and family of an announced address (`203.0.113.5` or `203.0.113.5/32`). */
export function hostPrefix(prefix: string): { family: IpFamily; prefix: string } {
  const family: IpFamily = prefix.includes(':') ? 'ipv6' : 'ipv4';
  const full = prefix.includes('/') ? prefix : `${prefix}/${family === 'ipv4' ? 32 : 128}`;
  return { family, prefix: full };
}

/**
 * vtysh arguments that announce (or withdraw) `prefix` from a node to the given peers. The
 * prefix-list entries go in before the `network` statement and out after its removal, so a
 * route is never evaluated against a half-changed policy.
 */
export function announceCommands(
  node: LabNodePlan,
  prefix: string,
  peers: string[],
  withdraw: boolean,
): string[] {
  const { family, prefix: full } = hostPrefix(prefix);
  const list = family === 'ipv4' ? 'ip' : 'ipv6';
  const no = withdraw ? 'no ' : '';
  const policy = peers.map(
    (peer) => `${no}${list} prefix-list ${outPrefixList(peer, family)} permit ${full}`,
  );
  const network = [
    `router bgp ${node.asn}`,
    `address-family ${AFI[family]} unicast`,
    `${no}network ${full}`,
    'exit-address-family',
    'exit',
  ];
  const steps = withdraw ? [...network, ...policy] : [...policy, ...network];
  return ['configure terminal', ...steps].flatMap((command) => ['-c', command.trim()]);
}
