/**
 * A skip always has a reason from the environment or the spec, and a left-out test is no skip:
 * the whole catalogue planned against the lab's own description, narrowed in every way a run can
 * be, and against a smaller environment that lacks nodes, a family and a feature.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../harness/common/log.js';
import { PROVIDERS } from '../../harness/env/providers.js';
import { loadProvider } from '../../harness/env/registry.js';
import { countsOf } from '../../harness/report/counts.js';
import { planRun } from '../../harness/run/plan.js';
import type { TestResult } from '../../harness/run/results.js';
import { baseResult } from '../../harness/run/runner.js';
import { loadCatalogue } from '../../harness/spec/catalogue.js';

async function labDescription(families: Array<'ipv4' | 'ipv6'>) {
  const lab = await loadProvider('lab');
  if (!lab) throw new Error('no lab provider');
  return lab.plannedDescription({
    runId: 'r',
    keep: false,
    settings: PROVIDERS.lab.settings.parse({}),
    families,
    log: silentLogger(),
    signal: new AbortController().signal,
  });
}

const base = { profile: 'all' as const, runTests: [], skipTests: [], skipProvisional: false };

describe('skips and their reasons', () => {
  it('every skip of the whole catalogue names its reason; left-out tests are no skip', async () => {
    const { scenarios } = await loadCatalogue(undefined);
    // The lab as a run without --family brings it up, and as --family ipv4 does.
    const lab = await labDescription(['ipv4', 'ipv6']);
    const labIpv4 = await labDescription(['ipv4']);
    const first = scenarios[0]?.scenario.id as string;
    const runs = [
      planRun(scenarios, base, lab, 'r'),
      planRun(scenarios, { ...base, family: 'ipv4' }, labIpv4, 'r'),
      planRun(scenarios, { ...base, runTests: [first] }, lab, 'r'),
      planRun(scenarios, { ...base, skipTests: [first], skipProvisional: true }, lab, 'r'),
      // A smaller environment: one node, IPv4 only, no Failover.
      planRun(
        scenarios,
        base,
        {
          ...lab,
          nodes: lab.nodes.slice(0, 1),
          families: ['ipv4'],
          features: lab.features.map((f) =>
            f.name === 'Failover' || f.name === 'IPv6' || f.name === 'DualStack'
              ? { ...f, supported: false }
              : f,
          ),
        },
        'r',
      ),
    ];
    for (const planned of runs) {
      const results: TestResult[] = planned.map((t) =>
        t.skip
          ? { ...baseResult(t), skipReason: t.skip.reason, message: t.skip.message }
          : { ...baseResult(t), status: 'passed' },
      );
      const skipped = results.filter((t) => t.status === 'skipped');
      for (const t of skipped) {
        expect(t.message, `${t.scenarioId}/${t.family}`).toMatch(/\S/);
        expect(['not-supported', 'provisional', 'not-selected']).toContain(t.skipReason);
      }
      // The counted skips are only those with a reason from the environment or the spec.
      const counts = countsOf({ tests: results });
      expect(counts.skipped).toBe(skipped.filter((t) => t.skipReason !== 'not-selected').length);
      expect(counts.planned).toBe(results.length);
    }
    const small = runs[4] ?? [];
    const reasons = new Set(
      small.filter((t) => t.skip?.reason === 'not-supported').map((t) => t.skip?.message),
    );
    expect([...reasons].some((m) => /^needs \d+ nodes, the environment has 1$/.test(m ?? ''))).toBe(true);
    expect([...reasons].some((m) => /^the environment does not support Failover/.test(m ?? ''))).toBe(true);
    expect([...reasons].some((m) => /^the environment does not support EgressIPPriority/.test(m ?? ''))).toBe(
      true,
    );
    // The lab brought up for IPv4 still offers IPv6: with --family ipv4 its IPv6 tests are not
    // selected (no skip), and M counts them.
    const ipv4 = runs[1] ?? [];
    expect(ipv4.filter((t) => t.family === 'ipv6').every((t) => t.skip?.reason === 'not-selected')).toBe(
      true,
    );
    expect(ipv4.length).toBe((runs[0] ?? []).length);
  });
});
