/**
 * Background traffic, stopped and judged: every packet sent after status.host was published
 * (every packet, without `watch`) must have the expected source; the others are reported with
 * the leak window (`leakWindowMs`: from publication to the last of them).
 */
import { judgeSourceSince } from '../../verdict/since.js';
import { packetSeries } from '../../verdict/timeline.js';
import { type ProbeEvidenceRecord, probeFlowOf, type TimelineEvent } from '../results.js';
import type { StepExecutor } from '../step-run.js';
import { reportedCapture } from '../traffic/judge.js';
import { expectedSources, sourcePods } from '../traffic/sources.js';

export const stopTraffic: StepExecutor<'stopTraffic'> = async (spec, run) => {
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
    const { addresses, label } = await expectedSources(
      env,
      ctx,
      spec.expect.source,
      spec.expect,
      pods,
      flow.family,
    );
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
      capture: reportedCapture(run, evidence),
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
      flow: probeFlowOf(evidence),
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
};
