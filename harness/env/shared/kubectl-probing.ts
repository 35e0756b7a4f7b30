/**
 * Probes, shared by the kind and existing providers: traffic from pods (kubectl exec running
 * curl, or nc for UDP, against agnhost netexec's /clientip — the request upstream's
 * egress_services.go makes, `curl -s --max-time ... http://<dst>:<port>/clientip`), while
 * tcpdump captures at the target (the peer's network namespace, or the node hosting the target).
 * The capture file is the evidence; the echoed client address is a second witness.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  ClusterApi,
  IngressRequest,
  IngressResult,
  IpFamily,
  KubeObject,
  ProbeAttempt,
  ProbeEvidence,
  ProbeProtocol,
  ProbeRequest,
  ProbeSource,
} from '../environment.js';
import type { CommandResult, CommandRunner } from './command-runner.js';

export interface CaptureHandle {
  name: string;
}

/** Where a capture runs: start with a filter, stop and leave the pcap at a local path. */
export interface CaptureSite {
  start(name: string, filter: string): Promise<CaptureHandle>;
  /** Stops the capture; returns the local path of the pcap. */
  stop(handle: CaptureHandle): Promise<string>;
}

export interface ProbeDeps {
  cluster: ClusterApi;
  podExec(namespace: string, pod: string, argv: string[], timeoutMs: number): Promise<CommandResult>;
  /** Address of the probe target for a family, and where to capture for it. */
  target(request: ProbeRequest): Promise<{ address: string; site: CaptureSite }>;
  filter(address: string, port: number, protocol: ProbeProtocol): string;
}

export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** The client command run in a source pod (agnhost images carry curl and busybox nc). */
export function clientArgv(
  address: string,
  port: number,
  protocol: ProbeProtocol,
  timeoutMs: number,
): string[] {
  const seconds = Math.max(1, Math.round(timeoutMs / 1000));
  if (protocol === 'tcp') {
    return ['curl', '-s', '--max-time', String(seconds), `http://${urlHost(address)}:${port}/clientip`];
  }
  // agnhost netexec answers the UDP datagram "clientip" with the client's ip:port.
  return ['sh', '-c', `echo clientip | nc -u -w ${seconds} ${address} ${port}`];
}

