/**
 * The timeline of a probe that tried for 30 s (70 failed rounds) and of one that passed in 2 s
 * (one round) both read: the long one summarises its rounds in a band of segments and a line of
 * counts, draws its judged round again up close, and lists every round in a table that opens on
 * demand; the short one is a single chart. Lanes are named by node and pod, step bars labelled,
 * every label whole on hover.
 */
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../harness/report/html/page.js';
import { renderTimeline, roundsOf, roundsSummary } from '../../harness/report/html/timeline.js';
import type { ProbeEvidenceRecord, StepResult, TestResult } from '../../harness/run/results.js';
import { sampleRun, T0 } from './sample-run.js';

const NODE = '10.213.0.10';
const POD = '10.244.1.5';
const LB = '203.0.113.23';

/** One probe round starting `atMs` after T0: `n` packets 20 ms apart, half from each sender. */
function round(atMs: number, n: number, passed: boolean): ProbeEvidenceRecord {
  const sources = passed ? [LB] : [NODE, POD];
  const points = Array.from(
    { length: n },
    (_, i) => [i * 20, i % sources.length, passed ? 0 : 1] as [number, number, 0 | 1],
  );
  const counts: Record<string, number> = {};
  for (const [, s] of points) counts[sources[s] as string] = (counts[sources[s] as string] ?? 0) + 1;
  return {
    probe: 'endpoints-tcp',
    capture: 'artifacts/ns/endpoints-tcp-ipv4-all-rounds.pcap',
    target: 'peer 198.51.100.10:8080',
    protocol: 'tcp',
    expected: `the LoadBalancer IP ${LB}`,
    totalPackets: n,
    matchedPackets: passed ? n : 0,
    sources: counts,
    offenders: [],
    attempts: 3,
    attemptsOk: 3,
    passed,
    message: 'endpoints-tcp/ipv4',
    family: 'ipv4',
    senders: { [NODE]: 'worker-1', [POD]: 'web-7c9f on worker-2' },
    packets: {
      destination: '198.51.100.10',
      startMs: T0 + atMs,
      sources,
      expected: [LB],
      rule: 'equals',
      points,
      total: n,
    },
  };
}

function step(index: number, kind: string, startMs: number, durationMs: number, detail: string): StepResult {
  return { index, kind, line: 10 + index, status: 'passed', durationMs, detail, startedAtMs: T0 + startMs };
}

function testWith(rounds: ProbeEvidenceRecord[], probeMs: number): TestResult {
  const last = rounds.at(-1) as ProbeEvidenceRecord;
  return {
    scenarioId: 'snat-loadbalancer-ip',
    title: 't',
    file: 'suites/core/snat-loadbalancer-ip.yaml',
    profile: 'core',
    features: ['SourceIPLoadBalancer'],
    statements: ['ES-SNAT-1'],
    provisional: false,
    family: 'ipv4',
    namespace: 'ns',
    status: last.passed ? 'passed' : 'failed',
    durationMs: probeMs + 1000,
    steps: [
      step(0, 'apply', 0, 400, 'applied Service web and its endpoints in namespace ns'),
      {
        ...step(1, 'probe', 500, probeMs, 'expected every packet from the LoadBalancer IP'),
        status: last.passed ? 'passed' : 'failed',
      },
    ],
    evidence: [last],
    earlierEvidence: rounds.slice(0, -1),
  };
}

// 70 failed rounds over about 30 s, 6 packets each.
const long = testWith(
  Array.from({ length: 70 }, (_, i) => round(600 + i * 430, 6, false)),
  30_500,
);
// One passing round of 2 s.
const short = testWith([round(600, 40, true)], 1_500);

const circles = (svg: string) => [...svg.matchAll(/<circle [^>]*cx="([\d.]+)"/g)].map((m) => Number(m[1]));

describe('a timeline of many rounds', () => {
  const whole = renderTimeline(long);
  const judged = renderTimeline(long, new Map(), 'judged');

  it('spans the whole window: every round is a segment of the rounds band, with its counts on hover', () => {
    expect(whole.match(/<rect class="round failed"/g)).toHaveLength(70);
    expect(whole).toContain(
      '<title>endpoints-tcp/ipv4 round 1 of 70: failed; 0/6 packets kept the rule (worker-1 10.213.0.10: 3, web-7c9f on worker-2 10.244.1.5: 3)</title>',
    );
    expect(whole).toContain('endpoints-tcp/ipv4: 70 rounds, 70 failed');
    // Every packet of every round is drawn.
    expect(circles(whole)).toHaveLength(70 * 6);
  });

  it('says in one line how many rounds, over how long, with what verdicts', () => {
    const [probe] = roundsOf(long);
    expect(roundsSummary(probe as never)).toBe(
      'endpoints-tcp/ipv4: 70 rounds over 29.8 s, 70 failed (the last one judged); 420 packets, 420 offending',
    );
    expect(roundsOf(short).map(roundsSummary)).toEqual(['']);
  });

  it('draws the judged round up close, across the plot, not squeezed into the last pixels', () => {
    const xs = circles(judged);
    expect(xs).toHaveLength(6);
    // In the whole-window chart the last round's six packets sit within a few units; up close
    // they spread over most of the plot (300 to 940).
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(500);
    const wholeLast = circles(whole).slice(-6);
    expect(Math.max(...wholeLast) - Math.min(...wholeLast)).toBeLessThan(10);
    // The probe step is clipped to that window; no rounds band up close.
    expect(judged).toContain('<rect class="step failed" x="300.0"');
    expect(judged).not.toContain('class="round ');
  });

  it('names its lanes by node and pod, labels its step bars, and gives every label whole on hover', () => {
    expect(whole).toMatch(/>worker-1 10\.213\.0\.10 ✗ offending</);
    expect(whole).toMatch(/>web-7c9f on worker-2 10\.244\.1\.5 ✗ offending</);
    expect(whole).toMatch(/<text class="step-label"[^>]*>2\. probe</);
    expect(whole).toContain(
      '<title>2. probe (30500ms, failed): expected every packet from the LoadBalancer IP</title>',
    );
    expect(whole).toContain(
      '<title>1. apply (400ms, passed): applied Service web and its endpoints in namespace ns</title>',
    );
  });

  it('on the page: the summary line, the chart, the judged round open, every round in a table that opens on demand', () => {
    const run = { ...sampleRun('/r'), tests: [long] };
    const page = renderHtmlReport(run);
    expect(page).toContain('<p class="rounds-summary">endpoints-tcp/ipv4: 70 rounds over 29.8 s, 70 failed');
    expect(page).toContain('<details class="judged" open><summary>The judged round up close</summary>');
    expect(page).toMatch(/<details class="rounds"><summary>endpoints-tcp\/ipv4: 70 rounds/);
    expect(page.match(/<tr class="failed"><td>\d+<\/td><td>[\d.]+ s<\/td><td>failed<\/td>/g)).toHaveLength(
      70,
    );
    expect(page).toContain('<td>web-7c9f on worker-2</td>');
  });
});

describe('a timeline of one round', () => {
  it('is one chart, with no rounds band, no summary and no second chart', () => {
    const svg = renderTimeline(short);
    expect(svg).not.toContain('class="round ');
    expect(circles(svg)).toHaveLength(40);
    const page = renderHtmlReport({ ...sampleRun('/r'), tests: [short] });
    expect(page).not.toContain('rounds-summary');
    expect(page).not.toContain('class="judged"');
    // Its packets (0.8 s of a 2 s window) spread over a third of the plot, not a few units.
    const xs = circles(svg);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(200);
  });
});
