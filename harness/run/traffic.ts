/**
 * Background traffic (`startTraffic` / `stopTraffic`): a capture and bounded, continuous traffic
 * that run while other steps change the world, judged when they stop. ES-LEAK-1 starts it before
 * the EgressService exists and judges every packet sent after status.host was first seen.
 */
import { join } from 'node:path';
import type { IpFamily, ProbeEvidence } from '../env/environment.js';
import type { StartTrafficSpec, StopTrafficSpec } from '../spec/schema.js';
import { judgeSourceSince } from '../verdict/since.js';
import { packetSeries } from '../verdict/timeline.js';
import { placementOf } from './objects.js';
import { expectedSources, type ResolvedTarget, resolveTarget, sourcePods } from './probe.js';
import type { ProbeEvidenceRecord, TimelineEvent } from './results.js';
import type { StepOutcome, StepRun } from './steps.js';

/** How often the watched EgressService is read: the resolution of the publication time. */
const WATCH_INTERVAL_MS = 20;

interface FamilyTraffic {
  family: IpFamily;
  target: ResolvedTarget;
  evidence: Promise<ProbeEvidence>;
}

export interface BackgroundTraffic {
  spec: StartTrafficSpec;
  stop: AbortController;
  flows: FamilyTraffic[];
  /** When the watched EgressService's status.host was first seen non-empty (ms since the epoch). */
  publishedAt?: number;
  publishedHost?: string;
  watcher: Promise<void>;
  startedAt: number;
}

async function watchPublication(traffic: BackgroundTraffic, run: StepRun, name: string): Promise<void> {
  const { env, ctx } = run;
  while (!traffic.stop.signal.aborted) {
    const seenAt = Date.now();
    const placement = await placementOf(env.cluster, ctx.test.namespace, name);
    if (placement.host) {
      // The read started at seenAt: the publication happened before it, within one interval.
      traffic.publishedAt = seenAt;
      traffic.publishedHost = placement.host;
      return;
    }
    await new Promise((r) => setTimeout(r, WATCH_INTERVAL_MS));
  }
}

export async function startTraffic(spec: StartTrafficSpec, run: StepRun): Promise<StepOutcome> {
  const { env, ctx } = run;
  const pods = await sourcePods(env, ctx, spec.from);
  if (pods.length === 0) return { ok: false, detail: 'no ready source pods to send traffic from' };
  const limitMs = run.timeouts[spec.limit as keyof typeof run.timeouts];
  const stop = new AbortController();
  const bound = AbortSignal.any([stop.signal, run.signal, AbortSignal.timeout(limitMs)]);
  const traffic: BackgroundTraffic = {
    spec,
    stop,
    flows: [],
    watcher: Promise.resolve(),
    startedAt: Date.now(),
  };
  const started: string[] = [];
  let ready = () => {};
  const allListening = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let pending = ctx.families.length;
  for (const family of ctx.families) {
    const target = await resolveTarget(env, ctx, spec, family);
    const port = spec.port ?? target.port;
    // The target's lock is held until the traffic stops: no other test's packets in this capture.
    const evidence = run.probeTargets.hold(`${target.address}:${port}`, () =>
      env.probe({
        id: `${spec.name}-${family}`,
        family,
        sources: pods.map((p) => ({ namespace: ctx.test.namespace, pod: p.metadata.name })),
        target: target.target,
        protocol: spec.protocol,
        port,
        attempts: Math.ceil(limitMs / spec.intervalMs),
        artifactDir: run.artifactDir,
        timeoutMs: limitMs,
        continuous: {
          intervalMs: spec.intervalMs,
          signal: bound,
          onCapturing: () => {
            if (--pending === 0) ready();
          },
        },
      }),
    );
    // A failed probe is reported by stopTraffic; never an unhandled rejection meanwhile.
    evidence.catch(() => {});
    traffic.flows.push({ family, target: { ...target, port }, evidence });
    started.push(`${spec.protocol} to ${target.label} ${target.address}:${port}`);
  }
  // Steps after this one change the world: the captures must be listening by then.
  const ended = new Promise((r) => bound.addEventListener('abort', r, { once: true }));
  await Promise.race([allListening, ended, ...traffic.flows.map((f) => f.evidence.catch(() => {}))]);
  if (spec.watch) traffic.watcher = watchPublication(traffic, run, spec.watch);
  ctx.traffic.set(spec.name, traffic);
  run.cleanup.push(`stop traffic ${spec.name}`, async () => {
    stop.abort();
    await Promise.allSettled([traffic.watcher, ...traffic.flows.map((f) => f.evidence)]);
  });
  return {
    ok: true,
    detail: `traffic ${spec.name}: ${pods.length} pods, one ${spec.protocol} request each every ${spec.intervalMs}ms, ${started.join('; ')}${spec.watch ? `; watching EgressService ${spec.watch}` : ''}`,
  };
}

