/**
 * The OVN half of a failed test's diagnostics, one collection for every environment: the lab
 * (`docker exec` into its OVN containers) and kind or existing clusters (`kubectl exec` into the
 * ovnkube pods). Only where the commands run differs; which commands, and how the `ovn-trace`
 * microflow of the offending flow is built, is the same code.
 *
 * Collected per OVN zone (one zone for a central database; one per node with interconnect):
 * `ovn-nbctl show`, the logical router policies of `ovn_cluster_router`, the NAT rules of every
 * gateway router, the address sets, the southbound port bindings, and an `ovn-trace` of the
 * offending flow (source pod to peer) in the source pod's zone; per egress node, OVS conntrack.
 *
 * Names follow OVN-Kubernetes at release-1.3 (251895cd), go-controller/pkg/types/const.go:
 * `ovn_cluster_router`, gateway routers `GR_<node>`, router-to-switch ports `rtos-<node>`; a pod's
 * logical switch port is `<namespace>_<pod>` on the switch named after its node.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProbeFlow } from '../environment.js';
import { type DiagnosticCommand, writeDiagnostics } from './cluster-diagnostics.js';
import type { CommandRunner } from './command-runner.js';
import { ovnTopologyMermaid } from './ovn-topology-diagram.js';

export const OVN_CLUSTER_ROUTER = 'ovn_cluster_router';
export const gatewayRouterName = (node: string) => `GR_${node}`;
export const nodeRouterPortName = (node: string) => `rtos-${node}`;
export const podLogicalPortName = (namespace: string, pod: string) => `${namespace}_${pod}`;

/** Where the northbound and southbound tools of one OVN zone run (argv prefixes). */
export interface OvnZone {
  /** A file-name-safe name: `central`, or the node's name with interconnect. */
  name: string;
  /** Runs `ovn-nbctl` against the zone's NB database. */
  nbExec: string[];
  /** Runs `ovn-sbctl` and `ovn-trace` against the zone's SB database. */
  sbExec: string[];
  /** The nodes of the zone (their gateway routers are in its NB database). */
  nodes: string[];
}

export interface OvnSites {
  zones: OvnZone[];
  /** Runs `ovs-appctl` against the node's ovs-vswitchd. */
  ovsExec(node: string): string[];
}

/** The flow a failed step was about: a pod's packet to a peer. */
export interface OffendingFlow {
  pod: { namespace: string; name: string; node: string; ip: string };
  peer: { ip: string; protocol: 'tcp' | 'udp' | 'icmp'; port?: number };
}

export interface OvnDiagnosticsRequest {
  sites: OvnSites;
  /** Nodes whose conntrack is dumped: the egress node (and any other the test named). */
  egressNodes: string[];
  flow?: OffendingFlow;
}

/** The commands that need nothing looked up first. */
export function ovnStaticCommands(sites: OvnSites, egressNodes: string[]): DiagnosticCommand[] {
  const commands: DiagnosticCommand[] = [];
  for (const zone of sites.zones) {
    const nb = (...args: string[]) => [...zone.nbExec, 'ovn-nbctl', ...args];
    const sb = (...args: string[]) => [...zone.sbExec, 'ovn-sbctl', ...args];
    commands.push(
      { file: `ovn-${zone.name}-nb-show.txt`, argv: nb('show') },
      { file: `ovn-${zone.name}-lr-policies.txt`, argv: nb('lr-policy-list', OVN_CLUSTER_ROUTER) },
      ...zone.nodes.map((node) => ({
        file: `ovn-${zone.name}-lr-nat-${gatewayRouterName(node)}.txt`,
        argv: nb('lr-nat-list', gatewayRouterName(node)),
      })),
      {
        file: `ovn-${zone.name}-address-sets.txt`,
        argv: nb('--columns=name,external_ids,addresses', 'list', 'Address_Set'),
      },
      { file: `ovn-${zone.name}-sb-show.txt`, argv: sb('show') },
      {
        file: `ovn-${zone.name}-port-bindings.txt`,
        argv: sb('--columns=logical_port,type,chassis,mac,up', 'list', 'Port_Binding'),
      },
    );
  }
  for (const node of egressNodes) {
    commands.push({
      file: `ovs-${node}-conntrack.txt`,
      argv: [...sites.ovsExec(node), 'ovs-appctl', 'dpctl/dump-conntrack'],
    });
  }
  return commands;
}

