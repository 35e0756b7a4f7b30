/**
 * The probe step: traffic from pods to a target while the target captures, then verdicts from
 * the packets. The capture is the evidence; the server's echo of the client address is kept as a
 * second witness only.
 */
import { join } from 'node:path';
import type { Environment, IpFamily, KubeObject, ProbeEvidence, ProbeTarget } from '../env/environment.js';
import type { ProbeSpec, SourceKind } from '../spec/schema.js';
import { firstProbePacketMs } from '../verdict/since.js';
import { judgeProbeSource, type SourceVerdict } from '../verdict/source-ip.js';
import { packetSeries, type SeriesRule } from '../verdict/timeline.js';
import { defaultPeer, egressIPFor, type TestContext } from './context.js';
import { eventually, type Observation } from './eventually.js';
import { resolveNode } from './node-refs.js';
import { endpointPods, ingressIP, podIPs, podNode, podReady, podsMatching } from './objects.js';
import type { ProbeEvidenceRecord } from './results.js';
import type { StepOutcome, StepRun } from './steps.js';

export async function sourcePods(
  env: Environment,
  ctx: TestContext,
  from: ProbeSpec['from'],
): Promise<KubeObject[]> {
  const namespace = ctx.test.namespace;
  if ('endpointsOf' in from) return endpointPods(env.cluster, namespace, from.endpointsOf);
  if ('pods' in from) return (await podsMatching(env.cluster, namespace, from.pods)).filter(podReady);
  const pod = await env.cluster.get({ apiVersion: 'v1', kind: 'Pod', namespace, name: from.pod });
  return pod ? [pod] : [];
}

function addressOfFamily(addresses: string[], family: IpFamily): string | undefined {
  return addresses.find((a) => (family === 'ipv4' ? !a.includes(':') : a.includes(':')));
}

export interface ResolvedTarget {
  target: ProbeTarget;
  address: string;
  port: number;
  label: string;
}

export async function resolveTarget(
  env: Environment,
  ctx: TestContext,
  spec: Pick<ProbeSpec, 'to' | 'port'>,
  family: IpFamily,
): Promise<ResolvedTarget> {
  const namespace = ctx.test.namespace;
  const to = spec.to;
  if ('peer' in to) {
    const peer = defaultPeer(ctx.env, to.peer);
    const address = peer?.addresses[family];
    if (!peer || !address) throw new Error(`peer '${to.peer}' has no ${family} address`);
    return {
      target: { kind: 'peer', peer: peer.name },
      address,
      port: spec.port ?? peer.probePort,
      label: `peer ${peer.name}`,
    };
  }
  if ('pod' in to) {
    const pod = await env.cluster.get({ apiVersion: 'v1', kind: 'Pod', namespace, name: to.pod });
    const address = pod ? addressOfFamily(podIPs(pod), family) : undefined;
    if (!address) throw new Error(`pod ${to.pod} has no ${family} address`);
    return {
      target: { kind: 'pod', namespace, pod: to.pod },
      address,
      port: spec.port ?? 8080,
      label: `pod ${to.pod}`,
    };
  }
  const node = await resolveNode(env.cluster, namespace, to.node);
  const address = node.addresses[family];
  if (!address) throw new Error(`node ${node.name} has no ${family} address`);
  const port = spec.port ?? defaultPeer(ctx.env)?.probePort ?? 8080;
  return { target: { kind: 'node', node: node.name }, address, port, label: `node ${node.name}` };
}

/** The addresses a source expectation allows, and how a message names them. */
export async function expectedSources(
  env: Environment,
  ctx: TestContext,
  kind: SourceKind,
  spec: { expect: { service?: string | undefined; network?: string | undefined } },
  pods: KubeObject[],
  family: IpFamily,
): Promise<{ addresses: string[]; label: string }> {
  const expect = spec.expect;
  switch (kind) {
    case 'loadBalancerIP': {
      const service = expect.service as string;
      const ip = await ingressIP(env.cluster, ctx.test.namespace, service, family);
      if (!ip) throw new Error(`Service ${service} has no ${family} ingress IP`);
      return { addresses: [ip], label: 'the LoadBalancer IP' };
    }
    case 'nodeIP': {
      const nodes = await env.cluster.nodes();
      const names = new Set(pods.map(podNode));
      const addresses = nodes.filter((n) => names.has(n.name)).map((n) => n.addresses[family] ?? '');
      return { addresses, label: addresses.length > 1 ? 'one of the node IPs' : 'the node IP' };
    }
    case 'podIP': {
      const addresses = pods.map((p) => addressOfFamily(podIPs(p), family) ?? '');
      return { addresses, label: addresses.length > 1 ? 'one of the pod IPs' : 'the pod IP' };
    }
    case 'networkIP': {
      const network = expect.network as string;
      const nodes = await env.cluster.nodes();
      const names = new Set(pods.map(podNode));
      const addresses = ctx.env.nodes
        .filter((n) => names.has(n.name) && nodes.some((live) => live.name === n.name))
        .map((n) => n.networkAddresses[network]?.[family] ?? '');
      // The verdict and the expectation append the addresses themselves.
      return { addresses, label: `the ${network} network address${addresses.length > 1 ? 'es' : ''}` };
    }
    case 'egressIP': {
      const address = egressIPFor(ctx.env, family, ctx.test.index);
      if (!address) throw new Error(`the environment has no ${family} EgressIP range (egressIPRanges)`);
      return { addresses: [address], label: 'the EgressIP' };
    }
  }
}

