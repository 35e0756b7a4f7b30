/**
 * Background traffic, started: a capture and bounded, continuous traffic that run while other
 * steps change the world, judged when `stopTraffic` ends them. ES-LEAK-1 starts it before the
 * EgressService exists and judges every packet sent after status.host was first seen.
 */
import { placementOf } from '../objects.js';
import type { StepExecutor, StepRun } from '../step-run.js';
import type { BackgroundTraffic, FamilyTraffic } from '../traffic/flow.js';
import { sourcePods } from '../traffic/sources.js';
import { holdTarget, resolveTarget } from '../traffic/target.js';

/** How often the watched EgressService is read: the resolution of the publication time. */
const WATCH_INTERVAL_MS = 20;

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

export const startTraffic: StepExecutor<'startTraffic'> = async (spec, run) => {
  const { env, ctx } = run;
  const pods = await sourcePods(env, ctx, spec.from);
  if (pods.length === 0) return { ok: false, detail: 'no ready source pods to send traffic from' };
  const limitMs = run.timeouts[spec.limit];
  const stop = new AbortController();
  const bound = AbortSignal.any([stop.signal, run.signal, AbortSignal.timeout(limitMs)]);
  const traffic: BackgroundTraffic = {
    spec,
    stop,
    flows: [],
    watcher: Promise.resolve(),
    startedAt: Date.now(),
  };
  let ready = () => {};
  const allListening = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let pending = ctx.families.length;
  for (const family of ctx.families) {
    const resolved = await resolveTarget(env, ctx, spec, family);
    // The target's lock is held until the traffic stops: no other test's packets in this capture.
    const evidence = holdTarget(run, resolved, spec.protocol, (target) => {
      // The port the lock gave (this runs after `flow` below exists: the lock is awaited first).
      flow.target = target;
      return env.probe({
        id: `${spec.name}-${family}`,
        family,
        sources: pods.map((p) => ({ namespace: ctx.test.namespace, pod: p.metadata.name })),
        target: target.target,
        protocol: spec.protocol,
        port: target.port,
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
      });
    });
    const flow: FamilyTraffic = { family, target: resolved, evidence };
    // A failed probe is reported by stopTraffic; never an unhandled rejection meanwhile.
    evidence.catch(() => {});
    traffic.flows.push(flow);
  }
  // Steps after this one change the world: the captures must be listening by then.
  const ended = new Promise((r) => bound.addEventListener('abort', r, { once: true }));
  await Promise.race([allListening, ended, ...traffic.flows.map((f) => f.evidence.catch(() => {}))]);
  const started = traffic.flows.map(
    (f) => `${spec.protocol} to ${f.target.label} ${f.target.address}:${f.target.port}`,
  );
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
};
