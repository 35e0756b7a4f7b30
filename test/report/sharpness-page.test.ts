/** `npm run sharpness`'s page and its shards: the fault x statement matrix as HTML, runs dealt in turn. */
import { describe, expect, it } from 'vitest';
import {
  type FaultOutcome,
  renderFaultList,
  renderMatrix,
  renderSharpnessPage,
  shardRuns,
} from '../../scripts/sharpness.js';

const outcome = (fault: string, failed: string[], exitCode = 1, missed: string[] = []): FaultOutcome => ({
  fault,
  exitCode,
  failed,
  missed,
  messages: failed.map((s) => `snat-loadbalancer-ip/ipv4: ${s} <failed>`),
});

describe('sharpness page', () => {
  const outcomes = [
    outcome('conformant', [], 0),
    outcome('no-snat', ['ES-SNAT-1', 'ES-SNAT-2']),
    outcome('snat-in-cluster', [], 1, ['ES-SNAT-4']),
  ];

  it('shows the same marks as the text matrix, coloured, with the failures escaped', () => {
    const page = renderSharpnessPage(outcomes, 'core', '3 faults');
    const text = renderMatrix(outcomes, 'core');
    expect(text).toMatch(/no-snat\s+\| caught/);
    expect(page).toContain('<td class="passed" data-statement="ES-SNAT-1">caught</td>');
    expect(page).toContain('<td class="also" data-statement="ES-SNAT-2">also</td>');
    expect(page).toContain('<td class="failed" data-statement="ES-SNAT-4">MISSED</td>');
    expect(page).toContain('<td class="passed" data-statement="ES-SNAT-1">pass</td>');
    expect(page).toContain('ES-SNAT-1 &lt;failed&gt;');
    expect(page).not.toMatch(/(src|href)="/);
  });

  it('lists each run with what it must fail, its verdict and what else failed', () => {
    const list = renderFaultList(outcomes, 'core').split('\n');
    expect(list[0]).toMatch(/^\| run +\| must fail +\| verdict +\| also failed +\| exit \|$/);
    const row = (name: string) =>
      list
        .find((l) => l.startsWith(`| ${name} `))
        ?.split('|')
        .slice(1, -1)
        .map((c) => c.trim());
    expect(row('conformant')).toEqual(['conformant', '-', 'passed', '-', '0']);
    expect(row('no-snat')).toEqual(['no-snat', 'SNAT-1', 'caught', 'SNAT-2', '1']);
    expect(row('snat-in-cluster')).toEqual(['snat-in-cluster', 'SNAT-4', 'MISSED SNAT-4', '-', '1']);
    expect(new Set(list.map((l) => l.length)).size).toBe(1);
  });

  it('deals the runs (baseline first, then the faults) to the shards in turn, each once', () => {
    const runs = ['baseline', 'a', 'b', 'c', 'd', 'e', 'f'];
    const shards = [1, 2, 3].map((index) => shardRuns(runs, { index, total: 3 }));
    expect(shards).toEqual([
      ['baseline', 'c', 'f'],
      ['a', 'd'],
      ['b', 'e'],
    ]);
    expect(shardRuns(runs, undefined)).toEqual(runs);
  });
});