/**
 * The `ovn-trace` microflow of a pod's packet to the peer, as it enters the pod's logical switch
 * port: the pod's MAC and the node router port's MAC come from the NB database, so the trace
 * starts exactly where the pod's real packet does.
 */
export function traceMicroflow(
  flow: OffendingFlow,
  podMac: string,
  routerMac: string,
): { datapath: string; microflow: string } {
  const v6 = flow.pod.ip.includes(':');
  const ip = v6 ? 'ip6' : 'ip4';
  const terms = [
    `inport == "${podLogicalPortName(flow.pod.namespace, flow.pod.name)}"`,
    `eth.src == ${podMac}`,
    `eth.dst == ${routerMac}`,
    `${ip}.src == ${flow.pod.ip}`,
    `${ip}.dst == ${flow.peer.ip}`,
    'ip.ttl == 64',
  ];
  if (flow.peer.protocol === 'icmp') {
    terms.push(v6 ? 'icmp6.type == 128 && icmp6.code == 0' : 'icmp4.type == 8 && icmp4.code == 0');
  } else {
    terms.push(`${flow.peer.protocol}.src == 40000`, `${flow.peer.protocol}.dst == ${flow.peer.port ?? 80}`);
  }
  return { datapath: flow.pod.node, microflow: terms.join(' && ') };
}

/** The zone whose databases hold the node (its switch and gateway router). */
export function zoneOf(sites: OvnSites, node: string): OvnZone | undefined {
  return sites.zones.find((zone) => zone.nodes.includes(node)) ?? sites.zones[0];
}

/**
 * Looks up the MACs the microflow needs and returns the `ovn-trace` command, or why it could not
 * be built (recorded in the bundle instead of the trace).
 */
export async function traceCommand(
  runner: CommandRunner,
  sites: OvnSites,
  flow: OffendingFlow,
): Promise<DiagnosticCommand | { file: string; problem: string }> {
  const file = `ovn-trace-${flow.pod.namespace}_${flow.pod.name}-to-${flow.peer.ip.replaceAll(':', '.')}.txt`;
  const zone = zoneOf(sites, flow.pod.node);
  if (!zone) return { file, problem: 'no OVN zone is known' };
  const nb = async (...args: string[]) => {
    const result = await runner.run([...zone.nbExec, 'ovn-nbctl', ...args], { timeoutMs: 30_000 });
    if (result.exitCode !== 0) {
      throw new Error(`ovn-nbctl ${args.join(' ')}: ${(result.stderr || result.stdout).trim()}`);
    }
    return result.stdout.trim();
  };
  try {
    const port = podLogicalPortName(flow.pod.namespace, flow.pod.name);
    // `lsp-get-addresses` prints e.g. `0a:58:0a:f4:01:05 10.244.1.5`; `get ... mac` a quoted MAC.
    const podMac = (await nb('lsp-get-addresses', port)).split(/\s+/)[0] ?? '';
    const routerMac = (
      await nb('get', 'Logical_Router_Port', nodeRouterPortName(flow.pod.node), 'mac')
    ).replaceAll('"', '');
    if (!MAC.test(podMac)) return { file, problem: `logical port ${port} has no MAC (got "${podMac}")` };
    if (!MAC.test(routerMac))
      return { file, problem: `router port ${nodeRouterPortName(flow.pod.node)} has no MAC` };
    const { datapath, microflow } = traceMicroflow(flow, podMac, routerMac);
    return { file, argv: [...zone.sbExec, 'ovn-trace', '--detailed', datapath, microflow] };
  } catch (error) {
    return { file, problem: error instanceof Error ? error.message : String(error) };
  }
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** Writes the OVN diagnostics into dir (a failing command is recorded, not fatal). */
export async function collectOvnDiagnostics(
  runner: CommandRunner,
  request: OvnDiagnosticsRequest,
  dir: string,
): Promise<void> {
  const commands = ovnStaticCommands(request.sites, request.egressNodes);
  if (request.flow) {
    const trace = await traceCommand(runner, request.sites, request.flow);
    if ('argv' in trace) commands.push(trace);
    else {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, trace.file), `# no ovn-trace: ${trace.problem}\n`);
    }
  }
  await writeDiagnostics(runner, commands, dir, 'OVN-INDEX.txt');
  // Each zone's topology and policies as a diagram (Mermaid), drawn from the files just written.
  for (const zone of request.sites.zones) {
    const read = (file: string) => readFile(join(dir, `ovn-${zone.name}-${file}`), 'utf8').catch(() => '');
    const nbShow = await read('nb-show.txt');
    if (!/^(switch|router) /m.test(nbShow)) continue;
    await writeFile(
      join(dir, `ovn-${zone.name}-topology.mmd`),
      ovnTopologyMermaid(nbShow, await read('lr-policies.txt')),
    );
  }
}

