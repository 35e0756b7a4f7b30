/**
 * Pods of the lab: a network namespace inside a node container, joined to the node by a veth
 * pair, in the style of kind's point-to-point CNI: the pod has its address as a /32 (/128) and a
 * default route via the node side (10.244.N.1 and fe80::1, carried by every pod veth of the
 * node), and the node routes each pod address to its veth. Pod state lives in the node
 * (`/run/lab/pods/<pod>/`), so any process attached to the lab sees the same pods.
 */
import { createHash } from 'node:crypto';
import { ipv4Host, ipv6Host } from '../../../common/ip.js';
import type { FamilyAddresses, IpFamily } from '../../environment.js';
import { podNetnsName } from './labels.js';
import { OVN_NB_PORT } from './ovn.js';
import type { LabNodePlan, LabPlan } from './topology.js';

const POD_NAME = /^[a-z0-9]([a-z0-9.-]{0,98}[a-z0-9])?$/;
/** Pod addresses are .2 to .254 of the node's /24 (and the same numbers, in hex, in its /64). */
const FIRST_SLOT = 2;
const LAST_SLOT = 254;
/** With OVN, .2 is the node's management port: pods start at .3. */
const OVN_FIRST_SLOT = 3;

export interface LabPod {
  node: string;
  name: string;
  /** Network namespace inside the node container (`ip netns exec <netns> ...`). */
  netns: string;
  ips: FamilyAddresses;
}

export function assertPodName(name: string): void {
  if (!POD_NAME.test(name)) {
    throw new Error(`invalid pod name "${name}": use lowercase letters, digits, '-' and '.' (at most 100)`);
  }
}

/** Node-side veth name: 15 characters at most, so a hash of the pod name. */
export function podVethName(pod: string): string {
  return `lp${createHash('sha256').update(pod).digest('hex').slice(0, 10)}`;
}

function podAddressLine(family: IpFamily, node: LabNodePlan): string | undefined {
  const cidr = node.podCidrs[family];
  if (!cidr) return undefined;
  if (family === 'ipv4') return `ip4=${cidr.split('/')[0]!.split('.').slice(0, 3).join('.')}.$slot`;
  return `ip6=${cidr.split('/')[0]!.replace(/::$/, '')}::$(printf %x "$slot")`;
}

/**
 * How long a freed address slot rests before it is handed out again: a replaced pod must get a
 * new address (ES-SNAT-5 relies on it) even when the round-robin has wrapped around to the slot
 * the replaced pod had, as it does on a lab that has run many tests.
 */
export const SLOT_REST_SECONDS = 60;

/**
 * Shell lines that take a free address slot in `root` into `$slot`. A slot is a directory: taken
 * by `mkdir` (atomic, so two creations never share one), freed by the pod's deletion leaving a
 * `freed` file in it (`freeSlotLine`), reclaimed by renaming that file away (atomic too). Slots are
 * handed out round-robin from the one after the last given, as a cluster's IPAM does, and a slot
 * freed less than SLOT_REST_SECONDS ago is passed over while another is free. Exits 28 when every
 * slot is taken.
 */
export function slotAllocationLines(root: string, node: string, first = FIRST_SLOT): string[] {
  const span = LAST_SLOT - first + 1;
  return [
    `last=$(cat "${root}/.last-slot" 2>/dev/null || echo ${first - 1})`,
    `slot=$((last + 1)); if [ $slot -gt ${LAST_SLOT} ] || [ $slot -lt ${first} ]; then slot=${first}; fi`,
    'now=$(date +%s)',
    // Two rounds over the slots: the first takes a never-used slot or one rested long enough, the
    // second any freed one.
    'tried=0; rest=' + SLOT_REST_SECONDS,
    'while :; do',
    `  if mkdir "${root}/.slot-$slot" 2>/dev/null; then break; fi`,
    `  freed="${root}/.slot-$slot/freed"`,
    '  if [ -f "$freed" ] && [ $((now - $(stat -c %Y "$freed" 2>/dev/null || echo "$now"))) -ge "$rest" ] &&',
    '    mv "$freed" "$freed.$$" 2>/dev/null; then rm -f "$freed.$$"; break; fi',
    `  slot=$((slot + 1)); tried=$((tried + 1)); if [ $slot -gt ${LAST_SLOT} ]; then slot=${first}; fi`,
    `  if [ $tried -eq ${span} ]; then rest=0; fi`,
    `  if [ $tried -ge ${2 * span} ]; then slot=; echo "no free pod address on ${node}" >&2; exit 28; fi`,
    'done',
    // Renamed into place: a creation reading the file while another rewrites it in place could
    // read it empty and start again from the first slot, reusing an address just freed.
    `echo "$slot" >"${root}/.last-slot.$$"`,
    `mv -f "${root}/.last-slot.$$" "${root}/.last-slot"`,
  ];
}

