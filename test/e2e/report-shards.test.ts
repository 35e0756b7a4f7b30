/**
 * A run split into 3 shards and merged gives the unsharded run's results: the same tests with
 * the same results, the same statement results, statistics and profile results (timings, run ids
 * and paths differ). On one kept lab, a few scenarios, IPv4.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../harness/report/conformance-schema.js';
import { conformanceReportSchema } from '../../harness/report/conformance-schema.js';
import { downKeptLab, type KeptLab, upKeptLab } from '../../scripts/kept-lab.js';
import { LAB_TIMEOUTS } from '../../scripts/sharpness.js';
import { CLI, cli } from '../support/cli.js';

const SCENARIOS = [
  'snat-loadbalancer-ip',
  'non-endpoint-pods-keep-node-ip',
  'node-label-single-host',
  'lifecycle-delete',
  'lifecycle-not-loadbalancer',
];

function runArgs(reportDir: string, extra: string[] = []): string[] {
  return [
    'run',
    '--provider',
    'lab',
    '--family',
    'ipv4',
    '--reporter',
    'line',
    '--report-dir',
    reportDir,
    ...SCENARIOS.flatMap((id) => ['--run-test', id]),
    ...LAB_TIMEOUTS.flatMap((t) => ['--timeout', t]),
    ...extra,
  ];
}

async function conformance(dir: string): Promise<ConformanceReport> {
  return conformanceReportSchema.parse(
    JSON.parse(await readFile(join(dir, 'conformance-report.json'), 'utf8')),
  );
}

/** What must not depend on sharding. */
function results(report: ConformanceReport) {
  return {
    tests: report.tests.map((t) => ({
      name: t.name,
      status: t.status,
      reason: t.reason,
      statements: t.statements,
    })),
    statements: report.statements.map((s) => ({ id: s.id, result: s.result, tests: s.tests })),
    profiles: report.profiles,
  };
}

describe('shards merged equal the unsharded run', () => {
  let dir: string;
  let lab: KeptLab | undefined;
  const codes: Record<string, number | undefined> = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-shards-'));
    lab = await upKeptLab(CLI, ['--family', 'ipv4']);
    codes.whole = (await cli(runArgs(join(dir, 'whole')), { timeout: 600_000 })).code;
    for (const i of [1, 2, 3]) {
      codes[`shard${i}`] = (
        await cli(runArgs(join(dir, `shard-${i}`), ['--shard', `${i}/3`]), { timeout: 600_000 })
      ).code;
    }
    const merge = await cli(
      [
        'merge-reports',
        ...[1, 2, 3].map((i) => join(dir, `shard-${i}`)),
        '--report-dir',
        join(dir, 'merged'),
      ],
      { timeout: 120_000 },
    );
    codes.merged = merge.code;
  }, 1_800_000);
  afterAll(async () => {
    await downKeptLab(CLI, lab);
    await rm(dir, { recursive: true, force: true });
  });

  it('runs each selected test in exactly one shard', async () => {
    expect(codes.whole).toBe(0);
    const ran = new Map<string, number>();
    for (const i of [1, 2, 3]) {
      expect(codes[`shard${i}`]).toBe(0);
      const report = await conformance(join(dir, `shard-${i}`));
      expect(report.shard).toEqual({ index: i, total: 3 });
      for (const t of report.tests.filter((t) => t.status !== 'skipped'))
        ran.set(t.name, (ran.get(t.name) ?? 0) + 1);
    }
    expect([...ran.keys()].sort()).toEqual(SCENARIOS.map((id) => `${id}/ipv4`).sort());
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
  });

  it('merges into the same tests, statement results, statistics and profile results', async () => {
    expect(codes.merged).toBe(0);
    const whole = await conformance(join(dir, 'whole'));
    const merged = await conformance(join(dir, 'merged'));
    expect(results(merged)).toEqual(results(whole));
    // The other core scenarios were not selected: left out of every count, not reported skipped.
    expect(merged.profiles[0]?.core.statistics).toEqual({ passed: SCENARIOS.length, failed: 0, skipped: 0 });
    expect(merged.mergedFrom).toHaveLength(3);
    // The merged JUnit has the same testcases as the unsharded one.
    const names = async (d: string) =>
      [...(await readFile(join(d, 'junit.xml'), 'utf8')).matchAll(/<testcase name="([^"]+)"/g)]
        .map((m) => m[1])
        .sort();
    expect(await names(join(dir, 'merged'))).toEqual(await names(join(dir, 'whole')));
  });
});