/**
 * The ovnkube pods of a cluster, as OVN-Kubernetes' helm charts at release-1.3 (251895cd) make
 * them: with interconnect, the DaemonSet `ovnkube-node` (label `name=ovnkube-node`,
 * charts/ovnkube-single-node-zone) runs each node's own zone, containers `nb-ovsdb`, `sb-ovsdb`,
 * `ovn-northd`, `ovnkube-controller`, `ovn-controller`; without it, the Deployment `ovnkube-db`
 * (label `name=ovnkube-db`, charts/ovnkube-db) holds the one central NB and SB (`nb-ovsdb`,
 * `sb-ovsdb`). OVS is reached from each node's `ovn-controller` container, which mounts the host's
 * /var/run/openvswitch.
 */
export const OVNKUBE_POD_LISTING_JSONPATH =
  '{range .items[*]}{.metadata.labels.name}{"\\t"}{.spec.nodeName}{"\\t"}{.metadata.name}{"\\n"}{end}';

export async function kubectlOvnSites(
  runner: CommandRunner,
  kubectl: string[],
  ovnNamespace: string,
): Promise<OvnSites> {
  const listed = await runner.run(
    [
      ...kubectl,
      'get',
      'pods',
      '-n',
      ovnNamespace,
      '-l',
      'name in (ovnkube-node,ovnkube-db)',
      '-o',
      `jsonpath=${OVNKUBE_POD_LISTING_JSONPATH}`,
    ],
    { timeoutMs: 30_000 },
  );
  if (listed.exitCode !== 0) {
    throw new Error(
      `listing the ovnkube pods in ${ovnNamespace}: ${(listed.stderr || listed.stdout).trim()}`,
    );
  }
  const pods = listed.stdout
    .split('\n')
    .map((line) => line.trim().split('\t'))
    .filter((fields) => fields.length === 3)
    .map(([app, node, pod]) => ({ app: app as string, node: node as string, pod: pod as string }));
  const exec = (pod: string, container: string) => [
    ...kubectl,
    'exec',
    '-n',
    ovnNamespace,
    pod,
    '-c',
    container,
    '--',
  ];
  const nodePods = pods.filter((p) => p.app === 'ovnkube-node');
  const central = pods.find((p) => p.app === 'ovnkube-db');
  const zones: OvnZone[] = central
    ? [
        {
          name: 'central',
          nbExec: exec(central.pod, 'nb-ovsdb'),
          sbExec: exec(central.pod, 'sb-ovsdb'),
          nodes: nodePods.map((p) => p.node),
        },
      ]
    : nodePods.map((p) => ({
        name: p.node,
        nbExec: exec(p.pod, 'nb-ovsdb'),
        sbExec: exec(p.pod, 'sb-ovsdb'),
        nodes: [p.node],
      }));
  return {
    zones,
    ovsExec(node) {
      const pod = nodePods.find((p) => p.node === node);
      // A node without an ovnkube-node pod: the command fails and its error is what is recorded.
      return exec(pod?.pod ?? `ovnkube-node-on-${node}`, 'ovn-controller');
    },
  };
}

