/**
 * The HTML report as markup (the browser test opens a real one): the statement x family matrix,
 * one timeline point per packet, escaping of tool output, nothing loaded from elsewhere; and the
 * timeline's packets read from real capture files, checked against tshark.
 */
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { matrixCell, renderHtmlReport } from '../../harness/report/html/page.js';
import { pointCount, renderTimeline } from '../../harness/report/html/timeline.js';
import type { TestResult } from '../../harness/run/results.js';
import { judgeProbeSource } from '../../harness/verdict/source-ip.js';
import { packetSeries, thin } from '../../harness/verdict/timeline.js';
import { scratchDir } from '../capture/helpers.js';
import { ETHERTYPE_IPV4, ethernet, ipv4, pcapFile, tcp } from '../capture/synth.js';
import { sampleRun } from './sample-run.js';

describe('the HTML report', () => {
  const run = sampleRun('/r');
  const page = renderHtmlReport(run, {
    diagnostics: {
      'diagnostics/ec-r1-snat-loadbalancer-ip-v6': ['diagnostics/ec-r1-snat-loadbalancer-ip-v6/nodes.txt'],
    },
  });

  it('has a statement x family matrix: failed where a test failed the statement, passed where tests passed', () => {
    expect(matrixCell(run.tests, 'ES-SNAT-1', 'ipv4')).toBe('passed');
    expect(matrixCell(run.tests, 'ES-SNAT-1', 'ipv6')).toBe('failed');
    expect(matrixCell(run.tests, 'ES-FAIL-1', 'ipv4')).toBe('skipped');
    expect(matrixCell(run.tests, 'ES-FAIL-1', 'ipv6')).toBe('');
    expect(page).toContain(
      '<td class="failed" data-statement="ES-SNAT-1" data-family="ipv6"><a href="#filter:statement=ES-SNAT-1&amp;family=ipv6">failed</a></td>',
    );
  });

  it('draws one circle per packet point, for the evidence and the earlier rounds', () => {
    const failed = run.tests[1] as TestResult;
    expect(pointCount(failed)).toBe(55);
    const svg = renderTimeline(failed);
    expect(svg.match(/<circle /g)).toHaveLength(55);
    expect(svg.match(/<circle class="pkt offending"/g)).toHaveLength(8);
    // The expected source has its lane, marked; the offending one too.
    expect(svg).toContain('2001:db8:100::1 ✓ expected');
    expect(svg).toContain('2001:db8::11 ✗ offending');
    expect(svg).toContain('status.host of web first seen: n1');
    expect(renderTimeline({ ...failed, evidence: [], earlierEvidence: [] })).toBe('');
  });

  it('escapes what tools print and loads nothing from anywhere', () => {
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page).toContain("default-src 'none'");
    expect(page).toContain('href="artifacts/ec-r1-snat-loadbalancer-ip-v6/endpoints-tcp-ipv6-1.pcap"');
    expect(page).toContain('href="diagnostics/ec-r1-snat-loadbalancer-ip-v6/nodes.txt"');
    expect(page).toContain('They certify no implementation.');
  });
});

describe("the HTML report's links from a failed step to its diagnostics", () => {
  const run = sampleRun('/r');
  const dir = 'diagnostics/ec-r1-snat-loadbalancer-ip-v6';
  const page = renderHtmlReport(run, {
    diagnostics: {
      [dir]: [`${dir}/OVN-INDEX.txt`, `${dir}/nodes.txt`, `${dir}/ovn-trace-ns_web-1-to-198.51.100.10.txt`],
    },
  });

  it('links the OVN index and every ovn-trace from the failed step, and the whole list below', () => {
    const rows = [...page.matchAll(/<tr class="failed">.*?<\/tr>/gs)].map((m) => m[0]);
    const row = rows.find((r) => r.includes('step-diagnostics')) ?? '';
    expect(row).toContain(`href="${dir}/OVN-INDEX.txt"`);
    expect(row).toContain(`href="${dir}/ovn-trace-ns_web-1-to-198.51.100.10.txt"`);
    expect(row).not.toContain(`href="${dir}/nodes.txt"`);
    const anchor = /<a href="#([^"]+)">diagnostics \(3 files\)<\/a>/.exec(row);
    expect(anchor?.[1]).toBeTruthy();
    expect(page).toContain(`<h4 id="${anchor?.[1]}">Diagnostics</h4>`);
    // Only a failed step links: passed ones have no links.
    expect(page.match(/step-diagnostics/g)?.length).toBe(
      rows.filter((r) => r.includes('step-diagnostics')).length,
    );
  });
});

