/**
 * The lab: a running network of node and peer containers and the primitives a reference
 * implementation drives it with. See README.md in this folder for the whole API.
 */
import path from 'node:path';
import type {
  BgpRoute,
  FamilyAddresses,
  IpFamily,
  NetworkInfo,
  NodeInfo,
  PeerInfo,
  ProbeProtocol,
} from '../../environment.js';
import { type AttemptLine, completeAttempts, parseAttemptLines } from '../../shared/attempt-lines.js';
import { type BgpSession, parseBgpRoutes, parseBgpSummary } from './bgp.js';
import { type BringUpTimings, bringUpLab, type LabOptions, sleep, waitBgpEstablished } from './bring-up.js';
import {
  type CaptureHandle,
  type CaptureResult,
  type StartCaptureOptions,
  startCapture,
  stopCapture,
} from './capture.js';
import { serverStartScript, serverStopScript, serversStopScript } from './container-setup.js';
import { destroyLab, labTempDir } from './destroy.js';
import { describeDockerError, type ExecOptions, type ExecResult, execIn, execScript } from './docker.js';
import { announceCommands, hostPrefix } from './frr-config.js';
import { assertLabId, networkName, OPTIONS_LABEL, podNetnsName, RUN_LABEL } from './labels.js';
import { networkSubnets } from './networks.js';
import {
  FAIL_NODE_SCRIPT,
  FAIL_OVN_NODE_SCRIPT,
  NODE_STATE_SCRIPT,
  RESTORE_NODE_SCRIPT,
  RESTORE_OVN_NODE_SCRIPT,
} from './node-failure.js';
import {
  assertPodName,
  createPodScript,
  deletePodScript,
  type LabPod,
  LIST_PODS_SCRIPT,
  parsePodAddresses,
  parsePodList,
} from './pods.js';
import {
  additionalNetworks,
  DEFAULT_NETWORK,
  findNode,
  findPeer,
  type LabNodePlan,
  type LabPeerPlan,
  type LabPlan,
  type LabSubnets,
  type LabTopologyOptions,
  planLab,
} from './topology.js';

export type { LabOptions } from './bring-up.js';
export type { LabPod } from './pods.js';

export interface LabRoute {
  family: IpFamily;
  /** `default`, a prefix, or an address (host routes). */
  dst: string;
  /** Table name or id; absent for the main table. */
  table?: string;
  gateway?: string;
}

export interface ConnectOptions {
  /** Per-attempt bound. Default 3000 ms. */
  timeoutMs?: number;
  /** The client's source address (bound before connecting); default: the kernel's choice. */
  source?: string;
}

/** Several attempts by one client process (one exec), each reported as it ends. */
export interface ClientRunOptions extends ConnectOptions {
  attempts: number;
  /** Pause between the end of one attempt and the start of the next. Default 0. */
  intervalMs?: number;
  /** End after the first failed attempt (the rest could only add their timeouts). */
  stopOnFailure?: boolean;
  /** End when this signal aborts (the client's stdin is closed), at most `attempts` attempts. */
  until?: AbortSignal;
}

export class Lab {
  private constructor(
    readonly plan: LabPlan,
    /** Bring-up timings (undefined for a lab that was attached to rather than created). */
    readonly timings?: BringUpTimings,
  ) {}

  get id(): string {
    return this.plan.id;
  }

  /** Brings a new lab up (images, networks, containers, BGP) and returns it ready to use. */
  static async create(options: LabOptions = {}): Promise<Lab> {
    const { plan, timings } = await bringUpLab(options);
    return new Lab(plan, timings);
  }

  /** A lab that is already running (e.g. kept up by an earlier run), rebuilt from its labels. */
  static async attach(id: string): Promise<Lab> {
    assertLabId(id);
    const { subnets, labels } = await networkSubnets(networkName(id, DEFAULT_NETWORK)).catch(
      (error: unknown) => {
        throw new Error(`no lab ${id} here: ${describeDockerError(error)}`);
      },
    );
    const recorded = JSON.parse(labels[OPTIONS_LABEL] ?? '{}') as LabTopologyOptions;
    // A lab from before the tertiary network existed recorded no choice: it has none.
    const topology = { ...recorded, tertiaryNetwork: recorded.tertiaryNetwork ?? false };
    const all: LabSubnets = { default: subnets };
    for (const network of additionalNetworks(topology)) {
      all[network] = (await networkSubnets(networkName(id, network))).subnets;
    }
    const runId = labels[RUN_LABEL] ?? id;
    return new Lab(planLab(id, runId, topology, all));
  }

  /** Removes everything of this lab (containers, networks, temp directory). */
  async destroy(): Promise<void> {
    await destroyLab(this.id);
  }