/** The lab's OVN: one central container with the NB and SB databases, OVS in each node container. */
export function dockerOvnSites(central: string, nodes: { name: string; container: string }[]): OvnSites {
  const exec = (container: string) => ['docker', 'exec', container];
  return {
    zones: [
      { name: 'central', nbExec: exec(central), sbExec: exec(central), nodes: nodes.map((n) => n.name) },
    ],
    ovsExec(node) {
      return exec(nodes.find((n) => n.name === node)?.container ?? node);
    },
  };
}

/**
 * A cluster's OVN diagnostics for a failed test in `namespace`: the ovnkube pods are found, the
 * egress nodes are the hosts the namespace's EgressServices report in their status (every node
 * when none has one yet). Failing to find the ovnkube pods is recorded in the bundle, not thrown.
 */
export async function collectClusterOvnDiagnostics(
  runner: CommandRunner,
  kubectl: string[],
  cluster: { ovnNamespace: string; namespace: string; failedFlow?: ProbeFlow },
  dir: string,
): Promise<void> {
  let sites: OvnSites;
  try {
    sites = await kubectlOvnSites(runner, kubectl, cluster.ovnNamespace);
  } catch (error) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'OVN-INDEX.txt'), `# no OVN diagnostics: ${(error as Error).message}\n`);
    return;
  }
  const allNodes = sites.zones.flatMap((zone) => zone.nodes);
  const hosts = await runner.run(
    [
      ...kubectl,
      'get',
      'egressservices.k8s.ovn.org',
      '-n',
      cluster.namespace,
      '-o',
      'jsonpath={.items[*].status.host}',
    ],
    { timeoutMs: 30_000 },
  );
  const named = hosts.exitCode === 0 ? hosts.stdout.split(/\s+/).filter((h) => allNodes.includes(h)) : [];
  const egressNodes = named.length > 0 ? [...new Set(named)] : allNodes;
  const flow = cluster.failedFlow
    ? await kubectlOffendingFlow(runner, kubectl, cluster.failedFlow)
    : undefined;
  await collectOvnDiagnostics(runner, { sites, egressNodes, ...(flow ? { flow } : {}) }, dir);
}

/**
 * The offending flow of a failed probe on a cluster: its first source pod's node and address (of
 * the target's family) from the API, then the target. Undefined when the pod is gone.
 */
export async function kubectlOffendingFlow(
  runner: CommandRunner,
  kubectl: string[],
  failed: ProbeFlow,
): Promise<OffendingFlow | undefined> {
  const source = failed.sources[0];
  if (!source) return undefined;
  const result = await runner.run(
    [
      ...kubectl,
      'get',
      'pod',
      '-n',
      source.namespace,
      source.pod,
      '-o',
      'jsonpath={.spec.nodeName}{" "}{.status.podIPs[*].ip}',
    ],
    { timeoutMs: 30_000 },
  );
  if (result.exitCode !== 0) return undefined;
  const [node, ...ips] = result.stdout.trim().split(/\s+/);
  const v6 = failed.address.includes(':');
  const ip = ips.find((candidate) => candidate.includes(':') === v6);
  if (!node || !ip) return undefined;
  return {
    pod: { namespace: source.namespace, name: source.pod, node, ip },
    peer: { ip: failed.address, protocol: failed.protocol, port: failed.port },
  };
}