/** Pod IP for a family and the node it runs on. */
export function podAddress(pod: KubeObject | undefined, family: IpFamily): { ip?: string; node?: string } {
  if (!pod) return {};
  const status = (pod.status ?? {}) as { podIPs?: Array<{ ip?: string }>; podIP?: string };
  const spec = (pod.spec ?? {}) as { nodeName?: string };
  const ips = (status.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (status.podIP && !ips.includes(status.podIP)) ips.push(status.podIP);
  const ip = ips.find((a) => (family === 'ipv6') === a.includes(':'));
  return { ...(ip ? { ip } : {}), ...(spec.nodeName ? { node: spec.nodeName } : {}) };
}

/** A pod's address for a family and its node, read from the cluster. */
export async function podAddressOf(
  cluster: ClusterApi,
  pod: { namespace: string; pod: string },
  family: IpFamily,
): Promise<{ ip?: string; node?: string }> {
  const object = await cluster.get({
    apiVersion: 'v1',
    kind: 'Pod',
    name: pod.pod,
    namespace: pod.namespace,
  });
  return podAddress(object, family);
}

async function attemptFrom(
  deps: ProbeDeps,
  request: ProbeRequest,
  source: ProbeSource,
  address: string,
): Promise<ProbeAttempt[]> {
  const { ip, node } = await podAddressOf(deps.cluster, source, request.family);
  const attempts: ProbeAttempt[] = [];
  const perAttempt = Math.min(Math.max(request.timeoutMs, 1000), 10_000);
  const continuous = request.continuous;
  for (let i = 0; i < request.attempts; i++) {
    if (continuous) {
      // Background traffic: one attempt per interval until the signal aborts.
      if (continuous.signal.aborted) break;
      if (i > 0) await new Promise((r) => setTimeout(r, continuous.intervalMs));
      if (continuous.signal.aborted) break;
    }
    const base = { source, node: node ?? '', podIP: ip ?? '' };
    if (!ip) {
      attempts.push({
        ...base,
        ok: false,
        error: `pod ${source.namespace}/${source.pod} has no ${request.family} address`,
      });
      continue;
    }
    const result = await deps.podExec(
      source.namespace,
      source.pod,
      clientArgv(address, request.port, request.protocol, perAttempt),
      perAttempt + 5000,
    );
    const echoed = result.stdout.trim().split('\n').pop()?.trim();
    if (result.exitCode === 0 && echoed) attempts.push({ ...base, ok: true, echoedClient: echoed });
    else {
      attempts.push({
        ...base,
        ok: false,
        error: `exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}: ${(result.stderr || result.stdout).trim().slice(0, 300)}`,
      });
    }
  }
  return attempts;
}

export async function runProbe(request: ProbeRequest, deps: ProbeDeps): Promise<ProbeEvidence> {
  const startedAt = new Date().toISOString();
  const { address, site } = await deps.target(request);
  const handle = await site.start(request.id, deps.filter(address, request.port, request.protocol));
  request.continuous?.onCapturing?.();
  const attempts: ProbeAttempt[] = [];
  let localPath: string;
  try {
    if (request.continuous) {
      // Background traffic: every source at once, for as long as it runs.
      const all = await Promise.all(request.sources.map((s) => attemptFrom(deps, request, s, address)));
      attempts.push(...all.flat());
    } else {
      for (const source of request.sources)
        attempts.push(...(await attemptFrom(deps, request, source, address)));
    }
  } finally {
    localPath = await site.stop(handle);
  }
  await mkdir(request.artifactDir, { recursive: true });
  const capturePath = join(request.artifactDir, `${request.id}.pcap`);
  if (localPath !== capturePath) await copyFile(localPath, capturePath);
  return {
    request,
    targetAddress: address,
    capturePath,
    attempts,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** Ingress from a peer: repeated requests for /hostname (UDP: "hostname"), counted by who answered. */
export async function runIngress(
  request: IngressRequest,
  fetchFromPeer: (argv: string[], timeoutMs: number) => Promise<CommandResult>,
): Promise<IngressResult> {
  const result: IngressResult = { attempts: request.attempts, succeeded: 0, answeredBy: {}, errors: [] };
  const seconds = Math.max(1, Math.round(Math.min(request.timeoutMs, 10_000) / 1000));
  // The client binds the peer's own address (curl --interface takes an address too).
  const argv =
    request.protocol === 'tcp'
      ? [
          'curl',
          '-s',
          '--max-time',
          String(seconds),
          ...(request.source ? ['--interface', request.source] : []),
          `http://${urlHost(request.address)}:${request.port}/hostname`,
        ]
      : [
          'sh',
          '-c',
          `echo hostname | nc -u -w ${seconds}${request.source ? ` -s ${request.source}` : ''} ${request.address} ${request.port}`,
        ];
  for (let i = 0; i < request.attempts; i++) {
    const answer = await fetchFromPeer(argv, seconds * 1000 + 5000);
    const name = answer.stdout.trim();
    if (answer.exitCode === 0 && name) {
      result.succeeded++;
      result.answeredBy[name] = (result.answeredBy[name] ?? 0) + 1;
    } else {
      result.errors.push(
        `attempt ${i + 1}: exit ${answer.exitCode} ${(answer.stderr || answer.stdout).trim().slice(0, 200)}`,
      );
      // One unanswered attempt already fails the check; the rest would only add their timeouts.
      result.attempts = i + 1;
      break;
    }
  }
  return result;
}

/** `podExec` through kubectl (kubectl: the binary with its --kubeconfig and --context). */
export function kubectlPodExec(runner: CommandRunner, kubectl: string[]): ProbeDeps['podExec'] {
  return (namespace, pod, argv, timeoutMs) =>
    runner.run([...kubectl, 'exec', '-n', namespace, pod, '--', ...argv], { timeoutMs });
}