/** Shell line that frees the slot numbered by the file `slotFile` (a deleted pod's). */
export function freeSlotLine(root: string, slotFile: string): string {
  return `if [ -s "${slotFile}" ]; then touch "${root}/.slot-$(cat "${slotFile}")/freed" 2>/dev/null || true; fi`;
}

/**
 * Script (run with `sh -e` in the node) that creates the pod and prints `ipv4=...`/`ipv6=...`.
 * Addresses come from `slotAllocationLines`.
 * On any failure it removes what it made.
 */
export function createPodScript(plan: LabPlan, node: LabNodePlan, pod: string): string {
  assertPodName(pod);
  if (plan.dataPlane === 'ovn') return createOvnPodScript(plan, node, pod);
  const netns = podNetnsName(plan.id, pod);
  const veth = podVethName(pod);
  const lines = [
    `pod='${pod}'; ns='${netns}'; veth='${veth}'; tmp='${veth}p'; dir=/run/lab/pods/$pod`,
    'mkdir -p /run/lab/pods',
    `if ! mkdir "$dir" 2>/dev/null; then echo "pod $pod already exists on ${node.name}" >&2; exit 17; fi`,
    'done=0',
    'cleanup() {',
    '  if [ "$done" = 1 ]; then return; fi',
    '  ip netns del "$ns" 2>/dev/null || true; ip link del "$veth" 2>/dev/null || true',
    '  if [ -n "${slot:-}" ]; then rmdir "/run/lab/pods/.slot-$slot" 2>/dev/null || true; fi',
    '  rm -rf "$dir"',
    '}',
    'trap cleanup EXIT',
    ...slotAllocationLines('/run/lab/pods', node.name),
    'echo "$slot" >"$dir/slot"',
    'ip netns add "$ns"',
    'ip link add "$veth" type veth peer name "$tmp"',
    'ip link set "$tmp" netns "$ns"',
    'ip -n "$ns" link set "$tmp" name eth0',
    'ip -n "$ns" link set lo up',
    'ip link set "$veth" up',
    'ip -n "$ns" link set eth0 up',
  ];
  for (const family of plan.families) {
    const assign = podAddressLine(family, node);
    const gateway = node.podGateways[family];
    if (!assign || !gateway) continue;
    lines.push(assign);
    if (family === 'ipv4') {
      lines.push(
        'ip -n "$ns" -4 addr add "$ip4/32" dev eth0',
        `ip -4 addr add ${gateway}/32 dev "$veth"`,
        'ip -4 route add "$ip4/32" dev "$veth"',
        `ip -n "$ns" -4 route add ${gateway} dev eth0 scope link`,
        `ip -n "$ns" -4 route add default via ${gateway} dev eth0`,
        'echo "ipv4=$ip4"; echo "$ip4" >"$dir/ipv4"',
      );
    } else {
      lines.push(
        'ip -n "$ns" -6 addr add "$ip6/128" dev eth0 nodad',
        `ip -6 addr add ${gateway}/64 dev "$veth" nodad`,
        'ip -6 route add "$ip6/128" dev "$veth"',
        `ip -n "$ns" -6 route add default via ${gateway} dev eth0`,
        'echo "ipv6=$ip6"; echo "$ip6" >"$dir/ipv6"',
      );
    }
  }
  lines.push('echo "$ns" >"$dir/netns"', 'done=1');
  return `${lines.join('\n')}\n`;
}

/**
 * Waits (up to 10 s) until ovn-controller has bound the pod's port and installed its flows: it
 * marks the interface `ovn-installed`, as OVN-Kubernetes' CNI waits for before the pod starts.
 */