describe('packet timelines from captures', () => {
  const dir = scratchDir('timeline');
  afterAll(() => dir.remove());
  const TARGET = '198.51.100.10';
  const LB = '203.0.113.7';
  const NODE = '10.213.0.11';
  const flow = { targetAddress: TARGET, port: 8080, protocol: 'tcp', family: 'ipv4' } as const;
  const packet = (src: string, i: number) => ({
    data: ethernet(ETHERTYPE_IPV4, ipv4({ src, dst: TARGET, protocol: 6, payload: tcp(40000 + i, 8080) })),
    seconds: 1_800_000_000 + Math.floor(i / 10),
    nanoseconds: (i % 10) * 100_000_000,
  });
  // A leak window: the node IP for the first 12 packets, then the LoadBalancer IP; one reply.
  const packets = [
    ...Array.from({ length: 40 }, (_, i) => packet(i < 12 ? NODE : LB, i)),
    {
      data: ethernet(ETHERTYPE_IPV4, ipv4({ src: TARGET, dst: LB, protocol: 6, payload: tcp(8080, 40000) })),
    },
  ];
  const file = dir.write('leak.pcap', pcapFile({ linkType: 1, nano: true }, packets));

  it('keeps every probe packet with its time, source and verdict, agreeing with the verdict', async () => {
    const series = await packetSeries(file, flow, { mode: 'equals', sources: [LB] });
    const verdict = await judgeProbeSource(file, flow, {
      sources: [LB],
      label: 'the LoadBalancer IP',
      mode: 'equals',
    });
    expect(series.total).toBe(verdict.total);
    expect(series.points.filter((p) => p[2] === 1)).toHaveLength(verdict.offenders.length);
    expect(series.sources).toEqual([NODE, LB]);
    expect(series.startMs).toBe(1_800_000_000_000);
    expect(series.points[11]).toEqual([1100, 0, 1]);
    expect(series.points[12]).toEqual([1200, 1, 0]);
    // tshark, reading the same file, counts the same probe packets.
    const tshark = await execa('tshark', [
      '-r',
      file,
      '-Y',
      `ip.dst==${TARGET} && tcp.dstport==8080`,
      '-T',
      'fields',
      '-e',
      'ip.src',
    ]);
    const sources = tshark.stdout.trim().split('\n');
    expect(sources).toHaveLength(series.points.length);
    expect(sources.filter((s) => s === NODE)).toHaveLength(12);
  });

  it('marks packets before the judged moment as not judged', async () => {
    const series = await packetSeries(file, flow, {
      mode: 'equals',
      sources: [LB],
      sinceMs: 1_800_000_000_500,
    });
    expect(series.points.filter((p) => p[2] === 2)).toHaveLength(5);
    expect(series.points.filter((p) => p[2] === 1)).toHaveLength(7);
  });

  it('thins a huge series by its stated rule: every offending packet, the others evenly', () => {
    const points = Array.from(
      { length: 10_000 },
      (_, i) => [i, 0, i % 1000 === 0 ? 1 : 0] as [number, number, 0 | 1],
    );
    const { points: kept, sampling } = thin(points, 2000);
    expect(kept).toHaveLength(2000);
    expect(kept.filter((p) => p[2] === 1)).toHaveLength(10);
    expect(sampling).toBe(
      '10000 packets: showing every offending packet (10) and 1990 of the other 9990, evenly spaced',
    );
    expect(thin(points.slice(0, 50), 2000)).toEqual({ points: points.slice(0, 50) });
  });
});
