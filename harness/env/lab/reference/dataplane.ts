/**
 * The reference data plane of one node, rendered as one shell script that replaces the node's
 * whole state at once (an nftables table swapped atomically, policy-routing rules and tables
 * rewritten): rendering is pure and the same state renders the same text, so the controller
 * applies a node only when its text changed, and an empty state removes every trace.
 *
 * - Egress (EgressService, sourceIPBy LoadBalancerIP): on the chosen node, endpoint traffic to
 *   anything outside the cluster is SNATed to the LoadBalancer IP; on the other nodes it keeps
 *   its pod source (so the node's masquerade leaves it alone) and is policy-routed to the chosen
 *   node, whose announcement draws the replies back.
 * - `spec.network` (a routing table on the nodes): the chosen node routes the endpoints' traffic
 *   (its own and what other nodes steer to it) by that table, and so do replies sourced from the
 *   LoadBalancer IP (the Service's answers to its external clients).
 * - sourceIPBy Network (`host` ALL): every node routes its own endpoints by the table and leaves
 *   the source to the node's masquerade, which uses the node's address on that network.
 * - Ingress (the LoadBalancer Service): traffic to the ingress IP is DNATed round-robin to the
 *   endpoints and masqueraded, like a cluster's service proxy with externalTrafficPolicy Cluster.
 */
import type { FamilyAddresses, IpFamily } from '../../environment.js';
import type { ClusterLayout } from './machines.js';

export const REFERENCE_NFT_TABLE = 'ec-reference';
/** ip rule priorities: in-cluster destinations first (main table), then steering by source. */
const CLUSTER_RULE_PRIORITY = 1500;
const STEER_RULE_PRIORITY = 1600;
/** After steering: what leaves from this node by an EgressService's network table. */
const NETWORK_RULE_PRIORITY = 1700;
/** Routing table that leads to node i (1000 + i). */
const STEER_TABLE_BASE = 1000;

export interface EgressEndpoint {
  node: string;
  ips: FamilyAddresses;
  /** Only with `snatHostNetworkEndpoints` (a fault): the node's own addresses, SNATed but never steered. */
  hostNetwork?: boolean;
}

export interface EgressPlacement {
  /** The EgressService (`namespace/name`) the rules are for (OVN's reroute policies name it). */
  service?: string;
  /** The chosen node, or `ALL` (sourceIPBy Network: every node sends its own endpoints' traffic). */
  host: string;
  /** The SNAT address per family: the LoadBalancer IPs (with `ALL`: only when a fault SNATs to them). */
  loadBalancerIPs: FamilyAddresses;
  /** Endpoint pods, with their node. */
  endpoints: EgressEndpoint[];
  /** spec.network as the routing-table id the endpoints' egress is routed by; absent: main. */
  table?: number;
  /** Rewrite traffic to cluster destinations too (a fault's). */
  snatInCluster?: boolean;
  /** The chosen node drops the replies to the SNATed traffic (a fault's). */
  dropReplies?: boolean;
  /** The SNAT leaves alone only these destinations, not every in-cluster one (a fault's). */
  snatExempt?: 'podsAndNodeIPs' | 'pods';
  /**
   * The only protocols the egress rules match (a fault's); absent: every protocol. Traffic of
   * the others gets the node's masquerade.
   */
  protocols?: Array<'tcp' | 'udp'>;
  /**
   * The egress SNAT hooks just after the node's masquerade (`srcnat + 1`) instead of before it (a
   * fault's, upstream's 8f5b3d468, where both hooked at `srcnat` and the masquerade ran first).
   * Not `srcnat` itself: between equal priorities the kernel runs the chain registered last first
   * (nf_hook_entries_grow), which is the reference's here, so equal priority shows no fault.
   */
  snatAtMasqueradePriority?: boolean;
  /**
   * The chosen node's forward filter drops what other nodes steer to it from their endpoints (a
   * fault's, upstream's 442747f0a: a default FORWARD DROP that allow-listed no pod CIDR).
   */
  dropSteeredEgress?: boolean;
  /**
   * externalTrafficPolicy Local with a network table: the node ports per family whose replies,
   * from the ETP-Local masquerade address, are routed by the table (upstream's 210a1808b).
   */
  nodePorts?: Partial<Record<IpFamily, number[]>>;
  /**
   * Only the chosen node's SNAT, nothing on the other nodes: an SNAT rule a failed repair left on
   * a node after a restart (a fault's, upstream's 84575787c), with no steering to it.
   */
  hostOnly?: boolean;
}