const WAIT_OVN_INSTALLED = [
  'i=0',
  'until [ "$(ovs-vsctl --if-exists get interface "$veth" external_ids:ovn-installed 2>/dev/null)" = \'"true"\' ]; do',
  '  i=$((i + 1)); if [ $i -gt 200 ]; then echo "ovn-controller did not bind pod $pod within 10 s" >&2; exit 1; fi',
  '  sleep 0.05',
  'done',
];

/**
 * The pod's logical switch port, `<namespace>_<pod>` as OVN-Kubernetes names it (the shared OVN
 * diagnostics trace from it): the lab pod name `<namespace>.<pod>` with its first dot replaced
 * (namespaces have none).
 */
const LOGICAL_PORT_LINE = `lsp=$(printf '%s' "$pod" | sed 's/\\./_/')`;

/**
 * Shell lines that set the pod's MAC into `$mac` from its first address (upstream's
 * IPAddrToHWAddr, ovn.ts ovnMac): an IPv4 address's bytes, or an IPv6 address's SHA-256.
 */
const OVN_MAC_LINES: Record<IpFamily, string> = {
  ipv4: `mac=$(printf '0a:58:%02x:%02x:%02x:%02x' $(echo "$ip4" | tr . ' '))`,
  ipv6: `mac=0a:58:$(printf %s "$ip6" | sha256sum | cut -c1-8 | sed 's/../&:/g; s/:$//')`,
};

/** The pod's address and default route of one family on OVN (IPv6 without duplicate address detection). */
function ovnPodFamilyLines(family: IpFamily, node: LabNodePlan): string[] {
  const cidr = node.podCidrs[family] as string;
  const length = cidr.split('/')[1];
  if (family === 'ipv4') {
    return [
      `ip -n "$ns" -4 addr add "$ip4/${length}" dev eth0`,
      `ip -n "$ns" -4 route add default via ${ipv4Host(cidr, 1)} dev eth0`,
    ];
  }
  return [
    `ip -n "$ns" -6 addr add "$ip6/${length}" dev eth0 nodad`,
    `ip -n "$ns" -6 route add default via ${ipv6Host(cidr, 1)} dev eth0`,
  ];
}

/**
 * With the OVN data plane: the pod is a logical switch port of its node's switch, its veth's node
 * side a port of br-int bound to it by iface-id, as OVN-Kubernetes' CNI does. The pod has its
 * address in the node's subnet of each family (slots from .3 and ::3: .1 is the node's router
 * port, .2 its management port), OVN-Kubernetes' MAC for its first address, the router port as
 * gateway, and tx checksum offload off (OVS 3.1 drops tunnelled packets that still carry
 * offload flags).
 */
