/**
 * What runs inside a lab container when it starts (`/etc/lab/setup.sh`, `/etc/lab/services.sh`,
 * `/etc/lab/base.nft`), rendered from the plan and copied in before the container starts, so
 * that a container is configured by the time its FRR comes up.
 */

import { ipv4Host, ipv6Host } from '../../../common/ip.js';
import type { IpFamily } from '../../environment.js';
import { OVN_UNDERLAY } from './node-failure.js';
import {
  clusterTopologyScript,
  managementPortScript,
  type OvnNodeSpec,
  ovnMac,
  sharedGatewayBridgeScript,
  startCentralScript,
  startNodeScript,
} from './ovn.js';
import {
  type LabNodePlan,
  type LabPeerPlan,
  type LabPlan,
  OVN_GATEWAY_ROUTER_HOST_BASE,
  PEER_HOST,
} from './topology.js';

/** The nftables table the lab's base datapath lives in (a cluster's default pod egress). */
export const BASE_NFT_TABLE = 'lab-base';

const NO_DEFAULT_ROUTE = [
  '# No route out of the lab: drop any default route docker may have installed.',
  'while ip -4 route del default 2>/dev/null; do :; done',
  'while ip -6 route del default 2>/dev/null; do :; done',
];

/**
 * FRR starts after this: an IPv6 BGP session needs the interface's link-local address for its
 * next hop, and one opened before the kernel made it fails and is retried seconds later.
 */
const WAIT_LINK_LOCAL = [
  '# Wait (up to 2 s) for the IPv6 link-local address of every interface.',
  'for dev in $(ls /sys/class/net); do',
  '  [ "$dev" = lo ] && continue',
  '  i=0',
  '  until ip -6 -o addr show dev "$dev" scope link | grep -v tentative | grep -q fe80; do',
  '    i=$((i + 1)); [ $i -gt 100 ] && break',
  '    sleep 0.02',
  '  done',
  'done',
];

/** Other nodes' pod CIDRs through their node addresses, as kind's CNI routes do (plain Linux only). */
function podRoutes(plan: LabPlan, node: LabNodePlan): string[] {
  const lines = ["# Other nodes' pod CIDRs through their node addresses, as kind's CNI routes do."];
  for (const other of plan.nodes.filter((n) => n.name !== node.name)) {
    for (const family of plan.families) {
      const cidr = other.podCidrs[family];
      const via = other.addresses[family];
      if (cidr && via) lines.push(`ip ${flag(family)} route add ${cidr} via ${via}`);
    }
  }
  return lines;
}

/** One routing table per additional network (a VRF stand-in) with the routes to its peers. */
function networkTables(plan: LabPlan): string[] {
  const tables = plan.networks.filter((n) => n.routingTable);
  if (tables.length === 0) return [];
  const lines = [
    "# One routing table per additional network (a VRF stand-in): reaches that network's peers",
    '# only through the table, never through the main one.',
    'mkdir -p /etc/iproute2/rt_tables.d',
    `printf '%s\\n' ${tables.map((n) => `'${n.routingTable!.id} ${n.routingTable!.name}'`).join(' ')} > /etc/iproute2/rt_tables.d/lab.conf`,
  ];
  for (const network of tables) {
    for (const peer of plan.peers.filter((p) => p.network === network.name)) {
      for (const family of plan.families) {
        const service = peer.serviceAddresses[family];
        const via = peer.interfaceAddresses[family];
        if (service && via) {
          lines.push(`ip ${flag(family)} route add ${service} via ${via} table ${network.routingTable!.id}`);
        }
      }
    }
  }
  return lines;
}

export function renderNodeSetup(plan: LabPlan, node: LabNodePlan): string {
  const ovn = plan.dataPlane === 'ovn';
  const lines = [
    '# lab node setup (rendered by the harness)',
    ...NO_DEFAULT_ROUTE,
    ...(ovn ? ovnNodeSetup(plan, node) : podRoutes(plan, node)),
    ...networkTables(plan),
    'nft -f /etc/lab/base.nft',
    'mkdir -p /run/lab/pods /run/lab/servers',
  ];
  // With OVN the link-local wait came first (before br-ex took the underlay over): OVS's own
  // devices (ovs-netdev, br-int) stay down and never get one.
  if (!ovn) lines.push(...WAIT_LINK_LOCAL);
  return `${lines.join('\n')}\n`;
}

/**
 * The node as an OVN-Kubernetes node (ovn.ts): Open vSwitch and ovn-controller, br-ex over the
 * underlay, and the management port into the host stack with the routes to the cluster's pods.
 * In local gateway mode pods' egress leaves through the management port, so the host's nftables
 * and ip rules act on it as on a cluster node's; in shared mode through the node's gateway
 * router, which shares br-ex's address and MAC with the host (br-ex's flows steer between them).
 */
