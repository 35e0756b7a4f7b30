/**
 * A probe round's verdict for one family: the captured packets against `source` / `notSource`,
 * the attempts against `completes`, the sending nodes against `fromEveryNode`.
 */
import { join } from 'node:path';
import type { IpFamily, KubeObject, ProbeEvidence, ProbeProtocol } from '../../env/environment.js';
import type { ProbeSpec } from '../../spec/steps/probe.js';
import { firstProbePacketMs } from '../../verdict/since.js';
import { judgeProbeSource, type SourceVerdict } from '../../verdict/source-ip.js';
import { packetSeries, type SeriesRule } from '../../verdict/timeline.js';
import { type ProbeEvidenceRecord, probeFlowOf } from '../results.js';
import type { StepRun } from '../step-run.js';
import type { ResolvedTarget } from './flow.js';
import { seenPerSource, senderOf } from './seen.js';
import { expectedSources } from './sources.js';

/** The capture's path as the reports give it: relative to the report directory. */
export function reportedCapture(run: StepRun, evidence: Pick<ProbeEvidence, 'capturePath'>): string {
  return join(run.artifactPath, evidence.capturePath.split('/').pop() as string);
}

/** The target as messages name it: `address:port`, or the address alone for ICMP (no port). */
function targetText(target: ResolvedTarget, protocol: ProbeProtocol): string {
  return protocol === 'icmp' ? target.address : `${target.address}:${target.port}`;
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a probe's verdict over every captured packet with each expectation kind; kept together so no packet is judged twice
export async function judgeProbe(
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
  /** Lines under a failure's first line: the capture, the first offending packets. */
  const details: string[] = [];
  let verdict: SourceVerdict | undefined;
  let expected = 'any source';
  let seriesRule: SeriesRule = { mode: 'any', sources: [] };
  if (expect.source) {
    const { addresses, label } = await expectedSources(env, ctx, expect.source, expect, pods, family);
    expected = `${label} ${addresses.join(' or ')}`;
    verdict = await judgeProbeSource(evidence.capturePath, flow, {
      sources: addresses,
      label,
      mode: 'equals',
    });
    seriesRule = { mode: 'equals', sources: addresses };
    if (verdict.status === 'fail') {
      // The first line: what was expected and what each sender did, named by node and pod.
      const seen = seenPerSource(verdict.sources, { label, addresses }, ctx.env.nodes, pods, family);
      problems.push(
        `expected every packet to ${target.label} ${targetText(target, spec.protocol)} from ${expected}; ${seen}`,
      );
      details.push(verdict.message);
    }
  } else if (expect.notSource) {
    const { addresses, label } = await expectedSources(env, ctx, expect.notSource, expect, pods, family);
    expected = `not ${label} ${addresses.join(' or ')}`;
    verdict = await judgeProbeSource(evidence.capturePath, flow, { sources: addresses, label, mode: 'not' });
    seriesRule = { mode: 'not', sources: addresses };
    if (verdict.status === 'fail') {
      // The first line: which senders used the forbidden source, by name; the packets below.
      const offending = new Map<string, number>();
      for (const o of verdict.offenders) offending.set(o.src, (offending.get(o.src) ?? 0) + 1);
      const who = [...offending]
        .map(([address, n]) => {
          const { name } = senderOf(address, ctx.env.nodes, pods, family);
          return `${name ? `${name} ` : ''}${address}: ${n}`;
        })
        .join(', ');
      problems.push(
        `expected no packet to ${target.label} ${targetText(target, spec.protocol)} from ${label} ${addresses.join(' or ')}; ${verdict.offenders.length} of ${verdict.total} packets had it (${who})`,
      );
      details.push(verdict.message);
    }
  }
  if (verdict?.status === 'no-traffic') {
    // No packet is never a pass; where the capture is goes on the line below.
    problems.push(`no probe traffic seen: 0 packets to ${target.label} ${targetText(target, spec.protocol)}`);
    details.push(verdict.message);
  }
  if (verdict && verdict.status !== 'pass' && details.length === 0) problems.push(verdict.message);
  else if (verdict) notes.push(verdict.message);
  const okAttempts = evidence.attempts.filter((a) => a.ok).length;
  if (expect.completes === true && okAttempts < evidence.attempts.length) {
    const failed = evidence.attempts.filter((a) => !a.ok);
    const sample = failed
      .slice(0, 3)
      .map((a) => `${a.source.pod} on ${a.node}: ${a.error ?? 'no reply'}`)
      .join('; ');
    problems.push(
      `${failed.length}/${evidence.attempts.length} ${spec.protocol} attempts to ${targetText(target, spec.protocol)} got no reply (${sample})`,
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
  const absentAt = await Promise.all(
    (evidence.watched ?? []).map(async (w) => {
      const seen = await packetSeries(w.capturePath, flow, { mode: 'any', sources: [] });
      return { peer: w.peer, capture: reportedCapture(run, w), packets: seen.total, sources: seen.sources };
    }),
  );
  for (const at of absentAt) {
    if (at.packets > 0)
      problems.push(
        `${at.packets} packets of the flow reached peer ${at.peer} (from ${at.sources.join(', ')}), which must see none`,
      );
    else notes.push(`none at peer ${at.peer}`);
  }
  const passed = problems.length === 0;
  const firstPacketMs = spec.measure ? await firstProbePacketMs(evidence.capturePath, flow) : undefined;
  const packets = await packetSeries(evidence.capturePath, flow, seriesRule);
  // Every sender by name, for the report's lanes and tables: "worker-1", "web-7c9f on worker-1".
  const senders: Record<string, string> = {};
  for (const address of new Set([...packets.sources, ...Object.keys(verdict?.sources ?? {})])) {
    const { name } = senderOf(address, ctx.env.nodes, pods, family);
    if (name) senders[address] = name;
  }
  return {
    ...(firstPacketMs !== undefined ? { firstPacketMs } : {}),
    packets,
    family,
    probe: spec.name,
    capture: reportedCapture(run, evidence),
    target: `${target.label} ${targetText(target, spec.protocol)}`,
    protocol: spec.protocol,
    expected,
    totalPackets: verdict?.total ?? 0,
    matchedPackets: verdict?.matched ?? 0,
    sources: verdict?.sources ?? {},
    offenders: verdict?.offenders ?? [],
    ...(absentAt.length > 0 ? { absentAt } : {}),
    flow: probeFlowOf(evidence),
    ...(Object.keys(senders).length > 0 ? { senders } : {}),
    attempts: evidence.attempts.length,
    attemptsOk: okAttempts,
    passed,
    message: `${spec.name}/${family}: ${(passed ? notes : problems).join('; ')}${passed ? '' : details.map((d) => `\n  ${d}`).join('')}`,
  };
}