  // ---------------------------------------------------------------- description

  get families(): IpFamily[] {
    return [...this.plan.families];
  }

  nodes(): LabNodePlan[] {
    return this.plan.nodes;
  }

  peers(): LabPeerPlan[] {
    return this.plan.peers;
  }

  node(name: string): LabNodePlan {
    return findNode(this.plan, name);
  }

  peer(name: string): LabPeerPlan {
    return findPeer(this.plan, name);
  }

  /** The topology in the Environment interface's terms (readiness from the containers' state). */
  async describe(): Promise<{ nodes: NodeInfo[]; networks: NetworkInfo[]; peers: PeerInfo[] }> {
    const failed = await Promise.all(this.plan.nodes.map((n) => this.isNodeFailed(n.name)));
    return {
      nodes: this.plan.nodes.map((node, i) => ({
        name: node.name,
        addresses: { ...node.addresses },
        networkAddresses: structuredClone(node.networkAddresses),
        labels: { ...node.labels },
        ready: !failed[i],
      })),
      networks: this.plan.networks.map((network) => ({
        name: network.name,
        ...(network.routingTable ? { routingTable: String(network.routingTable.id) } : {}),
        subnets: Object.fromEntries(this.plan.families.map((f) => [f, network.subnets[f]])),
      })),
      peers: this.plan.peers.map((peer) => ({
        name: peer.name,
        network: peer.network,
        addresses: { ...peer.serviceAddresses },
        asn: peer.asn,
        probePort: peer.probePort,
        probePorts: [...peer.extraProbePorts],
      })),
    };
  }

  // ---------------------------------------------------------------- commands

  private container(member: string): string {
    const found =
      this.plan.nodes.find((n) => n.name === member) ?? this.plan.peers.find((p) => p.name === member);
    if (!found) {
      const names = [...this.plan.nodes, ...this.plan.peers].map((m) => m.name).join(', ');
      throw new Error(`lab ${this.id} has no node or peer "${member}" (it has ${names})`);
    }
    return found.container;
  }

  /** Runs argv in a node or peer container; throws ExecError (command, exit code, stderr) on failure. */
  exec(member: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return execIn(this.container(member), argv, options);
  }

  /** Runs a shell script (`sh -ec`) in a node or peer container. */
  execScript(member: string, script: string, options?: ExecOptions): Promise<ExecResult> {
    return execScript(this.container(member), script, options);
  }

  /** Runs argv inside a pod (its network namespace in the node). */
  podExec(node: string, pod: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    assertPodName(pod);
    return execIn(this.node(node).container, ['ip', 'netns', 'exec', this.podNetns(pod), ...argv], options);
  }

  podNetns(pod: string): string {
    return podNetnsName(this.id, pod);
  }

  // ---------------------------------------------------------------- pods

  /** Creates a pod on a node: a network namespace with one address per lab family. */
  async createPod(node: string, pod: string): Promise<LabPod> {
    const plan = this.node(node);
    const result = await execScript(plan.container, createPodScript(this.plan, plan, pod), {
      description: `create pod ${pod} on ${node}`,
    });
    return { node, name: pod, netns: this.podNetns(pod), ips: parsePodAddresses(result.stdout) };
  }

  /** Removes a pod and everything running in it; a missing pod is not an error. */
  async deletePod(node: string, pod: string): Promise<void> {
    await execScript(this.node(node).container, deletePodScript(this.plan, pod), {
      description: `delete pod ${pod} on ${node}`,
    });
  }

  /** The pods of a node (from the node's own state, so also pods another process created). */
  async listPods(node: string): Promise<LabPod[]> {
    const result = await execScript(this.node(node).container, LIST_PODS_SCRIPT, {
      description: 'list pods',
    });
    return parsePodList(node, result.stdout);
  }

  // ---------------------------------------------------------------- probe servers and clients

  /**
   * Starts the probe server (agnhost netexec protocol, TCP and UDP) in a pod, on all its
   * addresses; `hostname` answers `name` (default: the pod's name). Returns once it listens.
   */
  async startServer(node: string, pod: string, port: number, name = pod): Promise<void> {
    assertPodName(pod);
    await execScript(
      this.node(node).container,
      serverStartScript({ name, port, key: `pod-${pod}-${port}`, netns: this.podNetns(pod) }),
      { description: `start probe server in pod ${pod} on ${node}, port ${port}` },
    );
  }

  /** Stops a probe server started with `startServer`. */
  async stopServer(node: string, pod: string, port: number): Promise<void> {
    await execScript(this.node(node).container, serverStopScript(`pod-${pod}-${port}`), {
      description: `stop probe server in pod ${pod} on ${node}`,
    });
  }

