/**
 * The lab as an Environment: the reference implementation's API and controller over a running
 * lab, probes as real traffic from pod network namespaces with tcpdump at the target, ingress
 * checks from the peer, BGP tables read from the peer's FRR.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TOOL_VERSION } from '../../common/version.js';
import { CORE_FEATURES, EXTENDED_FEATURES } from '../../spec/statements.js';
import type {
  BgpRoute,
  ClusterApi,
  Environment,
  EnvironmentDescription,
  FeatureSupport,
  IngressRequest,
  IngressResult,
  IpFamily,
  ProbeAttempt,
  ProbeEvidence,
  ProbeFlow,
  ProbeRequest,
} from '../environment.js';
import { captureFilter } from '../shared/tcpdump.js';
import type { ClientRunOptions, Lab } from './infra/lab.js';
import { collectLabOvnDiagnostics } from './lab-ovn-diagnostics.js';
import { ReferenceClusterApi } from './reference/cluster-api.js';
import type { ReferenceController } from './reference/controller.js';
import type { ObjectStore } from './reference/store.js';

export const METALLB_NAMESPACE = 'metallb-system';
export const REFERENCE_IMPLEMENTATION = 'egress-conformance reference lab';

/**
 * What the reference implementation does: everything but EgressIP, which the lab has no
 * implementation of; the rest is declared unsupported, with the reason.
 */
const NOT_IMPLEMENTED = new Set<string>(['EgressIPPriority']);

/**
 * The lab's features. IPv6 and DualStack are supported whatever families one run brought up: the
 * lab offers both, and a run that brings up one family (`--family ipv4`) is a narrowed run, not
 * a lab without the other (the reports say `selection: narrowed`).
 */
export function labFeatures(networks = 1): FeatureSupport[] {
  return [...CORE_FEATURES, ...EXTENDED_FEATURES].map((name) => {
    if ((name === 'NetworkRouting' || name === 'SourceIPNetwork') && networks < 2) {
      return {
        name,
        supported: false,
        source: 'provider',
        reason: 'the lab was brought up without its secondary network',
      };
    }
    if (NOT_IMPLEMENTED.has(name)) {
      return {
        name,
        supported: false,
        source: 'provider',
        reason: 'the reference lab has no EgressIP implementation',
      };
    }
    return { name, supported: true, source: 'provider' };
  });
}

/**
 * The lab settles within a second of any change (one reconcile pass), so a negative check that
 * has held for 4 s has held through several passes; the other timeouts are upper bounds and stay.
 */
export const LAB_TIMEOUT_DEFAULTS = { negativeWindow: 4000 };

/**
 * Tests side by side on the lab, per core. A lab test spends most of its time waiting (negative
 * windows, pods and BGP settling, captures settling), not computing: measured on a 2-core
 * machine with the core profile, 4 tests at once took 34 s, 6 took 25 s, 8 took 23 s and 12
 * took 21 s (the machine under other load; the lead's quiet numbers are in docs/performance.md).
 */
export const LAB_TESTS_PER_CORE = 4;
/** What one running test takes (its pods' probe servers and clients, with room), and the lab. */
export const LAB_MEMORY_PER_TEST = 256 * 1024 ** 2;
export const LAB_MEMORY_BASE = 1024 ** 3;
/** `--parallel`'s own bound. */
const MAX_PARALLELISM = 16;

/**
 * How many tests run side by side on the lab by default: from the machine's cores and memory
 * (tests that must run alone still do: the runner asks each test). `--parallel` overrides it.
 */
export function labParallelism(cores = availableParallelism(), memoryBytes = totalmem()): number {
  const byCores = cores * LAB_TESTS_PER_CORE;
  const byMemory = Math.floor((memoryBytes - LAB_MEMORY_BASE) / LAB_MEMORY_PER_TEST);
  return Math.max(1, Math.min(MAX_PARALLELISM, byCores, byMemory));
}

/**
 * How often a wait re-reads a condition on the lab: reads are cheap (the object store in memory,
 * or one vtysh call) and the controller reconciles within tens of milliseconds of a change.
 */
export const LAB_POLL_INTERVAL_MS = 100;

/** The probe server answers agnhost netexec's protocol; the lab runs it for any image. */
export const LAB_IMAGES = { agnhost: 'agnhost-netexec (run natively by the lab)' };

/** The implementation as reports name it; with faults, it says so. */
export function referenceImplementation(faults: readonly string[]): EnvironmentDescription['implementation'] {
  const name =
    faults.length > 0
      ? `${REFERENCE_IMPLEMENTATION} with faults ${faults.join(', ')}`
      : REFERENCE_IMPLEMENTATION;
  return { name, version: TOOL_VERSION, reference: true };
}

export class LabEnvironment implements Environment {
  readonly cluster: ClusterApi;
  private captureCounter = 0;