function ovnNodeSetup(plan: LabPlan, node: LabNodePlan): string[] {
  const central = plan.ovnCentral;
  if (!central) throw new Error(`lab ${plan.id}: no OVN central container in the plan`);
  const spec = ovnNodeSpec(plan, node);
  const lines = [
    ...WAIT_LINK_LOCAL,
    '# OVN: Open vSwitch (userspace datapath), br-ex over the underlay, ovn-controller.',
    startNodeScript(node.name, central.address, OVN_UNDERLAY, spec.gatewayRouterMac).replace(/^set -e\n/, ''),
    ...(plan.families.includes('ipv6') ? BR_EX_LINK_LOCAL : []),
    '# OVN: the management port.',
    managementPortScript(spec, plan.clusterPodCidrs).replace(/^set -e\n/, ''),
  ];
  if (plan.gatewayMode === 'shared') {
    lines.push(
      "# OVN, shared gateway mode: br-ex's flows between the host and the gateway router.",
      sharedGatewayBridgeScript(spec, OVN_UNDERLAY).replace(/^set -e\n/, ''),
    );
  }
  return lines;
}

/**
 * FRR's IPv6 sessions take their next hop from the interface's link-local address: br-ex's is
 * new (br-ex took the underlay over), so wait (up to 2 s) for it.
 */
const BR_EX_LINK_LOCAL = [
  'i=0',
  'until ip -6 -o addr show dev br-ex scope link | grep -v tentative | grep -q fe80; do',
  '  i=$((i + 1)); [ $i -gt 100 ] && break',
  '  sleep 0.02',
  'done',
];

/**
 * A lab node as the OVN topology scripts see it: each of the lab's families. In shared gateway
 * mode its gateway router has the node's address and MAC; the MAC is chosen here (OVN-Kubernetes'
 * form of the node address, br-ex takes it), not docker's, so that the central topology knows it
 * before the node runs.
 */
export function ovnNodeSpec(plan: LabPlan, node: LabNodePlan): OvnNodeSpec {
  const subnets = plan.networks[0]!.subnets;
  const shared = plan.gatewayMode === 'shared';
  const spec: OvnNodeSpec = {
    name: node.name,
    index: node.index,
    families: [...plan.families],
    podCidrs: { ...node.podCidrs },
    gatewayRouterAddresses: {},
    underlayGateways: {},
    hostAddresses: [node.addresses, ...Object.values(node.networkAddresses)].flatMap((a) =>
      plan.families.map((f) => a[f]).filter((ip): ip is string => ip !== undefined),
    ),
  };
  for (const family of plan.families) {
    const subnet = subnets[family];
    const host = family === 'ipv4' ? ipv4Host : ipv6Host;
    const own = shared ? node.addresses[family] : undefined;
    spec.gatewayRouterAddresses[family] =
      `${own ?? host(subnet, OVN_GATEWAY_ROUTER_HOST_BASE + node.index)}/${subnet.split('/')[1]}`;
    // The lab's "outside router" is its peer (the nodes have no default route): the gateway
    // router's default route points there, so nothing it sends leaves the lab.
    spec.underlayGateways[family] = host(subnet, PEER_HOST);
  }
  const first = node.addresses[plan.families[0] as IpFamily];
  if (shared && first) spec.gatewayRouterMac = ovnMac(first);
  return spec;
}

/**
 * OVN's central container: the NB and SB databases (on TCP for the nodes) and ovn-northd, and
 * the cluster's logical topology in OVN-Kubernetes' shape, in the lab's gateway mode.
 */
export function renderOvnCentralSetup(plan: LabPlan): string {
  return [
    '# OVN central setup (rendered by the harness)',
    ...NO_DEFAULT_ROUTE,
    startCentralScript().replace(/^set -e\n/, ''),
    clusterTopologyScript(
      plan.nodes.map((n) => ovnNodeSpec(plan, n)),
      plan.clusterPodCidrs,
      plan.gatewayMode ?? 'local',
    ).replace(/^set -e\n/, ''),
    '',
  ].join('\n');
}

/**
 * The node's default pod egress: pods' traffic to anything outside the cluster (pod CIDRs and
 * the node network) leaves masqueraded to the node's address on the outgoing interface.
 * Priority `srcnat` (100): an implementation's SNAT (EgressService) hooks earlier (e.g.
 * `srcnat - 10`) and wins, since the first NAT decision of a connection sticks.
 */