  /**
   * Starts the probe server on the node's own network stack (a host-networked pod's), on every
   * address of the node; `owner` tells servers on the same node apart (a second one on a port
   * already taken fails to start, as a second host-networked pod would). Returns once it listens.
   */
  async startHostServer(node: string, owner: string, port: number, name: string): Promise<void> {
    assertPodName(owner);
    await execScript(
      this.node(node).container,
      serverStartScript({ name, port, key: `host-${owner}-${port}` }),
      {
        description: `start probe server of ${owner} on node ${node}, port ${port}`,
      },
    );
  }

  /** Stops a probe server started with `startHostServer`. */
  async stopHostServer(node: string, owner: string, port: number): Promise<void> {
    assertPodName(owner);
    await execScript(this.node(node).container, serverStopScript(`host-${owner}-${port}`), {
      description: `stop probe server of ${owner} on node ${node}`,
    });
  }

  /** Stops every probe server started with `startHostServer` on the node. */
  async stopHostServers(node: string): Promise<void> {
    await execScript(this.node(node).container, serversStopScript('host-'), {
      description: `stop the host probe servers on node ${node}`,
    });
  }

  /**
   * From a pod, one request to a probe server: TCP (HTTP GET /clientip) or UDP (`clientip`).
   * Returns the client address the server saw (`ip:port`, `[ip]:port` for IPv6). Throws when
   * no answer came within the timeout.
   */
  async podConnect(
    node: string,
    pod: string,
    address: string,
    port: number,
    protocol: ProbeProtocol,
    options: ConnectOptions = {},
  ): Promise<string> {
    const result = await this.podExec(node, pod, clientArgv(address, port, protocol, 'clientip', options), {
      timeoutMs: (options.timeoutMs ?? 3000) + 2000,
      description: `${protocol} probe from pod ${pod} on ${node} to ${address} port ${port}`,
    });
    return result.stdout.trim();
  }

  /**
   * Like `podConnect`, from the node itself (host network): the client address a server sees
   * from a node, e.g. through one of the node's routing tables.
   */
  async nodeConnect(
    node: string,
    address: string,
    port: number,
    protocol: ProbeProtocol,
    options: ConnectOptions = {},
  ): Promise<string> {
    const result = await this.exec(node, clientArgv(address, port, protocol, 'clientip', options), {
      timeoutMs: (options.timeoutMs ?? 3000) + 2000,
      description: `${protocol} probe from node ${node} to ${address} port ${port}`,
    });
    return result.stdout.trim();
  }

  /**
   * From a peer, one request to `address:port` (an ingress check): returns the name of whoever
   * answered (the probe server's `hostname`). Throws when no answer came within the timeout.
   */
  async peerConnect(
    peer: string,
    address: string,
    port: number,
    protocol: ProbeProtocol,
    options: ConnectOptions = {},
  ): Promise<string> {
    const result = await this.exec(peer, clientArgv(address, port, protocol, 'hostname', options), {
      timeoutMs: (options.timeoutMs ?? 3000) + 2000,
      description: `${protocol} probe from ${peer} to ${address} port ${port}`,
    });
    return result.stdout.trim();
  }

  /**
   * From a pod, `attempts` requests by one client process (one exec): each attempt's result,
   * echoed client address and timing. Attempts the client never reported (it was killed or
   * timed out as a whole) are failures, so a run without `until` always has `attempts` of them.
   */
  podProbe(
    node: string,
    pod: string,
    address: string,
    port: number,
    protocol: ProbeProtocol,
    options: ClientRunOptions,
  ): Promise<AttemptLine[]> {
    assertPodName(pod);
    return this.runClient(
      this.node(node).container,
      ['ip', 'netns', 'exec', this.podNetns(pod)],
      { address, port, protocol, request: 'clientip', what: `pod ${pod} on ${node}` },
      options,
    );
  }

  /** Like `podProbe`, from the node's own network stack (a host-networked pod's). */
  nodeProbe(
    node: string,
    address: string,
    port: number,
    protocol: ProbeProtocol,
    options: ClientRunOptions,
  ): Promise<AttemptLine[]> {
    return this.runClient(
      this.node(node).container,
      [],
      { address, port, protocol, request: 'clientip', what: `node ${node}` },
      options,
    );
  }

  /** Ingress checks from a peer in one exec: each attempt's answer is the `hostname` of who answered. */
  peerProbe(
    peer: string,
    address: string,
    port: number,
    protocol: ProbeProtocol,
    options: ClientRunOptions,
  ): Promise<AttemptLine[]> {
    return this.runClient(
      this.container(peer),
      [],
      { address, port, protocol, request: 'hostname', what: peer },
      options,
    );
  }

