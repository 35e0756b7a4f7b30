/**
 * A test's timeline as inline SVG: every probe packet as a point, one lane per sender (named by
 * node or pod), coloured by source (offending packets ringed red, packets before the judged
 * moment hollow); the steps as a labelled band on top; a band of the probe's rounds (a probe
 * with `until` tries again and again: each round a segment, red when it failed, its counts on
 * hover); the moments that change the world (objects applied or patched, nodes failed or
 * restored, status.host first seen) as vertical lines. One `<circle>` per packet point, so the
 * page's tests can count them.
 *
 * A 30 s failure of 70 rounds and a 2 s pass of one both read: the whole window is one chart
 * with the rounds summarised in their band and in a line of counts; the judged round is drawn
 * again on its own (`renderTimeline(test, names, 'judged')`), so its packets are not squeezed.
 */
import type { PacketSeries, ProbeEvidenceRecord, TestResult } from '../../run/results.js';
import { esc } from './escape.js';

/** Steps whose end changes what the implementation sees: drawn as moments on the timeline. */
const ACTIONS = new Set([
  'apply',
  'patch',
  'delete',
  'labelNode',
  'unlabelNode',
  'failNode',
  'restoreNode',
  'removeNode',
  'stopController',
  'startController',
  'startTraffic',
  'stopTraffic',
]);

export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
];

const WIDTH = 960;
const LEFT = 300;
const RIGHT = 20;
const LANE = 24;
const STEP_BAND = 22;
const ROUND_BAND = 14;
const TOP = 8;

export interface Lane {
  source: string;
  expected: boolean;
  offending: number;
  colour: string;
}

interface Moment {
  atMs: number;
  label: string;
  kind: string;
}

/** Every series of a test: its evidence and the earlier probe rounds, each with its record. */
export function seriesOf(test: TestResult): Array<{ record: ProbeEvidenceRecord; series: PacketSeries }> {
  return [...(test.earlierEvidence ?? []), ...test.evidence]
    .filter((record) => record.packets !== undefined)
    .map((record) => ({ record, series: record.packets as PacketSeries }));
}

/** Which part of a test's window a chart draws: all of it, or the judged rounds alone. */
export type TimelineWindow = 'all' | 'judged';

/** One probe's rounds (a probe with `until` has several), in order; the last one was judged. */
export interface ProbeRounds {
  /** probe/family, e.g. endpoints-tcp/ipv4. */
  name: string;
  rounds: ProbeEvidenceRecord[];
}

export function roundsOf(test: TestResult): ProbeRounds[] {
  const byProbe = new Map<string, ProbeEvidenceRecord[]>();
  for (const record of [...(test.earlierEvidence ?? []), ...test.evidence]) {
    const name = `${record.probe}/${record.family ?? ''}`;
    byProbe.set(name, [...(byProbe.get(name) ?? []), record]);
  }
  return [...byProbe].map(([name, rounds]) => ({ name, rounds }));
}

/** A round's span on the capture host's clock: its first to its last probe packet. */
function roundSpan(record: ProbeEvidenceRecord): [number, number] | undefined {
  const series = record.packets;
  if (!series || series.points.length === 0) return undefined;
  return [series.startMs, series.startMs + (series.points.at(-1)?.[0] ?? 0)];
}

/**
 * A probe's rounds in one line: "endpoints-tcp/ipv4: 71 rounds over 31.2 s, 71 failed (the
 * last judged); 1,065 packets, 1,065 offending". Empty for a probe of one round.
 */
export function roundsSummary(probe: ProbeRounds): string {
  if (probe.rounds.length < 2) return '';
  const spans = probe.rounds.map(roundSpan).filter((s): s is [number, number] => s !== undefined);
  const first = Math.min(...spans.map((s) => s[0]));
  const last = Math.max(...spans.map((s) => s[1]));
  const failed = probe.rounds.filter((r) => !r.passed).length;
  const packets = probe.rounds.reduce((n, r) => n + (r.packets?.total ?? r.totalPackets), 0);
  const offending = probe.rounds.reduce((n, r) => n + (r.totalPackets - r.matchedPackets), 0);
  const over = spans.length > 0 ? ` over ${((last - first) / 1000).toFixed(1)} s` : '';
  const verdicts = [
    failed > 0 ? `${failed} failed` : '',
    probe.rounds.length - failed > 0 ? `${probe.rounds.length - failed} passed` : '',
  ].filter(Boolean);
  return `${probe.name}: ${probe.rounds.length} rounds${over}, ${verdicts.join(', ')} (the last one judged); ${packets} packets, ${offending} offending`;
}

/** What a round shows on hover: its number, verdict, packets per sender. */
function roundTitle(probe: ProbeRounds, index: number, names: AddressNames): string {
  const record = probe.rounds[index] as ProbeEvidenceRecord;
  const senders = Object.entries(record.sources)
    .map(([address, n]) => `${nameOf(record, address, names)}: ${n}`)
    .join(', ');
  return `${probe.name} round ${index + 1} of ${probe.rounds.length}: ${record.passed ? 'passed' : 'failed'}; ${record.matchedPackets}/${record.totalPackets} packets kept the rule${senders ? ` (${senders})` : ''}`;
}

