/**
 * The probe step: traffic from pods to a target while the target captures, then verdicts from
 * the packets. The capture is the evidence; the server's echo of the client address is kept as a
 * second witness only.
 */
import type { ProbeSpec } from '../../spec/steps/probe.js';
import { defaultPeer } from '../context.js';
import { splitDetail } from '../detail.js';
import { AbortedError, eventually, type Observation, sleep } from '../eventually.js';
import type { ProbeEvidenceRecord } from '../results.js';
import type { StepExecutor, StepOutcome, StepRun } from '../step-run.js';
import { measureFailover } from '../traffic/failover.js';
import { judgeProbe } from '../traffic/judge.js';
import { mergeRoundCaptures } from '../traffic/merge-rounds.js';
import { sourcePods } from '../traffic/sources.js';
import { holdTarget, resolveTarget } from '../traffic/target.js';

/** The families' failures: their first lines on one line, their details under it. */
function joinFailures(failures: string[]): string {
  const parts = failures.map(splitDetail);
  return `${parts.map((p) => p.head).join('; ')}${parts.map((p) => p.rest).join('')}`;
}

/** "31.2 s" / "850 ms": how long a probe tried, for the first line of a failure. */
function took(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/**
 * Earlier probe rounds kept for the timeline (per family): every round of a probe's window (a
 * round takes at least a second or so, so this covers a window of many minutes), bounded.
 */
const EARLIER_ROUNDS = 1000;

interface RoundResult extends Observation {
  records: ProbeEvidenceRecord[];
}

async function probeOnce(spec: ProbeSpec, run: StepRun, round: number): Promise<RoundResult> {
  const { env, ctx } = run;
  const pods = await sourcePods(env, ctx, spec.from);
  if (pods.length === 0) return { ok: false, detail: 'no ready source pods to probe from', records: [] };
  const watchPeers = (spec.expect.absentAt ?? []).map((name) => {
    const peer = defaultPeer(ctx.env, name);
    if (!peer) throw new Error(`expect.absentAt: the environment has no peer '${name}'`);
    return peer.name;
  });
  // The families side by side: each has its own target address, so its own capture.
  const records = await Promise.all(
    ctx.families.map(async (family) => {
      const resolved = await resolveTarget(env, ctx, spec, family);
      // Other tests may probe the same target: capture only while no one else sends to it.
      const { target, evidence } = await holdTarget(run, resolved, spec.protocol, async (target) => ({
        target,
        evidence: await env.probe({
          id: `${spec.name}-${family}-${round}`,
          family,
          sources: pods.map((p) => ({
            namespace: p.metadata.namespace ?? ctx.test.namespace,
            pod: p.metadata.name,
          })),
          target: target.target,
          protocol: spec.protocol,
          port: target.port,
          attempts: spec.attempts,
          artifactDir: run.artifactDir,
          timeoutMs: run.timeouts.probe,
          ...(watchPeers.length > 0 ? { watchPeers } : {}),
        }),
      }));
      return judgeProbe(spec, run, pods, family, target, evidence);
    }),
  );
  const failures = records.filter((r) => !r.passed).map((r) => r.message);
  const details = records.filter((r) => r.passed).map((r) => r.message);
  return failures.length > 0
    ? { ok: false, detail: joinFailures(failures), records }
    : { ok: true, detail: details.join('; '), records };
}

export const probe: StepExecutor<'probe'> = async (spec, run) => {
  let round = 0;
  let last: RoundResult = { ok: false, detail: 'not run', records: [] };
  let firstPassing: RoundResult | undefined;
  // Rounds a later one replaced: the timeline shows them (the newest EARLIER_ROUNDS of them).
  const earlier: ProbeEvidenceRecord[] = [];
  const attempt = async (): Promise<Observation> => {
    earlier.push(...last.records);
    earlier.splice(0, Math.max(0, earlier.length - EARLIER_ROUNDS * run.ctx.families.length));
    try {
      last = await probeOnce(spec, run, round++);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      // The round's own words, kept for the step's message (a reused address, a lost target).
      last = { ok: false, detail: `error: ${(error as Error).message}`, records: [] };
    }
    // A round that sent nothing (no source pods yet, an error) took no time: wait as a poll
    // would before the next, rather than spin until the bound.
    if (last.records.length === 0) await sleep(run.ctx.env.pollIntervalMs ?? 500, run.signal);
    if (last.ok && !firstPassing) firstPassing = last;
    if (!last.ok) firstPassing = undefined;
    return last;
  };
  const finish = async (ok: boolean, said: string): Promise<StepOutcome> => {
    // One capture per probe step: every round's packets in one file.
    const rename = await mergeRoundCaptures(run, [...earlier, ...last.records]);
    let detail = rename(said);
    const rounds = earlier.length > 0 ? { earlierEvidence: earlier } : {};
    if (spec.measure === 'failover' && ok) {
      const problem = measureFailover(run, firstPassing?.records, last.records);
      if (problem) return { ok: false, detail: `${problem}; ${detail}`, evidence: last.records, ...rounds };
      const measured = last.records.map((r) => r.measurements?.failoverMs).filter((m) => m !== undefined);
      if (measured.length > 0) detail = `${detail}; failover ${measured.join('/')}ms after the node failed`;
    }
    return { ok, detail, evidence: last.records, ...rounds };
  };
  if (!spec.until) {
    const started = performance.now();
    await attempt();
    if (last.ok) return finish(true, last.detail);
    const { head, rest } = splitDetail(last.detail);
    return finish(false, `${head}; tried once (${took(Math.round(performance.now() - started))})${rest}`);
  }
  const outcome = await eventually(attempt, {
    timeoutMs: run.timeouts[spec.until.timeout],
    consecutive: spec.until.consecutive,
    intervalMs: 0,
    signal: run.signal,
  });
  // A last round that passed on a run that failed means the rounds never passed enough times
  // in a row: say that, not only the passing round's numbers.
  const { head, rest } = splitDetail(last.detail);
  const detail = outcome.ok
    ? `${last.detail} (${outcome.polls} rounds)`
    : last.ok
      ? `did not pass ${spec.until.consecutive} rounds in a row in time (${outcome.detail}); last round: ${last.detail}`
      : `${head}; tried for ${took(outcome.elapsedMs)} (${outcome.polls} rounds)${rest}`;
  return finish(outcome.ok, detail);
};