  private async runClient(
    container: string,
    prefix: string[],
    flow: { address: string; port: number; protocol: ProbeProtocol; request: string; what: string },
    options: ClientRunOptions,
  ): Promise<AttemptLine[]> {
    const perAttempt = options.timeoutMs ?? 3000;
    const interval = options.intervalMs ?? 0;
    const argv = [
      ...prefix,
      ...clientArgv(flow.address, flow.port, flow.protocol, flow.request, options),
      '--attempts',
      String(options.attempts),
      ...(interval > 0 ? ['--interval', (interval / 1000).toFixed(3)] : []),
      ...(options.stopOnFailure ? ['--stop-on-failure'] : []),
      ...(options.until ? ['--until-stdin-closes'] : []),
    ];
    const description = `probe from ${flow.what}: ${flowText(flow.address, flow.port, flow.protocol)}`;
    const result = await execIn(container, argv, {
      // Every attempt may take its whole timeout and pause; a second more for the client's start.
      timeoutMs: options.attempts * (perAttempt + interval) + 1000,
      allowFailure: true,
      description,
      ...(options.until ? { stdinUntil: options.until } : {}),
    });
    const lines = parseAttemptLines(result.stdout);
    const why =
      result.exitCode === 0
        ? 'the client did not report this attempt'
        : `${description}: ${result.exitCode === 124 ? 'timed out' : `exit code ${result.exitCode}`}${lastLine(result.stderr)}`;
    // Background traffic ends when it is stopped: what it reported is what it sent.
    if (options.until) return lines.length > 0 ? lines : [{ attempt: 1, ok: false, error: why }];
    const failed = lines.findIndex((line) => !line.ok);
    if (options.stopOnFailure && failed >= 0) return lines.slice(0, failed + 1);
    if (options.stopOnFailure && lines.length < options.attempts) {
      return [...lines, { attempt: lines.length + 1, ok: false, error: why }];
    }
    return completeAttempts(lines, options.attempts, why);
  }

  // ---------------------------------------------------------------- captures

  /**
   * Starts tcpdump on a peer or node (in a pod of a node with `options.netns`); returns once it
   * is listening. `name` names the file (unique per lab).
   */
  startCapture(
    member: string,
    name: string,
    filter: string,
    options?: StartCaptureOptions,
  ): Promise<CaptureHandle> {
    return startCapture(member, this.container(member), name, filter, options);
  }

  /** Stops a capture and copies the pcap to `dir` (default: the lab's temp directory). */
  stopCapture(handle: CaptureHandle, dir?: string): Promise<CaptureResult> {
    return stopCapture(handle, { dir: dir ?? path.join(labTempDir(this.id), 'captures') });
  }

  // ---------------------------------------------------------------- BGP

  /** Routes a peer has learnt over BGP for one family, with the next hops of their valid paths. */
  async peerBgpRoutes(peer: string, family: IpFamily): Promise<BgpRoute[]> {
    const result = await this.exec(peer, ['vtysh', '-c', `show bgp ${family} unicast json`]);
    return parseBgpRoutes(result.stdout);
  }

  /** Routes a node has learnt over BGP for one family (accepted ones only). */
  nodeBgpRoutes(node: string, family: IpFamily): Promise<BgpRoute[]> {
    return this.peerBgpRoutes(node, family);
  }

  /** BGP sessions of a node or peer, per neighbor and family. */
  async bgpSessions(member: string): Promise<BgpSession[]> {
    const result = await this.exec(member, ['vtysh', '-c', 'show bgp summary json']);
    return parseBgpSummary(result.stdout);
  }

  /**
   * Announces a /32 or /128 from a node over BGP (like MetalLB's speaker announcing a
   * LoadBalancer IP), to the given peers (default: the default network's peers).
   */
  async announce(node: string, prefix: string, peers?: string[]): Promise<void> {
    await this.changeAnnouncement(node, prefix, peers, false);
  }

  /** Withdraws an announcement made with `announce` (same peers). */
  async withdraw(node: string, prefix: string, peers?: string[]): Promise<void> {
    await this.changeAnnouncement(node, prefix, peers, true);
  }