export function renderNodeNftables(plan: LabPlan, node: LabNodePlan): string {
  const defaultNet = plan.networks[0]!;
  const lines = [`table inet ${BASE_NFT_TABLE} {`];
  const rules: string[] = [];
  for (const family of plan.families) {
    const podCidr = node.podCidrs[family];
    const cluster = plan.clusterPodCidrs[family];
    if (!podCidr || !cluster) continue;
    const v = family === 'ipv4' ? 'v4' : 'v6';
    lines.push(
      `  set cluster-${v} {`,
      `    type ${family === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'}`,
      '    flags interval',
      `    elements = { ${cluster}, ${defaultNet.subnets[family]} }`,
      '  }',
    );
    const ip = family === 'ipv4' ? 'ip' : 'ip6';
    rules.push(
      `    ${ip} saddr ${podCidr} ${ip} daddr != @cluster-${v} counter masquerade comment "pod egress"`,
    );
  }
  lines.push(
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...rules,
    '  }',
    ...invalidDrop(plan),
    '}',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * A pod's packet that conntrack calls invalid and that would leave the cluster is dropped in
 * forward, on both data planes, as kube-proxy's forward chain drops conntrack-invalid packets.
 * Steering moves a pod's running connection to another host when the pod becomes (or stops
 * being) an EgressService endpoint (OVN's reroute, or the Linux data plane's ip rules); that host
 * never saw the connection, so its FIN or RST is invalid there, NAT skips it, and it left with
 * the pod's own address (seen at the peer in core runs on both data planes). Only destinations
 * outside the cluster: local gateway mode's pod-to-node replies take another host's path back,
 * and dropping them broke those. The lab's nodes are the cluster's base, not the implementation
 * under test.
 */
function invalidDrop(plan: LabPlan): string[] {
  const rules = plan.families.flatMap((family) => {
    const cluster = plan.clusterPodCidrs[family];
    const ip = family === 'ipv4' ? 'ip' : 'ip6';
    const v = family === 'ipv4' ? 'v4' : 'v6';
    return cluster
      ? [`    ct state invalid ${ip} saddr ${cluster} ${ip} daddr != @cluster-${v} counter drop`]
      : [];
  });
  return [
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    ...rules,
    '  }',
  ];
}

export function renderPeerSetup(plan: LabPlan, peer: LabPeerPlan): string {
  const lines = ['# lab peer setup (rendered by the harness)', ...NO_DEFAULT_ROUTE];
  lines.push('# The "outside" service addresses the peer owns and announces.');
  for (const family of plan.families) {
    const service = peer.serviceAddresses[family];
    if (service) lines.push(`ip ${flag(family)} addr add ${service}/${family === 'ipv4' ? 32 : 128} dev lo`);
  }
  lines.push('mkdir -p /run/lab/servers /run/lab/captures', ...WAIT_LINK_LOCAL);
  return `${lines.join('\n')}\n`;
}

/** The peer's probe server answers on all its addresses and probe ports; its hostname is the peer's name. */
export function renderPeerServices(peer: LabPeerPlan): string {
  const ports = [peer.probePort, ...peer.extraProbePorts];
  return `${serverStartScript({ name: peer.name, port: ports, key: `peer-${peer.probePort}` })}\n`;
}

/** Where probe servers keep their pid, ready and log files, by key. */
const SERVER_DIR = '/run/lab/servers';

/**
 * Starts the probe server detached (optionally inside a network namespace) and waits until both
 * of its sockets listen (it writes its ready file then), up to 5 s.
 */
export function serverStartScript(options: {
  name: string;
  /** One port, or several served by the one process. */
  port: number | readonly number[];
  key: string;
  netns?: string;
}): string {
  const dir = SERVER_DIR;
  const prefix = options.netns ? `ip netns exec ${options.netns} ` : '';
  const ready = `${dir}/${options.key}.ready`;
  const ports = (typeof options.port === 'number' ? [options.port] : options.port)
    .map((port) => `--port ${port}`)
    .join(' ');
  return [
    `mkdir -p ${dir}`,
    `rm -f ${ready}`,
    `setsid ${prefix}/usr/local/bin/lab-probe-server ${ports} --name '${options.name}' --ready-file ${ready} >${dir}/${options.key}.log 2>&1 </dev/null &`,
    `echo $! >${dir}/${options.key}.pid`,
    'i=0',
    `while [ ! -s ${ready} ]; do`,
    `  i=$((i + 1)); if [ $i -gt 500 ]; then cat ${dir}/${options.key}.log >&2; exit 1; fi`,
    '  sleep 0.01',
    'done',
  ].join('\n');
}

/** Stops a probe server started with `serverStartScript` under `key`; nothing when none runs. */
export function serverStopScript(key: string): string {
  const file = `${SERVER_DIR}/${key}`;
  return `if [ -s ${file}.pid ]; then kill $(cat ${file}.pid) 2>/dev/null || true; fi; rm -f ${file}.pid ${file}.ready`;
}

/** Stops every probe server whose key starts with `prefix`. */
export function serversStopScript(prefix: string): string {
  return `for f in ${SERVER_DIR}/${prefix}*.pid; do [ -s "$f" ] && kill $(cat "$f") 2>/dev/null; rm -f "$f"; done; true`;
}

function flag(family: IpFamily): string {
  return family === 'ipv4' ? '-4' : '-6';
}