interface RoundResult extends Observation {
  records: ProbeEvidenceRecord[];
}

async function probeOnce(spec: ProbeSpec, run: StepRun, round: number): Promise<RoundResult> {
  const { env, ctx } = run;
  const pods = await sourcePods(env, ctx, spec.from);
  if (pods.length === 0) return { ok: false, detail: 'no ready source pods to probe from', records: [] };
  const records: ProbeEvidenceRecord[] = [];
  const failures: string[] = [];
  const details: string[] = [];
  for (const family of ctx.families) {
    const target = await resolveTarget(env, ctx, spec, family);
    const id = `${spec.name}-${family}-${round}`;
    // Other tests may probe the same target: capture only while no one else sends to it.
    const evidence = await run.probeTargets.hold(`${target.address}:${target.port}`, () =>
      env.probe({
        id,
        family,
        sources: pods.map((p) => ({ namespace: ctx.test.namespace, pod: p.metadata.name })),
        target: target.target,
        protocol: spec.protocol,
        port: target.port,
        attempts: spec.attempts,
        artifactDir: run.artifactDir,
        timeoutMs: run.timeouts.probe,
      }),
    );
    const record = await judge(spec, run, pods, family, target, evidence);
    records.push(record);
    (record.passed ? details : failures).push(record.message);
  }
  return failures.length > 0
    ? { ok: false, detail: failures.join('; '), records }
    : { ok: true, detail: details.join('; '), records };
}

async function judge(
  spec: ProbeSpec,
  run: StepRun,
  pods: KubeObject[],
  family: IpFamily,
  target: ResolvedTarget,
  evidence: ProbeEvidence,
): Promise<ProbeEvidenceRecord> {
  const { env, ctx } = run;
  const expect = spec.expect;
  const flow = { targetAddress: evidence.targetAddress, port: target.port, protocol: spec.protocol, family };
  const problems: string[] = [];
  const notes: string[] = [];
  let verdict: SourceVerdict | undefined;
  let expected = 'any source';
  let seriesRule: SeriesRule = { mode: 'any', sources: [] };
  if (expect.source) {
    const { addresses, label } = await expectedSources(env, ctx, expect.source, spec, pods, family);
    expected = `${label} ${addresses.join(' or ')}`;
    verdict = await judgeProbeSource(evidence.capturePath, flow, {
      sources: addresses,
      label,
      mode: 'equals',
    });
    seriesRule = { mode: 'equals', sources: addresses };
  } else if (expect.notSource) {
    const { addresses, label } = await expectedSources(env, ctx, expect.notSource, spec, pods, family);
    expected = `not ${label} ${addresses.join(' or ')}`;
    verdict = await judgeProbeSource(evidence.capturePath, flow, { sources: addresses, label, mode: 'not' });
    seriesRule = { mode: 'not', sources: addresses };
  }
  if (verdict && verdict.status !== 'pass') problems.push(verdict.message);
  else if (verdict) notes.push(verdict.message);
  const okAttempts = evidence.attempts.filter((a) => a.ok).length;
  if (expect.completes === true && okAttempts < evidence.attempts.length) {
    const failed = evidence.attempts.filter((a) => !a.ok);
    const sample = failed
      .slice(0, 3)
      .map((a) => `${a.source.pod} on ${a.node}: ${a.error ?? 'no reply'}`)
      .join('; ');
    problems.push(
      `${failed.length}/${evidence.attempts.length} ${spec.protocol} attempts to ${target.address}:${target.port} got no reply (${sample})`,
    );
  } else if (expect.completes === true) {
    notes.push(`${okAttempts}/${evidence.attempts.length} attempts completed`);
  }
  if (expect.fromEveryNode === true) {
    const used = new Set(evidence.attempts.map((a) => a.node));
    const missing = ctx.env.nodes.map((n) => n.name).filter((n) => !used.has(n));
    if (missing.length > 0)
      problems.push(`no source pod ran on ${missing.join(', ')}; expected sources on every node`);
  }
  const passed = problems.length === 0;
  const firstPacketMs = spec.measure ? await firstProbePacketMs(evidence.capturePath, flow) : undefined;
  const packets = await packetSeries(evidence.capturePath, flow, seriesRule);
  return {
    ...(firstPacketMs !== undefined ? { firstPacketMs } : {}),
    packets,
    family,
    probe: spec.name,
    capture: join(run.artifactPath, evidence.capturePath.split('/').pop() as string),
    target: `${target.label} ${target.address}:${target.port}`,
    protocol: spec.protocol,
    expected,
    totalPackets: verdict?.total ?? 0,
    matchedPackets: verdict?.matched ?? 0,
    sources: verdict?.sources ?? {},
    offenders: verdict?.offenders ?? [],
    attempts: evidence.attempts.length,
    attemptsOk: okAttempts,
    passed,
    message: `${spec.name}/${family}: ${(passed ? notes : problems).join('; ')}`,
  };
}