  private async changeAnnouncement(
    node: string,
    prefix: string,
    peers: string[] | undefined,
    withdraw: boolean,
  ) {
    const plan = this.node(node);
    const { family, prefix: full } = hostPrefix(prefix);
    if (!this.plan.families.includes(family)) throw new Error(`lab ${this.id} has no ${family}`);
    if (!/\/(32|128)$/.test(full)) throw new Error(`announce a host prefix (/32 or /128), not ${prefix}`);
    const targets = peers ?? this.plan.peers.filter((p) => p.network === DEFAULT_NETWORK).map((p) => p.name);
    for (const target of targets) this.peer(target);
    await execIn(plan.container, ['vtysh', ...announceCommands(plan, full, targets, withdraw)], {
      description: `${withdraw ? 'withdraw' : 'announce'} ${full} on ${node}`,
    });
  }

  // ---------------------------------------------------------------- node failure

  /**
   * Fails a node: from now on nothing enters or leaves it (its pods included), as with a machine
   * that lost power; the peers withdraw its routes when their hold timers expire (about 3 s).
   * The container keeps running, so it can still be inspected. See node-failure.ts for why this
   * is not `docker pause`. Failing a failed node does nothing.
   */
  async failNode(node: string): Promise<void> {
    if (await this.isNodeFailed(node)) return;
    const script = this.plan.dataPlane === 'ovn' ? FAIL_OVN_NODE_SCRIPT : FAIL_NODE_SCRIPT;
    await execScript(this.node(node).container, script, { description: `fail node ${node}` });
  }

  /** Undoes `failNode` and waits until the node's BGP sessions are Established again. */
  async restoreNode(node: string, timeoutMs = 30_000): Promise<void> {
    const plan = this.node(node);
    const script = this.plan.dataPlane === 'ovn' ? RESTORE_OVN_NODE_SCRIPT : RESTORE_NODE_SCRIPT;
    await execScript(plan.container, script, { description: `restore node ${node}` });
    const addresses = [plan.addresses, ...Object.values(plan.networkAddresses)].flatMap((a) =>
      Object.values(a),
    );
    await waitBgpEstablished(this.plan, timeoutMs, addresses);
  }

  async isNodeFailed(node: string): Promise<boolean> {
    const result = await execScript(this.node(node).container, NODE_STATE_SCRIPT, {
      description: 'node state',
    });
    return result.stdout.trim() === 'failed';
  }

  // ---------------------------------------------------------------- OVN

  /** Runs `ovn-nbctl <argv>` against the lab's northbound database (the OVN data plane only). */
  ovnNbctl(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    const central = this.plan.ovnCentral;
    if (!central) throw new Error(`lab ${this.id} runs the linux data plane: it has no OVN databases`);
    return execIn(central.container, ['ovn-nbctl', ...argv], options);
  }

  /** The container of OVN's central databases (the OVN data plane only). */
  get ovnCentralContainer(): string | undefined {
    return this.plan.ovnCentral?.container;
  }

  // ---------------------------------------------------------------- routes

  /** Every route of a container (or of a pod with `pod`), all tables, both families. */
  async routes(member: string, pod?: string): Promise<LabRoute[]> {
    const out: LabRoute[] = [];
    for (const family of ['ipv4', 'ipv6'] as const) {
      const argv = ['ip', '-j', family === 'ipv4' ? '-4' : '-6', 'route', 'show', 'table', 'all'];
      const result = pod ? await this.podExec(member, pod, argv) : await this.exec(member, argv);
      for (const route of JSON.parse(result.stdout || '[]') as {
        dst: string;
        table?: string;
        gateway?: string;
      }[]) {
        out.push({
          family,
          dst: route.dst,
          ...(route.table ? { table: route.table } : {}),
          ...(route.gateway ? { gateway: route.gateway } : {}),
        });
      }
    }
    return out;
  }

  /** Waits `ms` (re-exported for callers that poll the lab). */
  static sleep(ms: number): Promise<void> {
    return sleep(ms);
  }
}

function lastLine(stderr: string): string {
  const line = stderr.trim().split('\n').at(-1);
  return line ? `: ${line}` : '';
}

function clientArgv(
  address: string,
  port: number,
  protocol: ProbeProtocol,
  request: string,
  options: ConnectOptions,
): string[] {
  const seconds = ((options.timeoutMs ?? 3000) / 1000).toFixed(3);
  const source = options.source ? ['--source', options.source] : [];
  // Echo requests have neither port nor request text.
  const flow = protocol === 'icmp' ? [address] : [address, String(port), request];
  return ['lab-probe-client', '--protocol', protocol, '--timeout', seconds, ...source, ...flow];
}

/** A flow as the client's descriptions name it: `icmp to ADDRESS`, `tcp to ADDRESS port N`. */
function flowText(address: string, port: number, protocol: ProbeProtocol): string {
  return protocol === 'icmp' ? `icmp to ${address}` : `${protocol} to ${address} port ${port}`;
}

export type { FamilyAddresses };
