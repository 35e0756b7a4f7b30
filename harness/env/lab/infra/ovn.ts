/**
 * The lab's OVN data plane, as shell scripts run in its containers (IPv4, IPv6 or dual-stack;
 * docs/ovn-lab.md): OVN's central databases and ovn-northd in one container; on every node Open
 * vSwitch with the userspace datapath (no kernel module here), ovn-controller, and br-ex holding
 * the node's underlay interface so that geneve reaches the other nodes; and the logical topology
 * in OVN-Kubernetes' shape.
 *
 * Topology and names follow OVN-Kubernetes at release-1.3 (251895cd):
 * go-controller/pkg/types/const.go for the names (`ovn_cluster_router`, switch `join`, `GR_<node>`,
 * `ext_<node>`, ports `rtos-`/`stor-`, `rtoj-`/`jtor-`, `rtoe-`/`etor-`, management port
 * `k8s-<node>`); go-controller/pkg/config/config.go for the join subnets 100.64.0.0/16 and fd98::/64. A node's
 * management port has the second address of its subnet in each family (.2, ::2), its router port
 * the first (.1, ::1); the geneve tunnels run over the nodes' IPv4 underlay addresses in every
 * family (the lab's docker networks are always dual-stack).
 *
 * What was measured on this kind of machine (shared/experiments/ovn-userspace): OVS 3.1 needs
 * `userspace-tso-enable` before ovs-vswitchd starts for TCP through the tunnel, and drops
 * tunnelled packets that still carry checksum-offload flags, so senders turn tx offload off.
 */
import { createHash } from 'node:crypto';
import { formatIpv6, parseIp, subnetHost } from '../../../common/ip.js';

export const OVN_NB_PORT = 6641;
export const OVN_SB_PORT = 6642;
export type OvnFamily = 'ipv4' | 'ipv6';
/** The join subnets per family (go-controller/pkg/config/config.go V4JoinSubnet, V6JoinSubnet). */
export const OVN_JOIN_SUBNETS = { ipv4: '100.64.0.0/16', ipv6: 'fd98::/64' } as const;
export const OVN_JOIN_SUBNET = OVN_JOIN_SUBNETS.ipv4;
/** The bridge mapping's physical network name: the localnet ports of the ext_ switches use it. */
const PHYSNET = 'physnet';

export interface OvnNodeSpec {
  name: string;
  /** Index of the node (0, 1, ...): numbers its join addresses (the join subnet's index+2). */
  index: number;
  /** The node's families, in the cluster's order: the first one's address gives a port its MAC. */
  families: OvnFamily[];
  /** The node's pod subnet per family, e.g. 10.244.1.0/24: .1 is its router port, .2 its management port. */
  podCidrs: Partial<Record<OvnFamily, string>>;
  /** The gateway router's address on the node's underlay network per family (a /prefix given). */
  gatewayRouterAddresses: Partial<Record<OvnFamily, string>>;
  /** Next hop of the gateway router's default route on the underlay, per family. */
  underlayGateways: Partial<Record<OvnFamily, string>>;
  /**
   * The gateway router's MAC on the underlay; default `ovnMac` of its first address. In shared
   * gateway mode the node's (br-ex's), shared with the host as its address is.
   */
  gatewayRouterMac?: string;
  /** The node's own addresses (every network's): shared mode routes pods' traffic for them to its host. */
  hostAddresses?: string[];
}

/**
 * OVN-Kubernetes' MAC for an address (go-controller/pkg/util/net.go IPAddrToHWAddr): 0a:58 and
 * an IPv4 address's four bytes, or the first four bytes of the SHA-256 of an IPv6 address's text.
 */
