/**
 * An Environment whose data plane is scripted, for testing the runner's judging without Docker:
 * a probe writes a real capture file (classic pcap, nanosecond timestamps, built with the
 * capture tests' synthesiser) holding exactly the packets the test chose, and the BGP tables,
 * the ingress answers and node failure are the test's to set. The verdicts read those files with
 * the same reader as on a real run.
 *
 * `playControllers` stands in for Kubernetes, MetalLB and OVN-Kubernetes on the in-memory
 * objects: pods for Deployments, ingress IPs for LoadBalancer Services, a node label and
 * status.host for EgressServices, each of which a test can break.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  BgpRoute,
  IngressRequest,
  IngressResult,
  IpFamily,
  KubeObject,
  ProbeAttempt,
  ProbeEvidence,
  ProbeRequest,
} from '../../harness/env/environment.js';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernet,
  icmp,
  ipv4,
  ipv6,
  pcapFile,
  type SynthPacket,
  tcp,
  udp,
} from '../capture/synth.js';
import { RecordingEnvironment } from './recording-environment.js';

/** One packet the target captures. Unset fields are the probe's flow: to the target, its port. */
export interface FakePacket {
  src: string;
  /** Capture time, ms since the epoch (fractions allowed). */
  at: number;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  protocol?: 'tcp' | 'udp' | 'icmp';
  /** ICMP only: the message type (default: the family's echo request, 8 or 128). */
  icmpType?: number;
}

/** What one probe call produces: the captured packets, and how each source's attempts went. */
export interface ProbeScript {
  packets: FakePacket[];
  /** An attempt's outcome by source pod (default: every attempt answered). */
  attempt?: (pod: string) => Pick<ProbeAttempt, 'ok' | 'error'>;
}

/** What the test knows about a probe call when it scripts the capture. */
export interface ProbeCall {
  request: ProbeRequest;
  /** Probe calls so far, this one included (1 for the first). */
  number: number;
  /** The probe target's address, which the packets go to. */
  targetAddress: string;
  /** The source pods, as the cluster has them (node, addresses). */
  sources: KubeObject[];
}

export class FakeEnvironment extends RecordingEnvironment {
  readonly probes: ProbeRequest[] = [];
  /** The capture of each probe; default: nothing captured. */
  onProbe: (call: ProbeCall) => ProbeScript = () => ({ packets: [] });
  /** What each of `request.watchPeers` captures of the probe's flow; default: nothing. */
  onWatch: (call: ProbeCall, peer: string) => FakePacket[] = () => [];
  /** The peer's BGP table, by peer and family. */
  routes: (peer: string, family: IpFamily) => BgpRoute[] = () => [];
  onIngress: (request: IngressRequest) => IngressResult = (request) => ({
    attempts: request.attempts,
    succeeded: request.attempts,
    answeredBy: {},
    errors: [],
  });
  /** Node failures, with when the environment failed them (ms since the epoch). */
  readonly failures: Array<{ node: string; at: number }> = [];