function createOvnPodScript(plan: LabPlan, node: LabNodePlan, pod: string): string {
  const central = plan.ovnCentral;
  const families = plan.families.filter((f) => node.podCidrs[f]);
  if (!central || families.length === 0) throw new Error(`lab ${plan.id} has no OVN data plane`);
  const nb = `ovn-nbctl --db=tcp:${central.address}:${OVN_NB_PORT}`;
  const addresses = families.map((f) => (f === 'ipv4' ? '$ip4' : '$ip6')).join(' ');
  const lines = [
    `pod='${pod}'; ns='${podNetnsName(plan.id, pod)}'; veth='${podVethName(pod)}'; tmp='${podVethName(pod)}p'; dir=/run/lab/pods/$pod`,
    LOGICAL_PORT_LINE,
    'mkdir -p /run/lab/pods',
    `if ! mkdir "$dir" 2>/dev/null; then echo "pod $pod already exists on ${node.name}" >&2; exit 17; fi`,
    'done=0',
    'cleanup() {',
    '  if [ "$done" = 1 ]; then return; fi',
    `  ${nb} --if-exists lsp-del "$lsp" 2>/dev/null || true`,
    '  ovs-vsctl --if-exists del-port br-int "$veth" 2>/dev/null || true',
    '  ip netns del "$ns" 2>/dev/null || true; ip link del "$veth" 2>/dev/null || true',
    '  if [ -n "${slot:-}" ]; then rmdir "/run/lab/pods/.slot-$slot" 2>/dev/null || true; fi',
    '  rm -rf "$dir"',
    '}',
    'trap cleanup EXIT',
    ...slotAllocationLines('/run/lab/pods', node.name, OVN_FIRST_SLOT),
    'echo "$slot" >"$dir/slot"',
    ...families.map((f) => podAddressLine(f, node) as string),
    OVN_MAC_LINES[families[0] as IpFamily],
    'ip netns add "$ns"',
    'ip link add "$veth" type veth peer name "$tmp"',
    'ip link set "$tmp" netns "$ns"',
    'ip -n "$ns" link set "$tmp" name eth0',
    'ip -n "$ns" link set lo up',
    // Retried (up to about 10 s): a freshly brought-up lab's first connection from a node to the
    // northbound database was refused now and then under load (ovn-nbctl tries once).
    'i=0',
    `until ${nb} --may-exist lsp-add ${node.name} "$lsp" -- lsp-set-addresses "$lsp" "$mac ${addresses}"; do`,
    '  i=$((i + 1)); if [ $i -ge 20 ]; then exit 1; fi',
    '  sleep 0.5',
    'done',
    'ovs-vsctl --may-exist add-port br-int "$veth" -- set interface "$veth" external_ids:iface-id="$lsp"',
    'ip link set "$veth" mtu 1400 up',
    'ip -n "$ns" link set eth0 address "$mac" mtu 1400 up',
    ...families.flatMap((f) => ovnPodFamilyLines(f, node)),
    'ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null',
    ...WAIT_OVN_INSTALLED,
    ...families.map((f) =>
      f === 'ipv4'
        ? 'echo "ipv4=$ip4"; echo "$ip4" >"$dir/ipv4"'
        : 'echo "ipv6=$ip6"; echo "$ip6" >"$dir/ipv6"',
    ),
    'echo "$ns" >"$dir/netns"',
    'done=1',
  ];
  return `${lines.join('\n')}\n`;
}

/** Script that removes a pod: its processes, namespace, veth, address slot and state. */
export function deletePodScript(plan: LabPlan, pod: string): string {
  assertPodName(pod);
  const netns = podNetnsName(plan.id, pod);
  const ovn = plan.ovnCentral
    ? `${LOGICAL_PORT_LINE}
ovn-nbctl --db=tcp:${plan.ovnCentral.address}:${OVN_NB_PORT} --if-exists lsp-del "$lsp" || true
ovs-vsctl --if-exists del-port br-int "$veth" || true
`
    : '';
  return `pod='${pod}'; ns='${netns}'; veth='${podVethName(pod)}'; dir=/run/lab/pods/$pod
if [ ! -d "$dir" ]; then exit 0; fi
${ovn}pids=$(ip netns pids "$ns" 2>/dev/null || true)
if [ -n "$pids" ]; then kill -9 $pids 2>/dev/null || true; fi
ip netns del "$ns" 2>/dev/null || true
ip link del "$veth" 2>/dev/null || true
${freeSlotLine('/run/lab/pods', '$dir/slot')}
rm -rf "$dir" /run/lab/servers/pod-"$pod"-*
`;
}

/** Script that lists a node's pods as `name ipv4 ipv6` lines (`-` for a missing family). */
export const LIST_PODS_SCRIPT = `for dir in /run/lab/pods/*/; do
  [ -d "$dir" ] || continue
  name=$(basename "$dir")
  echo "$name $(cat "$dir/ipv4" 2>/dev/null || echo -) $(cat "$dir/ipv6" 2>/dev/null || echo -) $(cat "$dir/netns" 2>/dev/null || echo -)"
done
`;

export function parsePodAddresses(output: string): FamilyAddresses {
  const ips: FamilyAddresses = {};
  for (const line of output.split('\n')) {
    const [key, value] = line.trim().split('=');
    if (key === 'ipv4' && value) ips.ipv4 = value;
    if (key === 'ipv6' && value) ips.ipv6 = value;
  }
  return ips;
}

export function parsePodList(node: string, output: string): LabPod[] {
  return output
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [name = '', ipv4 = '-', ipv6 = '-', netns = '-'] = line.trim().split(/\s+/);
      const ips: FamilyAddresses = {};
      if (ipv4 !== '-') ips.ipv4 = ipv4;
      if (ipv6 !== '-') ips.ipv6 = ipv6;
      return { node, name, netns, ips };
    });
}