/**
 * `measure: failover`: from the last failNode to the first packet of the first round that
 * passed, per family; over the `failover` bound is a failure. The resolution is one round (a
 * capture's start and stop), which the detail says.
 */
async function measureFailover(
  run: StepRun,
  firstPassing: RoundResult | undefined,
  records: ProbeEvidenceRecord[],
): Promise<string | undefined> {
  const failedAt = run.ctx.failedAt;
  if (failedAt === undefined) return 'measure failover: no node was failed before this probe';
  if (!firstPassing) return undefined;
  const bound = run.timeouts.failover;
  const problems: string[] = [];
  for (const record of records) {
    const first = firstPassing.records.find((r) => r.message.startsWith(`${record.probe}/${record.family}:`));
    const at = first?.firstPacketMs;
    if (at === undefined) continue;
    const failoverMs = Math.max(0, Math.round(at - failedAt));
    record.measurements = { ...(record.measurements ?? {}), failoverMs };
    record.message += `; failover: first correct packet ${failoverMs}ms after the node failed (bound ${bound}ms)`;
    if (failoverMs > bound)
      problems.push(
        `${record.probe}/${record.family}: failover took ${failoverMs}ms, over the bound of ${bound}ms`,
      );
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** Earlier probe rounds kept for the timeline, at most (per family). */
const EARLIER_ROUNDS = 20;

export async function runProbe(spec: ProbeSpec, run: StepRun): Promise<StepOutcome> {
  let round = 0;
  let last: RoundResult = { ok: false, detail: 'not run', records: [] };
  let firstPassing: RoundResult | undefined;
  // Rounds a later one replaced: the timeline shows them (the newest EARLIER_ROUNDS of them).
  const earlier: ProbeEvidenceRecord[] = [];
  const attempt = async (): Promise<Observation> => {
    earlier.push(...last.records);
    earlier.splice(0, Math.max(0, earlier.length - EARLIER_ROUNDS * run.ctx.families.length));
    last = await probeOnce(spec, run, round++);
    if (last.ok && !firstPassing) firstPassing = last;
    if (!last.ok) firstPassing = undefined;
    return last;
  };
  const finish = async (ok: boolean, detail: string): Promise<StepOutcome> => {
    const rounds = earlier.length > 0 ? { earlierEvidence: earlier } : {};
    if (spec.measure === 'failover' && ok) {
      const problem = await measureFailover(run, firstPassing, last.records);
      if (problem) return { ok: false, detail: `${problem}; ${detail}`, evidence: last.records, ...rounds };
      const measured = last.records.map((r) => r.measurements?.failoverMs).filter((m) => m !== undefined);
      if (measured.length > 0) detail = `${detail}; failover ${measured.join('/')}ms after the node failed`;
    }
    return { ok, detail, evidence: last.records, ...rounds };
  };
  if (!spec.until) {
    await attempt();
    return finish(last.ok, last.detail);
  }
  const outcome = await eventually(attempt, {
    timeoutMs: run.timeouts[spec.until.timeout as keyof typeof run.timeouts],
    consecutive: spec.until.consecutive,
    intervalMs: 0,
    signal: run.signal,
  });
  // A last round that passed on a run that failed means the rounds never passed enough times
  // in a row: say that, not only the passing round's numbers.
  const detail = outcome.ok
    ? `${last.detail} (${outcome.polls} rounds)`
    : last.ok
      ? `did not pass ${spec.until.consecutive} rounds in a row in time (${outcome.detail}); last round: ${last.detail}`
      : `${last.detail} (after ${outcome.polls} rounds in ${outcome.elapsedMs}ms)`;
  return finish(outcome.ok, detail);
}