export interface IngressRule {
  family: IpFamily;
  address: string;
  protocol: 'tcp' | 'udp';
  port: number;
  /** With `nodePort`: each backend's node and network namespace (the pod's end of the hop). */
  backends: Array<{ ip: string; port: number; node?: string; netns?: string }>;
  /**
   * externalTrafficPolicy Local (Linux data plane): the node port of upstream's local gateway
   * hop. The ingress goes to the ETP-Local masquerade address and this port, and from there to a
   * local endpoint (etpLocalCommands).
   */
  nodePort?: number;
}

export interface DataplaneState {
  egress: EgressPlacement[];
  ingress: IngressRule[];
}

const NFT_FAMILY = { ipv4: 'ip', ipv6: 'ip6' } as const;
const IP_FLAG = { ipv4: '-4', ipv6: '-6' } as const;
const V = { ipv4: 'v4', ipv6: 'v6' } as const;

function set(values: string[]): string {
  return `{ ${values.join(', ')} }`;
}

function clusterDestinations(plan: ClusterLayout, family: IpFamily): string[] {
  const pods = plan.clusterPodCidrs[family];
  const nodes = plan.networks.map((n) => n.subnets[family]);
  return [pods, ...nodes].filter((c): c is string => c !== undefined);
}

/** The destinations of a narrower SNAT exemption (a fault's): the pod CIDRs, and the nodes' InternalIPs. */
function exemptDestinations(
  plan: ClusterLayout,
  family: IpFamily,
  exempt: 'podsAndNodeIPs' | 'pods',
): string[] {
  const pods = plan.clusterPodCidrs[family];
  const nodes = exempt === 'pods' ? [] : plan.nodes.map((n) => n.addresses[family]);
  return [pods, ...nodes].filter((c): c is string => c !== undefined);
}