  constructor(
    readonly lab: Lab,
    private readonly store: ObjectStore,
    readonly controller: ReferenceController,
    private readonly fingerprint: Record<string, string>,
    private readonly faults: readonly string[] = [],
  ) {
    this.cluster = new ReferenceClusterApi(lab.plan, store, controller);
  }

  async describe(): Promise<EnvironmentDescription> {
    const topology = await this.lab.describe();
    return {
      provider: 'lab',
      id: this.lab.id,
      implementation: referenceImplementation(this.faults),
      families: this.lab.families,
      nodes: await this.cluster.nodes(),
      networks: topology.networks,
      peers: topology.peers,
      features: labFeatures(topology.networks.length),
      loadBalancerRanges: { ...this.lab.plan.loadBalancerRanges },
      metallbNamespace: METALLB_NAMESPACE,
      images: { ...LAB_IMAGES },
      fingerprint: this.fingerprint,
      timeoutDefaults: { ...LAB_TIMEOUT_DEFAULTS },
      parallelism: labParallelism(),
      pollIntervalMs: LAB_POLL_INTERVAL_MS,
    };
  }

  /** Where the pod runs in the lab: its node, its network namespace's lab name, its addresses. */
  private podOf(namespace: string, name: string) {
    const pod = this.controller.runningPod(namespace, name);
    if (!pod) throw new Error(`pod ${namespace}/${name} is not running`);
    return pod;
  }