export async function stopTraffic(spec: StopTrafficSpec, run: StepRun): Promise<StepOutcome> {
  const { env, ctx } = run;
  const traffic = ctx.traffic.get(spec.name);
  if (!traffic) return { ok: false, detail: `no traffic named ${spec.name} is running` };
  ctx.traffic.delete(spec.name);
  traffic.stop.abort();
  await traffic.watcher;
  run.cleanup.drop(`stop traffic ${spec.name}`);
  const pods = await sourcePods(env, ctx, traffic.spec.from);
  const records: ProbeEvidenceRecord[] = [];
  const problems: string[] = [];
  const notes: string[] = [];
  const watched = traffic.spec.watch;
  if (watched && traffic.publishedAt === undefined) {
    problems.push(`EgressService ${watched} never published status.host while the traffic ran`);
  }
  for (const flow of traffic.flows) {
    const evidence = await flow.evidence;
    const { addresses, label } = await expectedSources(env, ctx, spec.expect.source, spec, pods, flow.family);
    const probeFlow = {
      targetAddress: evidence.targetAddress,
      port: flow.target.port,
      protocol: traffic.spec.protocol,
      family: flow.family,
    };
    const verdict = await judgeSourceSince(
      evidence.capturePath,
      probeFlow,
      { sources: addresses, label },
      traffic.publishedAt,
    );
    const packets = await packetSeries(evidence.capturePath, probeFlow, {
      mode: 'equals',
      sources: addresses,
      sinceMs: traffic.publishedAt,
    });
    const measurements: Record<string, number> = {
      trafficMs: Date.now() - traffic.startedAt,
      packetsBeforePublication: verdict.before,
      packetsAfterPublication: verdict.after,
      leakedPackets: verdict.offenders.length,
    };
    if (watched && traffic.publishedAt !== undefined) {
      measurements.leakWindowMs = verdict.windowMs;
      measurements.publishedAfterMs = traffic.publishedAt - traffic.startedAt;
    }
    const passed = verdict.status === 'pass' && !(watched && traffic.publishedAt === undefined);
    const where = watched && traffic.publishedHost ? ` (status.host ${traffic.publishedHost})` : '';
    const message = `${spec.name}/${flow.family}: ${verdict.message}${where}`;
    (passed ? notes : problems).push(message);
    const okAttempts = evidence.attempts.filter((a) => a.ok).length;
    records.push({
      probe: spec.name,
      capture: join(run.artifactPath, evidence.capturePath.split('/').pop() as string),
      target: `${flow.target.label} ${flow.target.address}:${flow.target.port}`,
      protocol: traffic.spec.protocol,
      expected: `${label} ${addresses.join(' or ')}${watched ? ` after status.host of ${watched} was published` : ''}`,
      totalPackets: verdict.after,
      matchedPackets: verdict.matchedAfter,
      sources: verdict.sources,
      offenders: verdict.offenders,
      attempts: evidence.attempts.length,
      attemptsOk: okAttempts,
      passed,
      message,
      measurements,
      packets,
    });
  }
  const events: TimelineEvent[] =
    traffic.publishedAt !== undefined
      ? [
          {
            atMs: traffic.publishedAt,
            kind: 'status.host',
            label: `status.host of ${watched} first seen: ${traffic.publishedHost}`,
          },
        ]
      : [];
  return problems.length > 0
    ? { ok: false, detail: problems.join('; '), evidence: records, events }
    : { ok: true, detail: notes.join('; '), evidence: records, events };
}