const EXEMPT_SET = { podsAndNodeIPs: 'node-ips', pods: 'pods' } as const;

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: renders one nftables table whose rules follow the behaviour record and its faults in order
function nftTable(plan: ClusterLayout, node: string, state: DataplaneState): string {
  const egressRules: string[] = [];
  const dnatRules: string[] = [];
  const masqueradeRules: string[] = [];
  const replyRules: string[] = [];
  const forwardRules: string[] = [];
  for (const family of plan.families) {
    const ip = NFT_FAMILY[family];
    for (const placement of state.egress) {
      const lb = placement.loadBalancerIPs[family];
      if (!lb) continue;
      const all = placement.endpoints.map((e) => e.ips[family]).filter((a): a is string => !!a);
      const local = placement.endpoints
        .filter((e) => e.node === node)
        .map((e) => e.ips[family])
        .filter((a): a is string => !!a);
      const exempt = placement.snatExempt ? EXEMPT_SET[placement.snatExempt] : 'cluster';
      const outward = placement.snatInCluster ? '' : `${ip} daddr != @${exempt}-${V[family]} `;
      const only = placement.protocols ? `meta l4proto ${set(placement.protocols)} ` : '';
      if (placement.host === 'ALL') {
        // sourceIPBy Network: the node's masquerade picks its address on the network. A
        // LoadBalancer IP here is only ever a fault's (networkSourceIsLoadBalancerIP).
        if (local.length > 0)
          egressRules.push(`${ip} saddr ${set(local)} ${only}${outward}snat ${ip} to ${lb}`);
      } else if (placement.host === node && all.length > 0) {
        egressRules.push(`${ip} saddr ${set(all)} ${only}${outward}snat ${ip} to ${lb}`);
        if (placement.dropReplies) replyRules.push(`${ip} daddr ${lb} ct direction reply drop`);
        const remote = placement.endpoints
          .filter((e) => e.node !== node)
          .map((e) => e.ips[family])
          .filter((a): a is string => !!a);
        if (placement.dropSteeredEgress && remote.length > 0)
          forwardRules.push(`${ip} saddr ${set(remote)} ${ip} daddr != @cluster-${V[family]} drop`);
      } else if (local.length > 0 && plan.dataPlane !== 'ovn' && !placement.hostOnly) {
        // Keep the pod source: the chosen node rewrites it. (With OVN, endpoints' traffic never
        // reaches its own node's host: OVN reroutes it to the chosen node.) (The first NAT decision sticks, so
        // this also keeps the node's own masquerade away.)
        egressRules.push(
          `${ip} saddr ${set(local)} ${only}${ip} daddr != @cluster-${V[family]} snat ${ip} to ${ip} saddr`,
        );
      }
    }
    const ingress = state.ingress.filter((r) => r.family === family && r.backends.length > 0);
    for (const rule of ingress) {
      const map = rule.backends.map((b, i) => `${i} : ${b.ip} . ${b.port}`).join(', ');
      dnatRules.push(
        `${ip} daddr ${rule.address} ${rule.protocol} dport ${rule.port} dnat ${ip} to numgen inc mod ${rule.backends.length} map { ${map} }`,
      );
    }
    const addresses = [...new Set(ingress.map((r) => r.address))];
    if (addresses.length > 0)
      masqueradeRules.push(`ct status dnat ct original ${ip} daddr ${set(addresses)} masquerade`);
  }
  const narrower = [...new Set(state.egress.map((p) => p.snatExempt).filter((e) => e !== undefined))];
  const sets = plan.families.flatMap((family) => [
    `  set cluster-${V[family]} {`,
    `    type ${family === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'}; flags interval`,
    `    elements = ${set(clusterDestinations(plan, family))}`,
    '  }',
    ...narrower.flatMap((exempt) => [
      `  set ${EXEMPT_SET[exempt]}-${V[family]} {`,
      `    type ${family === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'}; flags interval`,
      `    elements = ${set(exemptDestinations(plan, family, exempt))}`,
      '  }',
    ]),
  ]);
  return [
    `table inet ${REFERENCE_NFT_TABLE} {`,
    ...sets,
    '  chain ingress-dnat {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnatRules.map((r) => `    ${r}`),
    '  }',
    '  chain egress-snat {',
    // Before the node's pod masquerade (srcnat, base.nft): the first NAT decision of a connection sticks.
    `    type nat hook postrouting priority ${state.egress.some((p) => p.snatAtMasqueradePriority) ? 'srcnat + 1' : 'srcnat - 10'}; policy accept;`,
    ...egressRules.map((r) => `    ${r}`),
    '  }',
    '  chain ingress-masquerade {',
    '    type nat hook postrouting priority srcnat + 10; policy accept;',
    ...masqueradeRules.map((r) => `    ${r}`),
    '  }',
    // Between conntrack (-200) and the NAT that rewrites a reply's destination back to the pod (-100).
    '  chain egress-replies {',
    '    type filter hook prerouting priority mangle; policy accept;',
    ...replyRules.map((r) => `    ${r}`),
    '  }',
    ...(forwardRules.length > 0
      ? [
          '  chain egress-forward {',
          '    type filter hook forward priority filter; policy accept;',
          ...forwardRules.map((r) => `    ${r}`),
          '  }',
        ]
      : []),
    '}',
  ].join('\n');
}