  async probe(request: ProbeRequest): Promise<ProbeEvidence> {
    const { family, target } = request;
    let member: string;
    let address: string | undefined;
    let netns: string | undefined;
    if (target.kind === 'peer') {
      member = target.peer;
      address = this.lab.peer(target.peer).serviceAddresses[family];
    } else if (target.kind === 'node') {
      member = target.node;
      address = target.address ?? this.lab.node(target.node).addresses[family];
    } else {
      const pod = this.podOf(target.namespace, target.pod);
      member = pod.node;
      address = pod.ips[family];
      if (!pod.hostNetwork) netns = this.lab.podNetns(pod.labName);
    }
    if (!address) throw new Error(`the probe target has no ${family} address`);
    const name = `${request.sources[0]?.namespace ?? 'probe'}-${request.id}-${this.captureCounter++}`.slice(
      0,
      120,
    );
    const filter = captureFilter(address, request.port, request.protocol);
    const startedAt = new Date().toISOString();
    // Peers where the flow must not arrive capture it too (an unknown peer throws here).
    const watchers = (request.watchPeers ?? []).map((peer) => ({ peer, member: this.lab.peer(peer).name }));
    const capture = await this.lab.startCapture(member, name, filter, netns ? { netns } : {});
    const watching = await Promise.all(
      watchers.map(async (w) => ({
        ...w,
        capture: await this.lab.startCapture(w.member, `${name}-at-${w.peer}`.slice(0, 120), filter, {}),
      })),
    );
    request.continuous?.onCapturing?.();
    let attempts: ProbeAttempt[];
    try {
      attempts = (
        await Promise.all(
          request.sources.map((source) => this.attemptsFrom(source, request, address as string)),
        )
      ).flat();
    } finally {
      const [result, ...others] = await Promise.all([
        this.lab.stopCapture(capture, request.artifactDir),
        ...watching.map((w) => this.lab.stopCapture(w.capture, request.artifactDir)),
      ]);
      capture.containerPath = (result as { path: string }).path;
      watching.forEach((w, i) => {
        w.capture.containerPath = (others[i] as { path: string }).path;
      });
    }
    return {
      request,
      targetAddress: address,
      capturePath: capture.containerPath,
      ...(watching.length > 0
        ? { watched: watching.map((w) => ({ peer: w.peer, capturePath: w.capture.containerPath })) }
        : {}),
      attempts,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }

  /** One source's attempts: one client process in the pod (or on its node), one exec. */
  private async attemptsFrom(
    source: ProbeRequest['sources'][number],
    request: ProbeRequest,
    address: string,
  ): Promise<ProbeAttempt[]> {
    const pod = this.podOf(source.namespace, source.pod);
    const podIP = pod.ips[request.family] ?? '';
    const continuous = request.continuous;
    const options: ClientRunOptions = continuous
      ? {
          attempts: request.attempts,
          timeoutMs: Math.max(1000, Math.min(3000, continuous.intervalMs * 10)),
          intervalMs: continuous.intervalMs,
          until: continuous.signal,
        }
      : {
          attempts: request.attempts,
          timeoutMs: Math.max(1000, Math.min(5000, Math.floor(request.timeoutMs / request.attempts))),
        };
    const lines = pod.hostNetwork
      ? await this.lab.nodeProbe(pod.node, address, request.port, request.protocol, options)
      : await this.lab.podProbe(pod.node, pod.labName, address, request.port, request.protocol, options);
    return lines.map((line) => ({
      source,
      node: pod.node,
      podIP,
      ok: line.ok,
      // An echo reply names no client address: only the probe servers echo one.
      ...(line.ok && line.answer && request.protocol !== 'icmp' ? { echoedClient: line.answer.trim() } : {}),
      ...(!line.ok ? { error: (line.error ?? 'failed').split('\n')[0] } : {}),
      ...(line.startedAtMs !== undefined ? { startedAtMs: line.startedAtMs } : {}),
      ...(line.durationMs !== undefined ? { durationMs: line.durationMs } : {}),
    }));
  }

  /** The attempts in one exec on the peer; the first unanswered one ends the check. */
  async ingress(request: IngressRequest): Promise<IngressResult> {
    const lines = await this.lab.peerProbe(request.peer, request.address, request.port, request.protocol, {
      attempts: request.attempts,
      timeoutMs: request.timeoutMs,
      stopOnFailure: true,
      ...(request.source ? { source: request.source } : {}),
    });
    const result: IngressResult = { attempts: request.attempts, succeeded: 0, answeredBy: {}, errors: [] };
    for (const line of lines) {
      if (line.ok && line.answer) {
        const name = line.answer.trim();
        result.succeeded++;
        result.answeredBy[name] = (result.answeredBy[name] ?? 0) + 1;
      } else {
        result.errors.push(`attempt ${line.attempt}: ${line.error ?? 'no answer'}`);
        result.attempts = line.attempt;
        break;
      }
    }
    return result;
  }

  bgpRoutes(peer: string, family: IpFamily): Promise<BgpRoute[]> {
    return this.lab.peerBgpRoutes(peer, family);
  }

  async failNode(node: string): Promise<void> {
    await this.lab.failNode(node);
    this.controller.setNodeReady(node, false);
  }

  async restoreNode(node: string): Promise<void> {
    // The machine comes back with a fresh speaker: nothing announced until the controller says so.
    if (!this.controller.isReady(node)) await this.controller.forgetAnnouncements(node);
    await this.lab.restoreNode(node);
    // The kubelet's part: a machine whose Node object was removed registers again on start,
    // with its own labels only (labels others added went with the object).
    this.controller.registerNode(node);
    this.controller.setNodeReady(node, true);
  }

  async stopController(): Promise<string> {
    await this.controller.stopEgressController();
    return "the reference's EgressService part (status, labels and every node's egress rules stay as they are)";
  }

  async startController(): Promise<string> {
    await this.controller.startEgressController();
    return 'the reference rebuilt its view from the objects and rewrote every node and OVN whole (its repair)';
  }

  async collectDiagnostics(namespace: string, dir: string, failedFlows: ProbeFlow[] = []): Promise<void> {
    await mkdir(dir, { recursive: true });
    const objects = [
      ...this.store.list('Namespace').filter((n) => n.metadata.name === namespace),
      ...['Pod', 'Deployment', 'Service', 'EgressService'].flatMap((kind) =>
        this.store.list(kind, namespace),
      ),
      ...['IPAddressPool', 'BGPAdvertisement'].flatMap((kind) => this.store.list(kind, METALLB_NAMESPACE)),
      ...this.store.list('Node'),
    ];
    await writeFile(join(dir, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    await writeFile(join(dir, 'controller.log'), this.controller.recentLog().join('\n'));
    const commands: Record<string, string> = {
      'ip-rule': 'ip -4 rule; ip -6 rule',
      routes: 'ip -4 route show table all; ip -6 route show table all',
      nftables: 'nft list ruleset',
      bgp: "vtysh -c 'show bgp summary' -c 'show bgp ipv4 unicast' -c 'show bgp ipv6 unicast'",
    };
    const members = [...this.lab.nodes().map((n) => n.name), ...this.lab.peers().map((p) => p.name)];
    await Promise.all(
      members.map(async (member) => {
        const sections: string[] = [];
        for (const [name, script] of Object.entries(commands)) {
          const output = await this.lab
            .execScript(member, `${script} 2>&1 || true`)
            .then((r) => r.stdout)
            .catch((error: Error) => `failed: ${error.message}`);
          sections.push(`### ${name}\n${output}`);
        }
        await writeFile(join(dir, `${member}.txt`), sections.join('\n'));
      }),
    );
    const nodes = this.lab.nodes().map((n) => n.name);
    const hosts = this.store
      .list('EgressService', namespace)
      .map((e) => (e as { status?: { host?: string } }).status?.host)
      .filter((host): host is string => host !== undefined && nodes.includes(host));
    await collectLabOvnDiagnostics(
      {
        lab: this.lab,
        egressNodes: hosts.length > 0 ? [...new Set(hosts)] : nodes,
        ...(failedFlows[0] ? { failedFlow: failedFlows[0] } : {}),
        podOf: (ns, name) => this.controller.runningPod(ns, name),
      },
      dir,
    );
  }

  async close(options: { keep: boolean }): Promise<void> {
    if (options.keep) {
      await this.controller.reset();
      return;
    }
    this.controller.stop();
    await this.lab.destroy();
  }
}
