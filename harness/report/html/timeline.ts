/**
 * A test's timeline as inline SVG: every probe packet as a point, one lane per source address,
 * coloured by source (offending packets ringed red, packets before the judged moment hollow);
 * the steps as a band on top; the moments that change the world (objects applied or patched,
 * nodes failed or restored, status.host first seen) as vertical lines. One `<circle>` per packet
 * point, so the page's tests can count them.
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

function lanesOf(test: TestResult): Lane[] {
  const lanes = new Map<string, Lane>();
  const lane = (source: string): Lane =>
    lanes.get(source) ?? {
      source,
      expected: false,
      offending: 0,
      colour: PALETTE[lanes.size % PALETTE.length] as string,
    };
  // The expected sources first, with a lane even when no packet had them.
  for (const { series } of seriesOf(test)) {
    if (series.rule !== 'equals') continue;
    for (const source of series.expected) lanes.set(source, { ...lane(source), expected: true });
  }
  for (const { series } of seriesOf(test)) {
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
 * The chart, or an empty string for a test without packets or steps to show. It spans the whole
 * window (every probe round), scales to the page's width, labels its step bars, names its lanes
 * by node where `names` knows the address, and gives every label in full on hover.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the timeline's lanes, points, markers and thinning drawn in one pass over the packets
export function renderTimeline(test: TestResult, names: AddressNames = new Map()): string {
  const all = seriesOf(test);
  const steps = test.steps.filter((s) => s.startedAtMs !== undefined && s.status !== 'not-run');
  if (all.length === 0) return '';
  const lanes = lanesOf(test);
  const laneOf = new Map(lanes.map((lane, i) => [lane.source, i]));
  const times: number[] = [];
  for (const { series } of all) {
    if (series.points.length === 0) continue;
    times.push(series.startMs, series.startMs + (series.points.at(-1)?.[0] ?? 0));
  }
  for (const s of steps) times.push(s.startedAtMs as number, (s.startedAtMs as number) + s.durationMs);
  for (const e of test.events ?? []) times.push(e.atMs);
  // A loop, not Math.min(...times): a test of 200k steps would overflow the call stack.
  let t0 = Number.POSITIVE_INFINITY;
  let tEnd = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    if (t < t0) t0 = t;
    if (t > tEnd) tEnd = t;
  }
  const span = Math.max(1, tEnd - t0);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (ms: number) => (LEFT + ((ms - t0) / span) * plotWidth).toFixed(1);
  const lanesTop = TOP + STEP_BAND + 6;
  const marks = moments(test);
  const labelRows = 3;
  const lanesBottom = lanesTop + Math.max(1, lanes.length) * LANE;
  const height = lanesBottom + 22 + labelRows * 13 + 8;
  const out: string[] = [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="packets over time for ${esc(test.scenarioId)}">`,
  ];
  // Steps band.
  out.push(`<text class="axis" x="${LEFT - 8}" y="${TOP + 15}" text-anchor="end">steps</text>`);
  for (const s of steps) {
    const start = s.startedAtMs as number;
    const w = Math.max(1, ((s.durationMs || 0) / span) * plotWidth);
    const title = `<title>${esc(`${s.index + 1}. ${s.kind} (${s.durationMs}ms): ${s.detail}`)}</title>`;
    out.push(
      `<rect class="step ${s.status}" x="${x(start)}" y="${TOP}" width="${w.toFixed(1)}" height="${STEP_BAND - 4}">${title}</rect>`,
    );
    // A label on every bar wide enough to hold one (about 6.5 units a character).
    const label = `${s.index + 1}. ${s.kind}`;
    const room = Math.floor((w - 4) / 6.5);
    if (room >= 2) {
      out.push(
        `<text class="step-label" x="${(Number(x(start)) + 2).toFixed(1)}" y="${TOP + 13}">${esc(shorten(label, room))}${title}</text>`,
      );
    }
  }
  // Lanes and their labels.
  lanes.forEach((lane, i) => {
    const y = lanesTop + i * LANE;
    const note = lane.expected ? ' ✓ expected' : lane.offending > 0 ? ' ✗ offending' : '';
    const name = names.get(lane.source);
    const text = name ? `${name} ${lane.source}` : lane.source;
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
  // Time axis: seconds from the first thing on the chart.
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