/** The policy-routing state of a node: `ip rule` lines and steering routes, as commands. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: policy-routing state per node follows the behaviour record and its faults in order
function routingState(
  plan: ClusterLayout,
  node: string,
  state: DataplaneState,
): { rules: string[]; routes: string[] } {
  const rules: string[] = [];
  const routes: string[] = [];
  for (const family of plan.families) {
    const flag = IP_FLAG[family];
    const steered: Array<{ source: string; table: number; via: string }> = [];
    const networked = networkRoutes(node, state, family);
    for (const placement of state.egress) {
      // With OVN the steering is OVN's reroute policies (ovn-egress.ts), not ip rules.
      if (plan.dataPlane === 'ovn') break;
      if (placement.host === node || placement.host === 'ALL' || !placement.loadBalancerIPs[family]) continue;
      if (placement.hostOnly) continue;
      const hostIndex = plan.nodes.findIndex((n) => n.name === placement.host);
      const via = plan.nodes[hostIndex]?.addresses[family];
      if (hostIndex < 0 || !via) continue;
      for (const endpoint of placement.endpoints.filter((e) => e.node === node && !e.hostNetwork)) {
        const source = endpoint.ips[family];
        if (source) steered.push({ source, table: STEER_TABLE_BASE + hostIndex, via });
      }
    }
    if (steered.length === 0 && networked.length === 0) continue;
    for (const destination of clusterDestinations(plan, family)) {
      rules.push(`ip ${flag} rule add to ${destination} lookup main priority ${CLUSTER_RULE_PRIORITY}`);
    }
    for (const table of new Set(steered.map((s) => `${s.table} ${s.via}`))) {
      const [id, via] = table.split(' ');
      routes.push(`ip ${flag} route replace default via ${via} table ${id}`);
    }
    for (const { source, table } of steered) {
      rules.push(`ip ${flag} rule add from ${source} lookup ${table} priority ${STEER_RULE_PRIORITY}`);
    }
    for (const { source, table } of networked) {
      rules.push(`ip ${flag} rule add from ${source} lookup ${table} priority ${NETWORK_RULE_PRIORITY}`);
    }
  }
  return { rules: [...new Set(rules)], routes };
}

/**
 * Commands that take the node's policy routing from `previous` to `state`. With a known previous
 * state only the difference is applied, new rules before old ones go: a rule rewritten from
 * scratch would leave a moment without steering, in which endpoints' packets leave their own
 * node with the pod source (a leak ES-LEAK-1 sees). Without one, everything is rebuilt.
 */
function routingCommands(
  plan: ClusterLayout,
  node: string,
  state: DataplaneState,
  previous?: DataplaneState,
): string[] {
  const next = routingState(plan, node, state);
  const lines: string[] = [];
  if (previous === undefined) {
    for (const family of plan.families) {
      const flag = IP_FLAG[family];
      for (const priority of [CLUSTER_RULE_PRIORITY, STEER_RULE_PRIORITY, NETWORK_RULE_PRIORITY]) {
        lines.push(`while ip ${flag} rule del priority ${priority} 2>/dev/null; do :; done`);
      }
      plan.nodes.forEach((_n, i) => {
        lines.push(`ip ${flag} route flush table ${STEER_TABLE_BASE + i} 2>/dev/null || true`);
      });
    }
    return [...lines, ...next.routes, ...next.rules];
  }
  const before = routingState(plan, node, previous);
  const added = next.rules.filter((r) => !before.rules.includes(r));
  const removed = before.rules.filter((r) => !next.rules.includes(r));
  const tablesOf = (routes: string[]) =>
    routes.map((r) => r.replace(/^ip (-[46]) route replace .* table (\d+)$/, '$1 $2'));
  const keptTables = new Set(tablesOf(next.routes));
  const goneTables = tablesOf(before.routes).filter((t) => !keptTables.has(t));
  return [
    ...next.routes,
    ...added,
    ...removed.map((r) => `${r.replace(' rule add ', ' rule del ')} 2>/dev/null || true`),
    ...goneTables.map((t) => {
      const [flag, id] = t.split(' ');
      return `ip ${flag} route flush table ${id} 2>/dev/null || true`;
    }),
  ];
}

/**
 * Sources this node routes by an EgressService's network table: on the chosen node every
 * endpoint (its own and those steered to it) and the LoadBalancer IP (replies to the Service's
 * clients); with `ALL`, this node's own endpoints.
 */
export function networkRoutes(
  node: string,
  state: DataplaneState,
  family: IpFamily,
): Array<{ source: string; table: number }> {
  const routes: Array<{ source: string; table: number }> = [];
  for (const placement of state.egress) {
    const table = placement.table;
    if (table === undefined) continue;
    const pods = placement.endpoints.filter((e) => !e.hostNetwork);
    let sources: Array<string | undefined>;
    if (placement.host === 'ALL') sources = pods.filter((e) => e.node === node).map((e) => e.ips[family]);
    else if (placement.host === node) {
      sources = [...pods.map((e) => e.ips[family]), placement.loadBalancerIPs[family]];
    } else continue;
    for (const source of sources) if (source) routes.push({ source, table });
  }
  return [...new Map(routes.map((r) => [`${r.source} ${r.table}`, r])).values()];
}