  override async probe(request: ProbeRequest): Promise<ProbeEvidence> {
    this.probes.push(request);
    this.calls.push(`probe ${request.id}`);
    const startedAt = new Date().toISOString();
    const sources = await Promise.all(
      request.sources.map(
        async (s) =>
          (await this.cluster.get({
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: s.namespace,
            name: s.pod,
          })) ?? {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: s.pod, namespace: s.namespace },
          },
      ),
    );
    const targetAddress = await this.targetAddress(request);
    if (request.continuous) {
      // Background traffic: listening at once, captured until the runner stops it.
      request.continuous.onCapturing?.();
      const { signal } = request.continuous;
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    const script = this.onProbe({ request, number: this.probes.length, targetAddress, sources });
    const capturePath = join(request.artifactDir, `${request.id}.pcap`);
    await writeFile(capturePath, captureOf(script.packets, request, targetAddress));
    const call = { request, number: this.probes.length, targetAddress, sources };
    const watched = await Promise.all(
      (request.watchPeers ?? []).map(async (peer) => {
        if (!this.description.peers.some((p) => p.name === peer)) throw new Error(`fake: no peer ${peer}`);
        const path = join(request.artifactDir, `${request.id}-at-${peer}.pcap`);
        await writeFile(path, captureOf(this.onWatch(call, peer), request, targetAddress));
        return { peer, capturePath: path };
      }),
    );
    const attempts: ProbeAttempt[] = sources.flatMap((pod) =>
      Array.from({ length: request.continuous ? 1 : request.attempts }, () => ({
        source: { namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name },
        node: nodeOf(pod),
        podIP: addressesOf(pod)[0] ?? '',
        ...(script.attempt?.(pod.metadata.name) ?? { ok: true }),
      })),
    );
    return {
      request,
      targetAddress,
      capturePath,
      ...(watched.length > 0 ? { watched } : {}),
      attempts,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }

  override async ingress(request: IngressRequest): Promise<IngressResult> {
    this.calls.push(`ingress ${request.address}:${request.port}/${request.protocol}`);
    return this.onIngress(request);
  }

  override async bgpRoutes(peer: string, family: IpFamily): Promise<BgpRoute[]> {
    return this.routes(peer, family);
  }

  override async failNode(node: string): Promise<void> {
    await super.failNode(node);
    this.failures.push({ node, at: Date.now() });
    this.setReady(node, false);
  }

  override async restoreNode(node: string): Promise<void> {
    await super.restoreNode(node);
    this.setReady(node, true);
  }

  private setReady(name: string, ready: boolean): void {
    const node = this.nodeList.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    node.ready = ready;
  }

  private async targetAddress(request: ProbeRequest): Promise<string> {
    const { target, family } = request;
    if (target.kind === 'peer') {
      const address = this.description.peers.find((p) => p.name === target.peer)?.addresses[family];
      if (!address) throw new Error(`fake: peer ${target.peer} has no ${family} address`);
      return address;
    }
    if (target.kind === 'node') {
      const address = target.address ?? this.nodeList.find((n) => n.name === target.node)?.addresses[family];
      if (!address) throw new Error(`fake: node ${target.node} has no ${family} address`);
      return address;
    }
    const pod = await this.cluster.get({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: target.namespace,
      name: target.pod,
    });
    const address = pod ? addressesOf(pod).find((a) => a.includes(':') === (family === 'ipv6')) : undefined;
    if (!address) throw new Error(`fake: pod ${target.pod} has no ${family} address`);
    return address;
  }
}

function nodeOf(pod: KubeObject): string {
  const spec = pod.spec as { nodeName?: string } | undefined;
  return spec?.nodeName ?? '';
}

function addressesOf(pod: KubeObject): string[] {
  const status = pod.status as { podIPs?: Array<{ ip: string }> } | undefined;
  return (status?.podIPs ?? []).map((p) => p.ip);
}

/** The capture file: each packet as Ethernet + IP + TCP/UDP/ICMP, in the order given. */
function captureOf(packets: FakePacket[], request: ProbeRequest, targetAddress: string): Uint8Array {
  const synth: SynthPacket[] = packets.map((p, i) => {
    const protocol = p.protocol ?? request.protocol;
    const v6 = p.src.includes(':');
    const transport =
      protocol === 'icmp'
        ? icmp(p.icmpType ?? (v6 ? 128 : 8), 0, Uint8Array.of(0x4e, 0x85, 0, i + 1, 0x61, 0x62, 0x63, 0x64))
        : protocol === 'tcp'
          ? tcp(p.srcPort ?? 40000 + i, p.dstPort ?? request.port, { flags: 0x18, payload: 16 })
          : udp(p.srcPort ?? 40000 + i, p.dstPort ?? request.port, 16);
    const dst = p.dst ?? targetAddress;
    const number = protocol === 'icmp' ? (v6 ? 58 : 1) : protocol === 'tcp' ? 6 : 17;
    const frame = v6
      ? ethernet(ETHERTYPE_IPV6, ipv6({ src: p.src, dst, protocol: number, payload: transport }))
      : ethernet(ETHERTYPE_IPV4, ipv4({ src: p.src, dst, protocol: number, payload: transport }));
    const seconds = Math.floor(p.at / 1000);
    return { data: frame, seconds, nanoseconds: Math.round((p.at - seconds * 1000) * 1e6) };
  });
  return pcapFile({ linkType: 1, nano: true }, synth);
}

/** `count` packets from `src`, `spacingMs` apart from `startMs`. */
export function packetsFrom(src: string, count: number, startMs: number, spacingMs = 10): FakePacket[] {
  return Array.from({ length: count }, (_, i) => ({ src, at: startMs + i * spacingMs }));
}

/** How the stand-in controllers behave; each field can break one of them. */
export interface ControllerScript {
  /** The node the EgressService is placed on; null: not placed. Default: the second node. */
  egressNode?: string | null;
  /** status.host to publish (default: the egress node; `ALL` for sourceIPBy Network). */
  host?: string;
  /** Nodes labelled for the EgressService (default: the egress node). */
  labelled?: string[];
  /** Whether LoadBalancer Services get ingress IPs (default true). */
  ingress?: boolean;
  /** Pod names that never become ready. */
  notReady?: string[];
  /** Nodes pods are scheduled on, round-robin (default: every node). */
  podNodes?: string[];
}

export const LB_IPV4 = '203.0.113.1';
export const LB_IPV6 = '2001:db8:100::1';

export function podIPv4(node: number, pod: number): string {
  return `10.244.${node}.${pod + 10}`;
}

export function podIPv6(node: number, pod: number): string {
  return `fd00:10:244:${node}::${(pod + 10).toString(16)}`;
}

/**
 * Plays Kubernetes (Deployments make pods, spread over the nodes), MetalLB (the ingress IP) and
 * OVN-Kubernetes (the EgressService's node label and status.host) on the in-memory objects.
 */
export function playControllers(env: FakeEnvironment, script: ControllerScript = {}): void {
  const nodes = () => env.nodeList.map((n) => n.name);
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the fake environment's reaction to every object kind, as a cluster's controllers would
  env.onChange = (_env, object) => {
    const namespace = object.metadata.namespace ?? '';
    if (object.kind === 'Deployment') {
      const spec = object.spec as {
        replicas?: number | string;
        template: { metadata: { labels: Record<string, string> }; spec?: { hostNetwork?: boolean } };
      };
      const on = script.podNodes ?? nodes();
      const replicas = Number(spec.replicas ?? 1);
      for (let i = 0; i < replicas; i++) {
        const name = `${object.metadata.name}-${i}`;
        const node = on[i % on.length] as string;
        const n = nodes().indexOf(node);
        const hostNetwork = spec.template.spec?.hostNetwork === true;
        const info = env.nodeList[n];
        const ips = hostNetwork
          ? [info?.addresses.ipv4, info?.addresses.ipv6].filter((a): a is string => a !== undefined)
          : [podIPv4(n, i), podIPv6(n, i)];
        const ready = !(script.notReady ?? []).includes(name);
        env.objects.set(`Pod/${namespace}/${name}`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace, labels: { ...spec.template.metadata.labels } },
          spec: { nodeName: node },
          status: {
            podIPs: ips.map((ip) => ({ ip })),
            conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
          },
        });
      }
    }
    if (object.kind === 'Service' && (script.ingress ?? true)) {
      const families = (object.spec as { ipFamilies?: string[] }).ipFamilies ?? ['IPv4'];
      object.status = {
        loadBalancer: { ingress: families.map((f) => ({ ip: f === 'IPv6' ? LB_IPV6 : LB_IPV4 })) },
      };
    }
    if (object.kind === 'EgressService') {
      const egressNode = script.egressNode === undefined ? nodes()[1] : script.egressNode;
      const key = `egress-service.k8s.ovn.org/${namespace}-${object.metadata.name}`;
      for (const node of script.labelled ?? (egressNode ? [egressNode] : [])) {
        const target = env.nodeList.find((n) => n.name === node);
        if (target) target.labels[key] = '';
      }
      const host = script.host ?? egressNode ?? undefined;
      if (host !== undefined) object.status = { host };
    }
  };
  env.onDelete = (_env, ref) => {
    if (ref.kind !== 'EgressService') return;
    const key = `egress-service.k8s.ovn.org/${ref.namespace}-${ref.name}`;
    for (const node of env.nodeList) delete node.labels[key];
  };
}