/** A sender as the reports name it: "worker-1 10.213.0.10", "web-7c9f on worker-1 10.244.1.5". */
function nameOf(record: ProbeEvidenceRecord | undefined, address: string, names: AddressNames): string {
  const name = record?.senders?.[address] ?? names.get(address);
  return name ? `${name} ${address}` : address;
}

/** Packet points the timeline draws for a test (what a reader of the page can count). */
export function pointCount(test: TestResult): number {
  return seriesOf(test).reduce((sum, { series }) => sum + series.points.length, 0);
}

function moments(test: TestResult): Moment[] {
  const steps = test.steps
    .filter((s) => s.startedAtMs !== undefined && s.status !== 'not-run' && ACTIONS.has(s.kind))
    .map((s) => ({
      atMs: (s.startedAtMs as number) + s.durationMs,
      kind: s.kind,
      label: `${s.index + 1}. ${s.kind}: ${s.detail}`,
    }));
  return [...steps, ...(test.events ?? []).map((e) => ({ atMs: e.atMs, kind: e.kind, label: e.label }))].sort(
    (a, b) => a.atMs - b.atMs,
  );
}

function lanesOf(all: Array<{ series: PacketSeries }>): Lane[] {
  const lanes = new Map<string, Lane>();
  const lane = (source: string): Lane =>
    lanes.get(source) ?? {
      source,
      expected: false,
      offending: 0,
      colour: PALETTE[lanes.size % PALETTE.length] as string,
    };
  // The expected sources first, with a lane even when no packet had them.
  for (const { series } of all) {
    if (series.rule !== 'equals') continue;
    for (const source of series.expected) lanes.set(source, { ...lane(source), expected: true });
  }
  for (const { series } of all) {
    series.sources.forEach((source, index) => {
      const current = lane(source);
      current.offending += series.points.filter((p) => p[1] === index && p[2] === 1).length;
      lanes.set(source, current);
    });
  }
  return [...lanes.values()];
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Who has an address (a node's name), for lane labels: address -> name. */
export type AddressNames = ReadonlyMap<string, string>;

/**
 * The chart, or an empty string for a test without packets to show. `all` spans the whole window
 * (every probe round, summarised in a band of rounds); `judged` only the rounds the verdicts
 * judged (each probe's last), with the steps clipped to that window. It scales to the page's
 * width, labels its step bars, names its lanes by node or pod, and gives every label in full on
 * hover.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the timeline's lanes, points, markers and thinning drawn in one pass over the packets
export function renderTimeline(
  test: TestResult,
  names: AddressNames = new Map(),
  window: TimelineWindow = 'all',
): string {
  const all =
    window === 'all'
      ? seriesOf(test)
      : test.evidence
          .filter((record) => record.packets !== undefined)
          .map((record) => ({ record, series: record.packets as PacketSeries }));
  if (all.length === 0) return '';
  const times: number[] = [];
  for (const { series } of all) {
    if (series.points.length === 0) continue;
    times.push(series.startMs, series.startMs + (series.points.at(-1)?.[0] ?? 0));
  }
  const started = test.steps.filter((s) => s.startedAtMs !== undefined && s.status !== 'not-run');
  if (window === 'all') {
    for (const s of started) times.push(s.startedAtMs as number, (s.startedAtMs as number) + s.durationMs);
    for (const e of test.events ?? []) times.push(e.atMs);
  }
  if (times.length === 0) return '';
  // A loop, not Math.min(...times): a test of 200k steps would overflow the call stack.
  let t0 = Number.POSITIVE_INFINITY;
  let tEnd = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    if (t < t0) t0 = t;
    if (t > tEnd) tEnd = t;
  }
  if (window === 'judged') {
    // A little room either side, so the first and last packets are not on the frame.
    const pad = tEnd > t0 ? (tEnd - t0) * 0.03 : 50;
    t0 -= pad;
    tEnd += pad;
  }
  const inWindow = (a: number, b: number) => b >= t0 && a <= tEnd;
  const steps = started.filter((s) =>
    inWindow(s.startedAtMs as number, (s.startedAtMs as number) + s.durationMs),
  );
  const span = Math.max(1, tEnd - t0);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const clip = (ms: number) => Math.min(tEnd, Math.max(t0, ms));
  const x = (ms: number) => (LEFT + ((clip(ms) - t0) / span) * plotWidth).toFixed(1);
  const probes = window === 'all' ? roundsOf(test).filter((p) => p.rounds.length > 1) : [];
  const roundsTop = TOP + STEP_BAND + 4;
  const lanesTop = roundsTop + probes.length * ROUND_BAND + 2;
  const lanes = lanesOf(all);
  const laneOf = new Map(lanes.map((lane, i) => [lane.source, i]));
  const marks = moments(test).filter((m) => m.atMs >= t0 && m.atMs <= tEnd);
  const labelRows = 3;
  const lanesBottom = lanesTop + Math.max(1, lanes.length) * LANE;
  const height = lanesBottom + 22 + (marks.length > 0 ? labelRows * 13 : 0) + 8;
  const what = window === 'all' ? 'packets over the whole window' : 'packets of the judged round';
  const out: string[] = [
    `<svg class="timeline ${window}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${what} for ${esc(test.scenarioId)}">`,
  ];
  // Steps band: a bar per step, clipped to the window, labelled where it has room.
  out.push(`<text class="axis" x="${LEFT - 8}" y="${TOP + 15}" text-anchor="end">steps</text>`);
  for (const s of steps) {
    const start = s.startedAtMs as number;
    const x0 = Number(x(start));
    const w = Math.max(1, Number(x(start + (s.durationMs || 0))) - x0);
    const title = `<title>${esc(`${s.index + 1}. ${s.kind} (${s.durationMs}ms, ${s.status}): ${s.detail}`)}</title>`;
    out.push(
      `<rect class="step ${s.status}" x="${x0.toFixed(1)}" y="${TOP}" width="${w.toFixed(1)}" height="${STEP_BAND - 4}">${title}</rect>`,
    );
    // A label on every bar wide enough to hold one (about 6.5 units a character).
    const label = `${s.index + 1}. ${s.kind}`;
    const room = Math.floor((w - 4) / 6.5);
    if (room >= 2) {
      out.push(
        `<text class="step-label" x="${(x0 + 2).toFixed(1)}" y="${TOP + 13}">${esc(shorten(label, room))}${title}</text>`,
      );
    }
  }
  // Rounds band: one row per probe of several rounds, a segment per round.
  probes.forEach((probe, row) => {
    const y = roundsTop + row * ROUND_BAND;
    const failed = probe.rounds.filter((r) => !r.passed).length;
    const label = `${probe.name}: ${probe.rounds.length} rounds, ${failed} failed`;
    out.push(
      `<text class="axis rounds-label" x="${LEFT - 8}" y="${y + ROUND_BAND - 5}" text-anchor="end">${esc(shorten(label, 44))}<title>${esc(roundsSummary(probe))}</title></text>`,
    );
    probe.rounds.forEach((record, index) => {
      const roundWindow = roundSpan(record);
      if (!roundWindow) return;
      const x0 = Number(x(roundWindow[0]));
      const w = Math.max(1.5, Number(x(roundWindow[1])) - x0);
      out.push(
        `<rect class="round ${record.passed ? 'passed' : 'failed'}" x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROUND_BAND - 3}"><title>${esc(roundTitle(probe, index, names))}</title></rect>`,
      );
    });
  });
  // Lanes and their labels: the sender by node or pod name, and its address.
  const owner = new Map<string, ProbeEvidenceRecord>();
  for (const { record, series } of all) for (const source of series.sources) owner.set(source, record);
  lanes.forEach((lane, i) => {
    const y = lanesTop + i * LANE;
    const note = lane.expected ? ' ✓ expected' : lane.offending > 0 ? ' ✗ offending' : '';
    const text = nameOf(owner.get(lane.source), lane.source, names);
    out.push(
      `<line class="lane" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y + LANE / 2}" y2="${y + LANE / 2}"/>`,
      `<text class="source${lane.expected ? ' expected' : ''}${lane.offending > 0 ? ' offending' : ''}" x="${LEFT - 8}" y="${y + LANE / 2 + 4}" text-anchor="end" fill="${lane.colour}">${esc(shorten(text, 40))}${note}<title>${esc(text)}</title></text>`,
    );
  });
  // Moments: vertical lines, labels staggered over a few rows under the lanes.
  marks.forEach((m, i) => {
    const mx = x(m.atMs);
    const labelY = lanesBottom + 22 + (i % labelRows) * 13;
    out.push(
      `<line class="moment ${esc(m.kind === 'status.host' ? 'published' : m.kind)}" x1="${mx}" x2="${mx}" y1="${TOP}" y2="${labelY - 10}"><title>${esc(m.label)}</title></line>`,
      `<text class="moment-label" x="${mx}" y="${labelY}">${esc(shorten(m.label, 48))}<title>${esc(m.label)}</title></text>`,
    );
  });
  // Packets.
  for (const { record, series } of all) {
    const seriesName = `${record.probe}/${record.family ?? ''}`;
    for (const [offset, sourceIndex, verdict] of series.points) {
      const source = series.sources[sourceIndex] ?? '?';
      const lane = laneOf.get(source) ?? 0;
      const colour = lanes[lane]?.colour ?? '#777';
      const cls = verdict === 1 ? 'pkt offending' : verdict === 2 ? 'pkt unjudged' : 'pkt matched';
      const cy = lanesTop + lane * LANE + LANE / 2;
      out.push(
        `<circle class="${cls}" data-series="${esc(seriesName)}" cx="${x(series.startMs + offset)}" cy="${cy}" r="3.2" fill="${verdict === 2 ? 'none' : colour}" stroke="${verdict === 1 ? '#d62728' : colour}"/>`,
      );
    }
  }
  // Time axis: seconds from the start of the window.
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const ms = t0 + (span * i) / ticks;
    out.push(
      `<text class="axis" x="${x(ms)}" y="${lanesBottom + 10}" text-anchor="middle">${((ms - t0) / 1000).toFixed(1)}s</text>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}