/**
 * The script that puts `node` into `state` (from `previous`, the state last applied, when
 * known); an empty state leaves nothing of ours behind.
 */
export function renderNodeDataplane(
  plan: ClusterLayout,
  node: string,
  state: DataplaneState,
  previous?: DataplaneState,
): string {
  // The ETP-Local ingress is etpLocalCommands' own: no DNAT to every endpoint, no masquerade.
  const clusterPolicy = { ...state, ingress: state.ingress.filter((r) => r.nodePort === undefined) };
  return [
    `nft -f - <<'NFT'`,
    `table inet ${REFERENCE_NFT_TABLE}`,
    `delete table inet ${REFERENCE_NFT_TABLE}`,
    nftTable(plan, node, clusterPolicy),
    'NFT',
    ...routingCommands(plan, node, state, previous),
    ...etpLocalCommands(plan, node, state, previous),
    '',
  ].join('\n');
}

export const EMPTY_DATAPLANE: DataplaneState = { egress: [], ingress: [] };

/**
 * externalTrafficPolicy Local the way upstream's local gateway mode carries it (read at
 * OVN-Kubernetes 251895cd534fcdc797a9fdbb7f289a95b63ea4af): the host DNATs the ingress IP and
 * port to the ETP-Local masquerade address and the node port (`getExternalIPTRules` in
 * go-controller/pkg/node/gateway_iptables.go; 169.254.169.3 and fd69::3 in
 * go-controller/pkg/config/config.go), routes that address into OVN (the management port,
 * managementport/port_config.go), where the node switch's load balancer DNATs it to a local
 * endpoint (services/lb_config.go). The reply comes back into the host from the masquerade
 * address and node port, and that is the source the host routes it by: with spec.network, only
 * the node controller's `from <masquerade> sport <node port>` rule sends it by the network's
 * table (210a1808b, egressservice_node.go).
 *
 * The lab has no OVN switch between the host and the pod, so the pod's own network namespace
 * plays its part: a second conntrack that DNATs the masquerade address and node port to the pod
 * and undoes it on the reply, so the node sees the reply from the masquerade address as
 * upstream's host does. A node port's connections go to one local endpoint (the lowest address)
 * where OVN would balance them across the local endpoints.
 */
export const ETP_LOCAL_NFT_TABLE = 'ec-etp-local';
export const ETP_LOCAL_MASQUERADE: Readonly<Record<IpFamily, string>> = {
  ipv4: '169.254.169.3',
  ipv6: 'fd69::3',
};
/** `ip rule ... ipproto` by number: the lab's nodes have no /etc/protocols to read names from. */
const IP_PROTOCOL = { tcp: 6, udp: 17 } as const;
/** Before the in-cluster rule (1500): the hop to the pod is found by destination and node port. */
const ETP_LOCAL_RULE_PRIORITY = 1450;

interface EtpLocalState {
  dnat: string[];
  rules: string[];
  routes: string[];
  /** The rules of each pod's network namespace. */
  pods: Map<string, string[]>;
}

