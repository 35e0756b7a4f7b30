/**
 * Shards: every test of a plan runs in exactly one shard, lone tests spread evenly, the same
 * inputs give the same slices; merging takes each test from the shard that ran it, refuses an
 * incomplete or mixed set, and `merge-reports` writes the merged reports (through the CLI).
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRuns } from '../../harness/report/merge.js';
import { writeReports } from '../../harness/report/write.js';
import { planRun, selectShard } from '../../harness/run/plan.js';
import type { RunResult, TestResult } from '../../harness/run/results.js';
import { runsAlone } from '../../harness/run/runner.js';
import { loadCatalogue } from '../../harness/spec/catalogue.js';
import { cli } from '../support/cli.js';
import { testDescription } from '../support/recording-environment.js';
import { sampleRun } from './sample-run.js';

async function plan() {
  const catalogue = await loadCatalogue(undefined);
  const description = testDescription({
    features: ['SourceIPLoadBalancer', 'NodeLabel', 'Lifecycle', 'NodeSelector', 'Failover'].map((name) => ({
      name,
      supported: true,
      source: 'provider' as const,
    })),
  });
  const options = { profile: 'all', runTests: [], skipTests: [], skipProvisional: false } as const;
  return planRun(catalogue.scenarios, options, description, 'abc123');
}

describe('selectShard', () => {
  it('runs every runnable test in exactly one of N shards, deterministically', async () => {
    const planned = await plan();
    const runnable = planned.filter((t) => !t.skip);
    expect(runnable.length).toBeGreaterThan(10);
    for (const total of [1, 2, 3, 5]) {
      const shards = Array.from({ length: total }, (_, i) =>
        selectShard(planned, { index: i + 1, total }, runsAlone),
      );
      const owners = runnable.map((test) =>
        shards.filter((shard) => !shard[test.index]?.skip).map((_, i) => i),
      );
      expect(owners.every((o) => o.length === 1)).toBe(true);
      // Every shard plans the whole run, with the same indices (so the same addresses).
      for (const shard of shards)
        expect(shard.map((t) => [t.index, t.namespace])).toEqual(planned.map((t) => [t.index, t.namespace]));
      const sizes = shards.map((s) => s.filter((t) => !t.skip).length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      const alone = shards.map((s) => s.filter((t) => !t.skip && runsAlone(t)).length);
      expect(Math.max(...alone) - Math.min(...alone)).toBeLessThanOrEqual(1);
      expect(selectShard(planned, { index: 1, total }, runsAlone)).toEqual(shards[0]);
    }
    const other = selectShard(planned, { index: 1, total: 3 }, runsAlone).find(
      (t) => t.skip?.reason === 'other-shard',
    );
    expect(other?.skip?.message).toMatch(/^run by shard [23]\/3$/);
    // What the plan skipped stays skipped for its own reason in every shard.
    const unsupported = planned.find((t) => t.skip?.reason === 'not-supported');
    expect(unsupported).toBeDefined();
    expect(
      selectShard(planned, { index: 2, total: 3 }, runsAlone)[unsupported?.index as number]?.skip?.reason,
    ).toBe('not-supported');
  });

  it('rejects a bad --shard', async () => {
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0']) {
      const result = await cli(['run', '--provider', 'lab', '--shard', bad, '--dry-run']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--shard ${bad}: expected I/N with 1 <= I <= N <= 64`);
    }
  });
});

/** Splits the sample run into shards the way `run --shard` reports them. */
function asShards(run: RunResult, total: number, dirOf: (i: number) => string): RunResult[] {
  return Array.from({ length: total }, (_, i) => ({
    ...run,
    runId: `s${i + 1}`,
    reportDir: dirOf(i + 1),
    shard: { index: i + 1, total },
    tests: run.tests.map(
      (test, t): TestResult =>
        test.status === 'skipped' || t % total === i
          ? test
          : {
              ...test,
              status: 'skipped',
              skipReason: 'other-shard',
              message: 'run by another shard',
              steps: [],
              evidence: [],
            },
    ),
  }));
}

describe('merging shards', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-merge-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives back every test from the shard that ran it', () => {
    const whole = sampleRun('/r');
    const merged = mergeRuns(
      asShards(whole, 3, (i) => `/s${i}`),
      '/merged',
    );
    expect(merged.tests.map((t) => [t.scenarioId, t.family, t.status, t.skipReason])).toEqual(
      whole.tests.map((t) => [t.scenarioId, t.family, t.status, t.skipReason]),
    );
    expect(merged.tests).toEqual(whole.tests);
    expect(merged.mergedFrom?.map((m) => m.shard?.index)).toEqual([1, 2, 3]);
  });

  it('refuses a missing shard, a repeated one, or mixed splits', () => {
    const shards = asShards(sampleRun('/r'), 3, (i) => `/s${i}`);
    expect(() => mergeRuns([shards[0], shards[2]] as RunResult[], '/m')).toThrow('shard 2/3 is missing');
    expect(() => mergeRuns([shards[0], shards[0], shards[1], shards[2]] as RunResult[], '/m')).toThrow(
      'shard 1/3 is given 2 times',
    );
    const two = asShards(sampleRun('/r'), 2, (i) => `/t${i}`);
    expect(() => mergeRuns([...shards, ...two], '/m')).toThrow('different splits');
  });

  it("merge-reports writes one report with the shards' artifacts, and exits as the run would", async () => {
    const shards = asShards(sampleRun(dir), 3, (i) => join(dir, `shard-${i}`));
    for (const shard of shards) {
      await writeReports(shard);
      const namespace = shard.tests.find(
        (t) => t.skipReason !== 'other-shard' && t.status !== 'skipped',
      )?.namespace;
      await mkdir(join(shard.reportDir, 'artifacts', `${namespace}`), { recursive: true });
      await writeFile(join(shard.reportDir, 'artifacts', `${namespace}`, `from-${shard.runId}.pcap`), 'pcap');
    }
    const out = join(dir, 'merged');
    const result = await cli(['merge-reports', ...shards.map((s) => s.reportDir), '--report-dir', out]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('1 passed, 2 failed, 1 skipped');
    const report = JSON.parse(await readFile(join(out, 'conformance-report.json'), 'utf8'));
    expect(report.tests.map((t: { name: string; status: string }) => `${t.name} ${t.status}`)).toEqual([
      'snat-loadbalancer-ip/ipv4 passed',
      'snat-loadbalancer-ip/ipv6 failed',
      'failover/ipv4 skipped',
      'no-leak-on-placement/ipv4 failed',
    ]);
    expect(report.mergedFrom).toEqual(['s1', 's2', 's3']);
    expect(report.shard).toBeUndefined();
    for (const shard of shards) {
      const own = shard.tests.find((t) => t.skipReason !== 'other-shard' && t.status !== 'skipped');
      if (own)
        expect((await stat(join(out, 'artifacts', own.namespace, `from-${shard.runId}.pcap`))).isFile()).toBe(
          true,
        );
    }
    for (const file of ['junit.xml', 'index.html', 'summary.txt', 'results.json']) {
      expect((await stat(join(out, file))).isFile()).toBe(true);
    }
  });

  it('merge-reports names a directory without results', async () => {
    const result = await cli(['merge-reports', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${dir}: no results.json; expected a report directory written by \`run\``,
    );
  });
});
