/**
 * The packets of a probe capture over time, for the report's timeline: every packet toward the
 * target with its time, source and verdict under the same rule the verdicts apply. Verdicts count;
 * this keeps the order and the moments, so a leak window or a failover can be seen.
 */
import { PacketDecoder } from '../capture/decode.js';
import { scanCapture } from '../capture/reader.js';
import { AddressCounter } from './address-counter.js';
import { type ProbeFlow, ProbeMatcher, parseProbeAddress } from './probe-flow.js';
import { packetTimeMs } from './since.js';

/**
 * The packets of one capture as the report's timeline draws them: every probe packet toward the
 * target with its time, source and verdict. Times are the capture host's clock, which on the lab
 * (one kernel) is the runner's clock too.
 */
export interface PacketSeries {
  /** Every packet's destination: the probe target's address. */
  destination: string;
  /** Time of the first packet (ms since the epoch); points count from it. */
  startMs: number;
  /** Source addresses in order of first appearance; points name them by index. */
  sources: string[];
  /** The addresses the rule names (the expected sources, or for `not` the forbidden ones). */
  expected: string[];
  rule: 'equals' | 'not' | 'any';
  /** [ms after startMs, source index, 0 matched / 1 offending / 2 not judged (before the moment)] */
  points: Array<[number, number, 0 | 1 | 2]>;
  /** Probe packets in the capture; more than points.length when thinned. */
  total: number;
  /** How the points were thinned, when they were (the report says so). */
  sampling?: string;
}

export interface SeriesRule {
  /** `equals`: the source must be one of `sources`; `not`: none of them; `any`: no rule. */
  mode: 'equals' | 'not' | 'any';
  sources: string[];
  /** Packets before this moment are drawn as not judged (ES-LEAK-1 judges from publication on). */
  sinceMs?: number | undefined;
}

/** Points a series keeps at most; beyond it the series is thinned by the rule in `thin`. */
export const MAX_POINTS = 2000;

const NOT_JUDGED = 2;

/**
 * Keeps every offending packet (up to `max`) and spreads the rest of the budget evenly over the
 * others, in time order; says what it did. A capture under `max` packets is kept whole.
 */
export function thin(
  points: PacketSeries['points'],
  max = MAX_POINTS,
): { points: PacketSeries['points']; sampling?: string } {
  if (points.length <= max) return { points };
  const offending = points.filter((p) => p[2] === 1);
  const others = points.filter((p) => p[2] !== 1);
  const keepOffending = offending.length <= max / 2 ? offending : everyNth(offending, max / 2);
  const keepOthers = everyNth(others, max - keepOffending.length);
  const kept = [...keepOffending, ...keepOthers].sort((a, b) => a[0] - b[0]);
  const offendingNote =
    keepOffending.length === offending.length
      ? `every offending packet (${offending.length})`
      : `${keepOffending.length} of ${offending.length} offending packets, evenly spaced`;
  return {
    points: kept,
    sampling: `${points.length} packets: showing ${offendingNote} and ${keepOthers.length} of the other ${others.length}, evenly spaced`,
  };
}

function everyNth<T>(items: T[], budget: number): T[] {
  if (items.length <= budget) return items;
  const step = items.length / Math.max(1, Math.floor(budget));
  const kept: T[] = [];
  for (let i = 0; i < items.length && kept.length < budget; i += step) kept.push(items[Math.floor(i)] as T);
  return kept;
}

/** Reads the probe packets of `file` as a series for the timeline. */
export async function packetSeries(file: string, probe: ProbeFlow, rule: SeriesRule): Promise<PacketSeries> {
  const matcher = new ProbeMatcher(probe);
  const listed = rule.sources
    .filter(Boolean)
    .map((s) => parseProbeAddress(s, probe.family, 'expected source'));
  const decoder = new PacketDecoder();
  const sources = new AddressCounter();
  const raw: Array<[number, number, 0 | 1 | 2]> = [];
  await scanCapture(file, (packet) => {
    const p = decoder.decode(packet);
    if (p === null || !matcher.towardTarget(p)) return;
    const time = packet.time();
    // A record without a timestamp (pcapng simple packet) has no place on a time axis.
    if (time === null) return;
    const ms = packetTimeMs(time);
    const source = sources.add(p, 'src');
    let verdict: 0 | 1 | 2 = 0;
    if (rule.sinceMs !== undefined && ms < rule.sinceMs) verdict = NOT_JUDGED;
    else if (rule.mode !== 'any') {
      const listedSource = listed.some((a) => ProbeMatcher.sourceIs(p, a.bytes));
      verdict = listedSource === (rule.mode === 'equals') ? 0 : 1;
    }
    raw.push([ms, source, verdict]);
  });
  const startMs = raw[0]?.[0] ?? 0;
  const relative = raw.map(
    ([ms, source, verdict]) =>
      [Math.round((ms - startMs) * 100) / 100, source, verdict] as [number, number, 0 | 1 | 2],
  );
  const { points, sampling } = thin(relative);
  const names = Object.keys(sources.toRecord());
  return {
    destination: matcher.target,
    startMs,
    sources: names,
    expected: listed.map((a) => a.text),
    rule: rule.mode,
    points,
    total: raw.length,
    ...(sampling ? { sampling } : {}),
  };
}