export function ovnMac(ip: string): string {
  const bytes =
    parseIp(ip).version === 4
      ? ip.split('.').map(Number)
      : [
          ...createHash('sha256')
            .update(formatIpv6(parseIp(ip).value))
            .digest()
            .subarray(0, 4),
        ];
  return ['0a', '58', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

function familyValue(values: Partial<Record<OvnFamily, string>>, family: OvnFamily, what: string): string {
  const value = values[family];
  if (!value) throw new Error(`the OVN node has no ${family} ${what}`);
  return value;
}

export const nodePodCidr = (node: OvnNodeSpec, family: OvnFamily = 'ipv4') =>
  familyValue(node.podCidrs, family, 'pod subnet');
export const nodeRouterAddress = (node: OvnNodeSpec, family: OvnFamily = 'ipv4') =>
  subnetHost(nodePodCidr(node, family), 1);
export const managementAddress = (node: OvnNodeSpec, family: OvnFamily = 'ipv4') =>
  subnetHost(nodePodCidr(node, family), 2);
export const joinAddress = (node: OvnNodeSpec, family: OvnFamily = 'ipv4') =>
  subnetHost(OVN_JOIN_SUBNETS[family], node.index + 2);
/** The cluster router's join address per family (the join subnet's first). */
export const clusterRouterJoinAddress = (family: OvnFamily) => subnetHost(OVN_JOIN_SUBNETS[family], 1);
const prefixLength = (cidr: string) => cidr.split('/')[1] ?? '24';
/** `a/p b/p` for a router port: each family's address with its subnet's prefix length. */
const withPrefixes = (pairs: Array<[string, string]>) =>
  pairs.map(([ip, cidr]) => `${ip}/${prefixLength(cidr)}`).join(' ');
/** The MAC of a port with these addresses: the first's (upstream takes the first IP's). */
const macOf = (addresses: string[]) => ovnMac(addresses[0] as string);

/** Starts NB and SB (listening on TCP for the nodes) and ovn-northd. Run in the central container. */
export function startCentralScript(): string {
  return `set -e
/usr/share/ovn/scripts/ovn-ctl --db-nb-create-insecure-remote=yes --db-sb-create-insecure-remote=yes start_northd >/dev/null
ovn-nbctl set-connection ptcp:${OVN_NB_PORT}
ovn-sbctl set-connection ptcp:${OVN_SB_PORT}
`;
}

/**
 * Starts Open vSwitch (userspace datapath) and ovn-controller on a node, with br-ex taking over
 * `underlay` (its addresses, its MAC as br-ex's, the default route) and br-int for OVN.
 * `ovs-ctl` is not used: it insists on loading the kernel module.
 */
export function startNodeScript(
  node: string,
  centralIp: string,
  underlay = 'eth0',
  /** br-ex's MAC; default the underlay's. */
  bridgeMac?: string,
): string {
  return `set -e
mkdir -p /var/run/openvswitch /etc/openvswitch /var/log/openvswitch /var/run/ovn /var/log/ovn
[ -f /etc/openvswitch/conf.db ] || ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server /etc/openvswitch/conf.db --remote=punix:/var/run/openvswitch/db.sock \\
  --pidfile=/var/run/openvswitch/ovsdb-server.pid --log-file=/var/log/openvswitch/ovsdb-server.log --detach
ovs-vsctl --no-wait init
# Before ovs-vswitchd starts: without it TCP through the tunnel fails on partial checksums.
ovs-vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true \\
  external-ids:system-id=${node} external-ids:hostname=${node}
ovs-vswitchd unix:/var/run/openvswitch/db.sock --pidfile=/var/run/openvswitch/ovs-vswitchd.pid \\
  --log-file=/var/log/openvswitch/ovs-vswitchd.log --detach
addrs=$(ip -4 -o addr show dev ${underlay} | awk '{print $4}')
addrs6=$(ip -6 -o addr show dev ${underlay} scope global | awk '{print $4}')
gw=$(ip -4 route show default dev ${underlay} | awk '{print $3; exit}')
mac=${bridgeMac ?? `$(cat /sys/class/net/${underlay}/address)`}
ovs-vsctl add-br br-ex -- set bridge br-ex datapath_type=netdev other-config:hwaddr=$mac -- add-port br-ex ${underlay}
# The kernel must not also answer what arrives on ${underlay}: br-ex (and the host behind it) does.
nft -f - <<NFT
table netdev lab_ovn_underlay {
  chain ingress { type filter hook ingress device "${underlay}" priority 0; policy drop; }
}
NFT
ip -4 addr flush dev ${underlay}
ip -6 addr flush dev ${underlay} scope global
for a in $addrs; do ip addr add $a dev br-ex; done
# IPv6 addresses without duplicate address detection: usable at once (no tentative phase).
for a in $addrs6; do ip -6 addr add $a dev br-ex nodad; done
ip link set br-ex up
if [ -n "$gw" ]; then ip route replace default via $gw dev br-ex; fi
ip=$(echo "$addrs" | head -1 | cut -d/ -f1)
ovs-vsctl add-br br-int -- set bridge br-int datapath_type=netdev fail-mode=secure other-config:disable-in-band=true
ovs-vsctl set Open_vSwitch . external-ids:ovn-remote=tcp:${centralIp}:${OVN_SB_PORT} \\
  external-ids:ovn-encap-type=geneve external-ids:ovn-encap-ip=$ip external-ids:ovn-bridge=br-int \\
  external-ids:ovn-bridge-datapath-type=netdev external-ids:ovn-bridge-mappings=${PHYSNET}:br-ex
ovn-controller unix:/var/run/openvswitch/db.sock --pidfile=/var/run/ovn/ovn-controller.pid \\
  --log-file=/var/log/ovn/ovn-controller.log --detach
`;
}

/**
 * OVN-Kubernetes' two gateway modes differ, for pod egress, in one source route per node subnet
 * and family on ovn_cluster_router (at 251895cd): `shared` routes the node subnet to the node's
 * gateway router over the join switch (pkg/ovn/gateway.go, the src-ip LogicalRouterStaticRoute
 * towards the join IP), `local` to the node's management port, into the host
 * (pkg/ovn/base_network_controller.go, the src-ip route to the management IP when Gateway.Mode is
 * local).
 */
export type OvnGatewayMode = 'shared' | 'local';

/**
 * ovn-nbctl lines that (re)point the node subnet's source route for the gateway mode. In shared
 * mode the gateway router holds the node's address, so pods' traffic for a node's addresses
 * needs routes. Upstream sends a pod's traffic for its own node's addresses to the management
 * port with policies at 1004 (pkg/ovn/gatewayrouter/policybasedroutes.go AddSameNodeIPPolicy,
 * `inport == "rtos-<node>" && ip4.dst == <node IP>`), and other nodes' through the pod's gateway
 * router, SNATed to its node's address. The lab's egress controller owns the cluster router's
 * policies (it replaces them all), so the lab says the same with routes: the router port
 * `rtos-<node>` gets a route table of its own holding the node's shared address towards its
 * management port (OVN applies a port's table to what enters by that port), and no global
 * route covers that address, so other nodes' pods take their source route to their gateway
 * router. The node's addresses on other networks, which the gateway router (routing everything
 * to the default network's peer) cannot reach, keep a global route to its management port.
 */
export function gatewayModeRouteScript(node: OvnNodeSpec, mode: OvnGatewayMode): string {
  const sourceRoutes = node.families.flatMap((family) => {
    const nexthop = mode === 'shared' ? joinAddress(node, family) : managementAddress(node, family);
    const cidr = nodePodCidr(node, family);
    return [
      `ovn-nbctl --if-exists --policy=src-ip lr-route-del ovn_cluster_router ${cidr}`,
      `ovn-nbctl --policy=src-ip lr-route-add ovn_cluster_router ${cidr} ${nexthop}`,
    ];
  });
  const hostRoutes = (node.hostAddresses ?? []).flatMap((address) => {
    const family: OvnFamily = address.includes(':') ? 'ipv6' : 'ipv4';
    if (!node.families.includes(family)) return [];
    const host = `${address}/${family === 'ipv4' ? 32 : 128}`;
    const table = sharesGatewayRouterAddress(node, family, address)
      ? `--route-table=${routeTable(node)} `
      : '';
    return [
      mode === 'shared'
        ? `ovn-nbctl --may-exist ${table}lr-route-add ovn_cluster_router ${host} ${managementAddress(node, family)}`
        : `ovn-nbctl --if-exists ${table}lr-route-del ovn_cluster_router ${host}`,
    ];
  });
  const port = `rtos-${node.name}`;
  const tableOption =
    mode === 'shared'
      ? `ovn-nbctl set logical_router_port ${port} options:route_table=${routeTable(node)}`
      : `ovn-nbctl remove logical_router_port ${port} options route_table`;
  return [...sourceRoutes, ...(node.hostAddresses?.length ? [tableOption] : []), ...hostRoutes].join('\n');
}

/** The route table of a node's router port on ovn_cluster_router (shared mode's own-node routes). */
const routeTable = (node: OvnNodeSpec) => `rtb-${node.name}`;

/** True for the node's address that its gateway router's external port holds too (shared mode). */
function sharesGatewayRouterAddress(node: OvnNodeSpec, family: OvnFamily, address: string): boolean {
  return node.gatewayRouterAddresses[family]?.split('/')[0] === address;
}

/** The default route's prefix per family. */
const DEFAULT_ROUTE = { ipv4: '0.0.0.0/0', ipv6: '::/0' } as const;

/** One node's part of the topology: its switch and ports, its gateway router, join and external ports. */
function nodeTopologyLines(
  node: OvnNodeSpec,
  clusterCidrs: Partial<Record<OvnFamily, string>>,
  mode: OvnGatewayMode,
): string[] {
  const n = node.name;
  const families = node.families;
  const rtos = families.map((f) => nodeRouterAddress(node, f));
  const mgmt = families.map((f) => managementAddress(node, f));
  const join = families.map((f) => joinAddress(node, f));
  const ext = families.map((f) => familyValue(node.gatewayRouterAddresses, f, 'gateway router address'));
  // OVN-Kubernetes' switch keys: `subnet` for IPv4, `ipv6_prefix` for IPv6
  // (base_network_controller.go, createNodeLogicalSwitch).
  const switchConfig = families.map((f) =>
    f === 'ipv4'
      ? `other_config:subnet=${nodePodCidr(node, f)}`
      : `other_config:ipv6_prefix=${nodePodCidr(node, f).split('/')[0]}`,
  );
  const lines = [
    `$nb ls-add ${n} -- set logical_switch ${n} ${switchConfig.join(' ')}`,
    `$nb lrp-add ovn_cluster_router rtos-${n} ${macOf(rtos)} ${withPrefixes(families.map((f, i) => [rtos[i] as string, nodePodCidr(node, f)]))}`,
    `router_port ${n} stor-${n} rtos-${n}`,
    `$nb lsp-add ${n} k8s-${n} -- lsp-set-addresses k8s-${n} "${macOf(mgmt)} ${mgmt.join(' ')}"`,
    `$nb lr-add GR_${n} -- set logical_router GR_${n} options:chassis=${n}`,
    `$nb lrp-add GR_${n} rtoj-GR_${n} ${macOf(join)} ${withPrefixes(families.map((f, i) => [join[i] as string, OVN_JOIN_SUBNETS[f]]))}`,
    `router_port join jtor-GR_${n} rtoj-GR_${n}`,
    `$nb ls-add ext_${n}`,
    `$nb lrp-add GR_${n} rtoe-GR_${n} ${node.gatewayRouterMac ?? macOf(ext.map((a) => a.split('/')[0] as string))} ${ext.join(' ')}`,
    `router_port ext_${n} etor-GR_${n} rtoe-GR_${n}`,
    `$nb lsp-add ext_${n} breth0_${n} -- lsp-set-type breth0_${n} localnet -- lsp-set-addresses breth0_${n} unknown -- lsp-set-options breth0_${n} network_name=${PHYSNET}`,
  ];
  for (const family of families) {
    const cluster = familyValue(clusterCidrs, family, 'cluster subnet');
    const address = familyValue(node.gatewayRouterAddresses, family, 'gateway router address');
    lines.push(
      `$nb lr-route-add GR_${n} ${cluster} ${clusterRouterJoinAddress(family)}`,
      `$nb lr-route-add GR_${n} ${DEFAULT_ROUTE[family]} ${familyValue(node.underlayGateways, family, 'underlay gateway')} rtoe-GR_${n}`,
      `$nb lr-nat-add GR_${n} snat ${address.split('/')[0]} ${cluster}`,
    );
  }
  lines.push(gatewayModeRouteScript(node, mode));
  return lines;
}

/**
 * The logical topology for the nodes, in ovn-nbctl commands (run where NB is reachable):
 * per node its switch (router port, management port), gateway router pinned to its chassis with
 * a join port and an external port on the node's underlay through a localnet port, and a
 * cluster-wide SNAT of pod traffic leaving through it (used in shared gateway mode); the cluster
 * router with the join switch and the gateway mode's source route per node subnet. Ports carry
 * one address per family of the node (dual-stack: both). The logical router policies
 * (no-reroute, reroute) are the egress controller's: reference/ovn-programmer.ts.
 *
 * In shared gateway mode the gateway router's external port has the node's address and MAC, as
 * upstream's has, and `sharedGatewayBridgeScript` steers br-ex between host and router. In local
 * mode the lab gives it an address of its own on the underlay (it carries no pod egress there).
 */
export function clusterTopologyScript(
  nodes: OvnNodeSpec[],
  clusterCidrs: Partial<Record<OvnFamily, string>>,
  mode: OvnGatewayMode = 'shared',
): string {
  const families = (['ipv4', 'ipv6'] as const).filter((f) => clusterCidrs[f]);
  const joins = families.map((f) => clusterRouterJoinAddress(f));
  const lines = [
    'set -e',
    'nb=ovn-nbctl',
    'router_port() { $nb lsp-add "$1" "$2" -- lsp-set-type "$2" router -- lsp-set-addresses "$2" router -- lsp-set-options "$2" router-port="$3"; }',
    '$nb lr-add ovn_cluster_router -- ls-add join',
    `$nb lrp-add ovn_cluster_router rtoj-ovn_cluster_router ${macOf(joins)} ${withPrefixes(families.map((f, i) => [joins[i] as string, OVN_JOIN_SUBNETS[f]]))}`,
    'router_port join jtor-ovn_cluster_router rtoj-ovn_cluster_router',
  ];
  for (const node of nodes) lines.push(...nodeTopologyLines(node, clusterCidrs, mode));
  return `${lines.join('\n')}\n`;
}

/** OVN-Kubernetes' conntrack zone of br-ex's flows (go-controller/pkg/config/config.go, 64000). */
const BRIDGE_CT_ZONE = 64000;
/** ct_mark of br-ex's connections: from OVN (the gateway router) 0x1, from the host 0x2. */
const CT_MARK_OVN = '0x1';
const CT_MARK_HOST = '0x2';
/** pkt_mark OVN sets on egress-service and egress-IP pods' traffic to node IPs (1008). */
const NODE_SNAT_MARK = '0x3f0';
/** Geneve's UDP port. */
const GENEVE_PORT = 6081;

/**
 * Shared gateway mode's OpenFlow on br-ex, after OVN-Kubernetes' (release-1.3, 251895cd,
 * go-controller/pkg/node/bridgeconfig/bridgeflows.go DefaultBridgeFlows): the host (LOCAL) and
 * the gateway router (the localnet patch port) share the node's IP and MAC, so what leaves
 * either is committed in conntrack zone 64000 with a mark saying whose it is (0x1 router, 0x2
 * host), and what arrives for the node's MAC goes back by that mark; new inbound connections go
 * to the host. Pods' traffic marked 1008 is SNATed to the node IP once more on the way out.
 * The lab's one addition: geneve between the nodes skips conntrack (the userspace datapath
 * pushes and pops tunnel headers inside br-ex's pipeline; upstream's kernel tunnel passes the
 * host stack instead). Waits (up to 60 s) for ovn-controller's patch port first.
 */
export function sharedGatewayBridgeScript(node: OvnNodeSpec, underlay = 'eth0'): string {
  const mac = node.gatewayRouterMac;
  // The flows below are IPv4's (`ip`): shared gateway mode runs on ipv4 labs (lab/settings.ts).
  const ip = familyValue(node.gatewayRouterAddresses, 'ipv4', 'gateway router address').split('/')[0];
  if (!mac) throw new Error(`node ${node.name}: shared gateway mode needs the node's MAC`);
  const patchName = `patch-breth0_${node.name}-to-br-int`;
  /** The patch port's OpenFlow number, read by the script (ovs-ofctl takes no names here). */
  const patch = '$patch';
  const commit = (mark: string, nat = '') =>
    `ct(commit,zone=${BRIDGE_CT_ZONE}${nat},exec(set_field:${mark}->ct_mark)),output:${underlay}`;
  const back = (mark: string, to: string) =>
    ['est', 'rel'].map(
      (state) => `table=1,priority=100,ip,ct_state=+trk+${state},ct_mark=${mark},actions=output:${to}`,
    );
  const flows = [
    `priority=200,in_port=LOCAL,udp,tp_dst=${GENEVE_PORT},actions=output:${underlay}`,
    `priority=200,in_port=${underlay},udp,tp_dst=${GENEVE_PORT},dl_dst=${mac},actions=output:LOCAL`,
    `priority=105,in_port=${patch},dl_src=${mac},ip,pkt_mark=${NODE_SNAT_MARK},actions=${commit(CT_MARK_OVN, `,nat(src=${ip})`)}`,
    `priority=100,in_port=${patch},dl_src=${mac},ip,actions=${commit(CT_MARK_OVN)}`,
    `priority=100,in_port=LOCAL,ip,actions=${commit(CT_MARK_HOST)}`,
    `priority=50,in_port=${underlay},ip,dl_dst=${mac},actions=ct(zone=${BRIDGE_CT_ZONE},nat,table=1)`,
    // ARP and the like for the shared MAC reach both; the router's own go out as usual.
    `priority=10,dl_dst=${mac},actions=output:${patch},output:LOCAL`,
    `priority=10,in_port=${patch},dl_src=${mac},actions=NORMAL`,
    `priority=9,in_port=${patch},actions=drop`,
    ...back(CT_MARK_OVN, patch),
    ...back(CT_MARK_HOST, 'LOCAL'),
    `table=1,priority=10,dl_dst=${mac},actions=output:LOCAL`,
  ];
  return `set -e
i=0
until patch=$(ovs-vsctl --if-exists get interface ${patchName} ofport 2>/dev/null) && [ "$patch" -gt 0 ] 2>/dev/null; do
  i=$((i + 1)); if [ $i -gt 600 ]; then echo "ovn-controller made no ${patchName} in 60 s" >&2; exit 1; fi
  sleep 0.1
done
ovs-ofctl add-flows br-ex - <<FLOWS
${flows.join('\n')}
FLOWS
${markedTunnelRoute(node)}
`;
}

/**
 * The userspace datapath's native tunnel looks the remote's route up with the packet's
 * pkt_mark, and its routes (copied from the kernel, mark 0) match that mark exactly (OVS 3.1
 * `ovs/route/lookup <ip> pkt_mark=1008`: "Not found"). The node no-reroute policy marks
 * EgressService endpoints' traffic for node addresses with 1008, and in shared mode the lab routes
 * a node's addresses to that node's management port (gatewayModeRouteScript), so for another
 * node that traffic crosses geneve, and without this route it was dropped: core's
 * in-cluster-traffic-not-rewritten failed with "6/9 tcp attempts to <node>:9376 got no reply" from
 * the endpoints on the other nodes, and no packet reached the target's host. A kernel datapath's
 * tunnel looks it up in the host's tables, where no rule selects on that mark, so upstream's
 * marked packets are never lost this way. The route: the underlay subnet (where the tunnels'
 * remotes are) on br-ex for mark 1008 too.
 */
function markedTunnelRoute(node: OvnNodeSpec): string {
  const address = familyValue(node.gatewayRouterAddresses, 'ipv4', 'gateway router address');
  const subnet = `${subnetHost(address, 0)}/${prefixLength(address)}`;
  return `ovs-appctl ovs/route/add ${subnet} br-ex pkt_mark=${Number(NODE_SNAT_MARK)} >/dev/null`;
}

/**
 * The management port's interface: upstream's name (go-controller/pkg/types/const.go
 * K8sMgmtIntfName), which also fits the kernel's 15 characters where `k8s-<node>` may not.
 */
export const MANAGEMENT_INTERFACE = 'ovn-k8s-mp0';

const IP_FLAG = { ipv4: '-4', ipv6: '-6' } as const;
/** IPv6 addresses skip duplicate address detection: usable at once. */
const NODAD = { ipv4: '', ipv6: ' nodad' } as const;

/**
 * What the host sends into the pod network through the management port leaves with the port's
 * address, as on an OVN-Kubernetes node (go-controller/pkg/node/managementport/port_linux.go at
 * 251895cd, chain `mgmtport-snat`: `oifname != ovn-k8s-mp0 return`, no SNAT when the source is
 * already the port's address, `snat ip to <mgmt>`; its exemptions for NodePorts and ETP-Local
 * services do not apply in the lab, whose ingress is masqueraded anyway). So pod traffic that an
 * implementation detours through a node's host on its way to another pod (a reroute above the
 * no-reroute policies) arrives with the management address, not its pod IP.
 */
function managementPortSnat(family: OvnFamily, mgmt: string): string {
  const ip = family === 'ipv4' ? 'ip' : 'ip6';
  return `nft -f - <<NFT
table ${ip} ovn-k8s-mgmtport
delete table ${ip} ovn-k8s-mgmtport
table ${ip} ovn-k8s-mgmtport {
  chain mgmtport-snat {
    type nat hook postrouting priority srcnat; policy accept;
    oifname != "${MANAGEMENT_INTERFACE}" return
    ${ip} saddr ${mgmt} return
    snat ${ip} to ${mgmt}
  }
}
NFT`;
}

/**
 * The node's management port: an internal port of br-int (`ovn-k8s-mp0`) bound to `k8s-<node>`,
 * carrying the node subnet's .2 (::2) of each family in the host stack, with the route to the
 * cluster's pods of each family through the node's router port. Rerouted egress traffic arrives
 * here, in the host, for SNAT and ip rules.
 */
export function managementPortScript(
  node: OvnNodeSpec,
  clusterCidrs: Partial<Record<OvnFamily, string>>,
): string {
  const mgmt = node.families.map((f) => managementAddress(node, f));
  const lines = [
    'set -e',
    `ovs-vsctl --may-exist add-port br-int ${MANAGEMENT_INTERFACE} -- set interface ${MANAGEMENT_INTERFACE} type=internal external_ids:iface-id=k8s-${node.name}`,
    `ip link set ${MANAGEMENT_INTERFACE} address ${macOf(mgmt)} mtu 1400 up`,
  ];
  for (const family of node.families) {
    const cidr = nodePodCidr(node, family);
    lines.push(
      `ip ${IP_FLAG[family]} addr replace ${managementAddress(node, family)}/${prefixLength(cidr)} dev ${MANAGEMENT_INTERFACE}${NODAD[family]}`,
      `ip ${IP_FLAG[family]} route replace ${familyValue(clusterCidrs, family, 'cluster subnet')} via ${nodeRouterAddress(node, family)} dev ${MANAGEMENT_INTERFACE}`,
    );
  }
  lines.push(
    '# Replies to rerouted pod traffic leave the host through this port into the tunnel. (Forwarding',
    "# and rp_filter are the lab node's docker sysctls: containers.ts SYSCTLS.)",
    `ethtool -K ${MANAGEMENT_INTERFACE} tx off >/dev/null`,
    ...node.families.map((family) => managementPortSnat(family, managementAddress(node, family))),
  );
  return `${lines.join('\n')}\n`;
}

/** OVN-Kubernetes' logical switch port name of a pod. */
export const podLogicalPort = (namespace: string, pod: string) => `${namespace}_${pod}`;

/**
 * Attaches a pod's network namespace to OVN: its logical switch port (run where NB is
 * reachable, `ovn-nbctl --db=...` from the node) and the node side of its veth on br-int, bound
 * by iface-id. The pod's eth0 gets the port's MAC, its address in the node subnet of each family
 * given, the router port as default gateway, and tx checksum offload off (OVS 3.1 drops
 * tunnelled packets with it).
 */
export function attachPodScript(options: {
  node: OvnNodeSpec;
  nbDb: string;
  logicalPort: string;
  netns: string;
  veth: string;
  ips: Partial<Record<OvnFamily, string>>;
}): string {
  const { node, logicalPort, netns, veth } = options;
  const families = node.families.filter((f) => options.ips[f]);
  const ips = families.map((f) => options.ips[f] as string);
  const mac = macOf(ips);
  const lines = [
    'set -e',
    `ovn-nbctl --db=${options.nbDb} --may-exist lsp-add ${node.name} ${logicalPort} -- lsp-set-addresses ${logicalPort} "${mac} ${ips.join(' ')}"`,
    `ovs-vsctl --may-exist add-port br-int ${veth} -- set interface ${veth} external_ids:iface-id=${logicalPort}`,
    `ip link set ${veth} mtu 1400 up`,
    `ip -n ${netns} link set eth0 address ${mac} mtu 1400 up`,
  ];
  families.forEach((family, i) => {
    lines.push(
      `ip -n ${netns} ${IP_FLAG[family]} addr add ${ips[i]}/${prefixLength(nodePodCidr(node, family))} dev eth0${NODAD[family]}`,
      `ip -n ${netns} ${IP_FLAG[family]} route add default via ${nodeRouterAddress(node, family)}`,
    );
  });
  lines.push(`ip netns exec ${netns} ethtool -K eth0 tx off >/dev/null`);
  return `${lines.join('\n')}\n`;
}

/** Removes a pod's logical switch port and its br-int port. */
export function detachPodScript(options: { nbDb: string; logicalPort: string; veth: string }): string {
  return `ovn-nbctl --db=${options.nbDb} --if-exists lsp-del ${options.logicalPort}
ovs-vsctl --if-exists del-port br-int ${options.veth}
`;
}