function hostPort(family: IpFamily, address: string, port: number): string {
  return family === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`;
}

function etpLocalState(plan: ClusterLayout, node: string, state: DataplaneState): EtpLocalState {
  const result: EtpLocalState = { dnat: [], rules: [], routes: [], pods: new Map() };
  if (plan.dataPlane === 'ovn') return result;
  for (const rule of state.ingress) {
    if (rule.nodePort === undefined) continue;
    const ip = NFT_FAMILY[rule.family];
    const flag = IP_FLAG[rule.family];
    const masquerade = ETP_LOCAL_MASQUERADE[rule.family];
    const [backend] = rule.backends
      .filter((b) => b.node === node && b.netns !== undefined)
      .sort((a, b) => a.ip.localeCompare(b.ip));
    // No local endpoint: nothing here serves the Service (MetalLB announces it from elsewhere).
    if (!backend?.netns) continue;
    const vip = hostPort(rule.family, masquerade, rule.nodePort);
    result.dnat.push(`${ip} daddr ${rule.address} ${rule.protocol} dport ${rule.port} dnat ${ip} to ${vip}`);
    result.rules.push(
      `ip ${flag} rule add to ${masquerade} ipproto ${IP_PROTOCOL[rule.protocol]} dport ${rule.nodePort} lookup ${rule.nodePort} priority ${ETP_LOCAL_RULE_PRIORITY}`,
    );
    result.routes.push(`ip ${flag} route replace ${masquerade} via ${backend.ip} table ${rule.nodePort}`);
    const pod = result.pods.get(backend.netns) ?? [];
    pod.push(
      `${ip} daddr ${masquerade} ${rule.protocol} dport ${rule.nodePort} dnat ${ip} to ${hostPort(rule.family, backend.ip, backend.port)}`,
    );
    result.pods.set(backend.netns, pod);
  }
  for (const placement of state.egress) {
    if (placement.table === undefined || !placement.nodePorts) continue;
    if (placement.host !== node && placement.host !== 'ALL') continue;
    for (const family of plan.families) {
      for (const port of placement.nodePorts[family] ?? []) {
        result.rules.push(
          `ip ${IP_FLAG[family]} rule add from ${ETP_LOCAL_MASQUERADE[family]} sport ${port} lookup ${placement.table} priority ${NETWORK_RULE_PRIORITY}`,
        );
      }
    }
  }
  result.rules = [...new Set(result.rules)];
  return result;
}

function natTable(rules: string[]): string[] {
  return [
    `table inet ${ETP_LOCAL_NFT_TABLE}`,
    `delete table inet ${ETP_LOCAL_NFT_TABLE}`,
    ...(rules.length > 0
      ? [
          `table inet ${ETP_LOCAL_NFT_TABLE} {`,
          '  chain prerouting {',
          '    type nat hook prerouting priority dstnat; policy accept;',
          ...rules.map((r) => `    ${r}`),
          '  }',
          '}',
        ]
      : []),
  ];
}

/**
 * Commands that take a node's ETP-Local hop (its nftables table, the pods' tables, the ip rules
 * and tables by node port, the network's rules for the replies) from `previous` to `state`.
 * Without a previous state every rule of its priority goes first; the network rules' priority is
 * routingCommands' to clear then.
 */
function etpLocalCommands(
  plan: ClusterLayout,
  node: string,
  state: DataplaneState,
  previous?: DataplaneState,
): string[] {
  const next = etpLocalState(plan, node, state);
  const before = previous ? etpLocalState(plan, node, previous) : undefined;
  // Nothing to replace (the usual case: no ETP Local Service before or now): no nft run at all.
  const unchanged = before && before.dnat.length === 0 && next.dnat.length === 0;
  const lines = unchanged ? [] : [`nft -f - <<'NFT'`, ...natTable(next.dnat), 'NFT'];
  for (const [netns, rules] of next.pods) {
    // A pod deleted since the state was computed has no namespace left to program.
    lines.push(`if [ -e /run/netns/${netns} ]; then`, `ip netns exec ${netns} nft -f - <<'NFT'`);
    lines.push(...natTable(rules), 'NFT', 'fi');
  }
  for (const netns of before?.pods.keys() ?? []) {
    if (!next.pods.has(netns))
      lines.push(`ip netns exec ${netns} nft delete table inet ${ETP_LOCAL_NFT_TABLE} 2>/dev/null || true`);
  }
  if (!before) {
    for (const family of plan.families)
      lines.push(
        `while ip ${IP_FLAG[family]} rule del priority ${ETP_LOCAL_RULE_PRIORITY} 2>/dev/null; do :; done`,
      );
    return [...lines, ...next.routes, ...next.rules];
  }
  const tableOf = (route: string) => route.replace(/^ip (-[46]) route replace .* table (\d+)$/, '$1 $2');
  const kept = new Set(next.routes.map(tableOf));
  return [
    ...lines,
    ...next.routes,
    ...next.rules.filter((r) => !before.rules.includes(r)),
    ...before.rules
      .filter((r) => !next.rules.includes(r))
      .map((r) => `${r.replace(' rule add ', ' rule del ')} 2>/dev/null || true`),
    ...before.routes
      .map(tableOf)
      .filter((t) => !kept.has(t))
      .map((t) => `ip ${t.split(' ')[0]} route flush table ${t.split(' ')[1]} 2>/dev/null || true`),
  ];
}
