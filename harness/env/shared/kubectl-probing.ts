/**
 * Probes, shared by the kind and existing providers: traffic from pods (one kubectl exec per
 * source running every attempt of the probe: client-loop.ts, curl or nc against agnhost
 * netexec's /clientip — the request upstream's egress_services.go makes, `curl -s --max-time
 * ... http://<dst>:<port>/clientip` — or ping for ICMP echo), while tcpdump captures at the
 * target (the peer's network namespace, or the node hosting the target). The capture file is the evidence; the echoed
 * client address is a second witness.
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
import { type AttemptLine, completeAttempts, parseAttemptLines } from './attempt-lines.js';
import { attemptBoundMs, type ClientLoop, clientLoopArgv } from './client-loop.js';
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
  podExec(
    namespace: string,
    pod: string,
    argv: string[],
    timeoutMs: number,
    options?: { stdinUntil?: AbortSignal },
  ): Promise<CommandResult>;
  /** Address of the probe target for a family, and where to capture for it. */
  target(request: ProbeRequest): Promise<{ address: string; site: CaptureSite }>;
  /** Where to capture at another peer (`ProbeRequest.watchPeers`); absent: no peer but the target. */
  peerSite?(peer: string): CaptureSite;
  filter(address: string, port: number, protocol: ProbeProtocol): string;
}

export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** Room for kubectl (or a sidecar, or ssh) to start and end around the client's own bounds. */
const EXEC_MARGIN_MS = 30_000;

/**
 * The attempts a client loop reported, from its command's result: attempts it never reported
 * (it was killed, or timed out as a whole) are failures with the reason, unless the loop ran
 * until stopped or stops at its first failure, where what it reported is what it made.
 */
export function attemptsOfRun(result: CommandResult, loop: ClientLoop, what: string): AttemptLine[] {
  const lines = parseAttemptLines(result.stdout);
  const why = `${what}: exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}${
    result.stderr.trim() ? `: ${result.stderr.trim().split('\n').at(-1)?.slice(0, 300)}` : ''
  }`;
  if (loop.untilStdinCloses) return lines.length > 0 ? lines : [{ attempt: 1, ok: false, error: why }];
  const failed = lines.findIndex((line) => !line.ok);
  if (loop.stopOnFailure && failed >= 0) return lines.slice(0, failed + 1);
  if (loop.stopOnFailure && lines.length < loop.attempts) {
    return [...lines, { attempt: lines.length + 1, ok: false, error: why }];
  }
  return completeAttempts(lines, loop.attempts, result.exitCode === 0 ? `${what}: no report` : why);
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

/** One source's attempts: one exec of the client loop in the pod. */
async function attemptsFrom(
  deps: ProbeDeps,
  request: ProbeRequest,
  source: ProbeSource,
  address: string,
): Promise<ProbeAttempt[]> {
  const { ip, node } = await podAddressOf(deps.cluster, source, request.family);
  const base = { source, node: node ?? '', podIP: ip ?? '' };
  if (!ip) {
    const error = `pod ${source.namespace}/${source.pod} has no ${request.family} address`;
    const count = request.continuous ? 1 : request.attempts;
    return Array.from({ length: count }, () => ({ ...base, ok: false, error }));
  }
  const continuous = request.continuous;
  const loop: ClientLoop = {
    address,
    port: request.port,
    protocol: request.protocol,
    request: 'clientip',
    attempts: request.attempts,
    ...(continuous
      ? {
          timeoutMs: Math.max(1000, Math.min(3000, continuous.intervalMs * 10)),
          intervalMs: continuous.intervalMs,
          untilStdinCloses: true,
        }
      : { timeoutMs: Math.min(Math.max(request.timeoutMs, 1000), 10_000) }),
  };
  const result = await deps.podExec(
    source.namespace,
    source.pod,
    clientLoopArgv(loop),
    loop.attempts * (attemptBoundMs(loop) + (loop.intervalMs ?? 0)) + EXEC_MARGIN_MS,
    continuous ? { stdinUntil: continuous.signal } : {},
  );
  return attemptsOfRun(result, loop, `client in ${source.namespace}/${source.pod}`).map((line) => ({
    ...base,
    ok: line.ok,
    // ping's `reply` names no client address: only the probe servers echo one.
    ...(line.ok && line.answer && request.protocol !== 'icmp' ? { echoedClient: line.answer } : {}),
    ...(!line.ok ? { error: line.error ?? 'no reply' } : {}),
    ...(line.durationMs !== undefined ? { durationMs: line.durationMs } : {}),
  }));
}

export async function runProbe(request: ProbeRequest, deps: ProbeDeps): Promise<ProbeEvidence> {
  const startedAt = new Date().toISOString();
  const { address, site } = await deps.target(request);
  const filter = deps.filter(address, request.port, request.protocol);
  const watchers = (request.watchPeers ?? []).map((peer) => {
    if (!deps.peerSite)
      throw new Error(`this environment captures at the probe target only, not at peer ${peer}`);
    return { peer, site: deps.peerSite(peer) };
  });
  const handle = await site.start(request.id, filter);
  const watching = await Promise.all(
    watchers.map(async (w) => ({ ...w, handle: await w.site.start(`${request.id}-at-${w.peer}`, filter) })),
  );
  request.continuous?.onCapturing?.();
  const attempts: ProbeAttempt[] = [];
  let localPath: string;
  let watchedPaths: string[];
  try {
    // Every source at once: each is one exec running all its attempts.
    const all = await Promise.all(request.sources.map((s) => attemptsFrom(deps, request, s, address)));
    attempts.push(...all.flat());
  } finally {
    [localPath, ...watchedPaths] = await Promise.all([
      site.stop(handle),
      ...watching.map((w) => w.site.stop(w.handle)),
    ]);
  }
  await mkdir(request.artifactDir, { recursive: true });
  const keep = async (from: string, name: string) => {
    const path = join(request.artifactDir, `${name}.pcap`);
    if (from !== path) await copyFile(from, path);
    return path;
  };
  const capturePath = await keep(localPath, request.id);
  const watched = await Promise.all(
    watching.map(async (w, i) => ({
      peer: w.peer,
      capturePath: await keep(watchedPaths[i] as string, `${request.id}-at-${w.peer}`),
    })),
  );
  return {
    request,
    targetAddress: address,
    capturePath,
    ...(watched.length > 0 ? { watched } : {}),
    attempts,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/**
 * Ingress from a peer: requests for /hostname (UDP: "hostname") in one exec of the client loop,
 * bound to the peer's own address, counted by who answered; the first unanswered one ends it.
 */
export async function runIngress(
  request: IngressRequest,
  fetchFromPeer: (argv: string[], timeoutMs: number) => Promise<CommandResult>,
): Promise<IngressResult> {
  const loop: ClientLoop = {
    address: request.address,
    port: request.port,
    protocol: request.protocol,
    request: 'hostname',
    attempts: request.attempts,
    timeoutMs: Math.min(request.timeoutMs, 10_000),
    stopOnFailure: true,
    ...(request.source ? { source: request.source } : {}),
  };
  const answer = await fetchFromPeer(clientLoopArgv(loop), loop.attempts * loop.timeoutMs + EXEC_MARGIN_MS);
  const result: IngressResult = { attempts: request.attempts, succeeded: 0, answeredBy: {}, errors: [] };
  for (const line of attemptsOfRun(answer, loop, `client on ${request.peer}`)) {
    if (line.ok && line.answer) {
      result.succeeded++;
      result.answeredBy[line.answer] = (result.answeredBy[line.answer] ?? 0) + 1;
    } else {
      result.errors.push(`attempt ${line.attempt}: ${line.error ?? 'no answer'}`);
      // One unanswered attempt already fails the check; the rest would only add their timeouts.
      result.attempts = line.attempt;
      break;
    }
  }
  return result;
}

/** `podExec` through kubectl (kubectl: the binary with its --kubeconfig and --context). */
export function kubectlPodExec(runner: CommandRunner, kubectl: string[]): ProbeDeps['podExec'] {
  return (namespace, pod, argv, timeoutMs, options = {}) =>
    options.stdinUntil
      ? // -i: the loop runs until its stdin (ours) ends.
        runner.run([...kubectl, 'exec', '-i', '-n', namespace, pod, '--', ...argv], {
          timeoutMs,
          stdinUntil: options.stdinUntil,
        })
      : runner.run([...kubectl, 'exec', '-n', namespace, pod, '--', ...argv], { timeoutMs });
}
