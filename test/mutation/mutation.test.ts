/**
 * `npm run mutation`'s parts that need no lab: the instrumenter's mutants of the reference, the
 * seeded sample and its shards, the flags, the triage file, and the report, checked against the
 * mutation-testing-report-schema's own JSON schema.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeOutcomes } from '../../scripts/mutation/merge.js';
import {
  instrumentReference,
  MUTATED_FILES,
  type MutantInfo,
  textAt,
} from '../../scripts/mutation/mutants.js';
import {
  lateKill,
  type MutantOutcome,
  mutationReport,
  scoreOf,
  triaged,
} from '../../scripts/mutation/report.js';
import type { MutantRun } from '../../scripts/mutation/run-mutant.js';
import { statusOf } from '../../scripts/mutation/run-mutant.js';
import { drawSample, parseShard, shardOf } from '../../scripts/mutation/sample.js';
import { loadTriage, TRIAGE_FILE } from '../../scripts/mutation/triage.js';
import { chooseMutants, parseFlags } from '../../scripts/mutation.js';

const require = createRequire(import.meta.url);

let mutants: MutantInfo[];
let sources: Map<string, string>;
beforeAll(async () => {
  const instrumented = await instrumentReference(process.cwd());
  mutants = instrumented.mutants;
  sources = new Map(instrumented.files.map((f) => [f.name, f.source]));
}, 60_000);

const run = (status: MutantRun['status'], statements: string[] = []): MutantRun => ({
  status,
  statements,
  killedBy: statements.length > 0 ? ['snat-loadbalancer-ip/ipv4'] : [],
  reason: status === 'Killed' ? 'snat-loadbalancer-ip/ipv4: 9/9 packets had source 10.213.0.11' : 'passed',
  exitCode: status === 'Killed' ? 130 : 0,
  durationMs: 30_000,
  testsCompleted: 3,
});

/** One mutant of each kind (killed at ES-SNAT-1, survived, not covered), for the report tests. */
function threeOutcomes(): MutantOutcome[] {
  const pick = (key: string) => mutants.find((m) => m.key === key) as MutantInfo;
  return [
    {
      mutant: pick('egress-rules.ts:32:7:EqualityOperator'),
      status: 'Killed',
      run: run('Killed', ['ES-SNAT-1']),
    },
    { mutant: pick('egress-rules.ts:60:7:ConditionalExpression'), status: 'Survived', run: run('Survived') },
    { mutant: pick('egress-rules.ts:49:22:ObjectLiteral'), status: 'NoCoverage' },
  ];
}

describe('mutants of the reference implementation', () => {
  it('come from every mutated file, each with a unique key and the code it replaces', () => {
    expect(mutants.length).toBeGreaterThan(1000);
    expect(new Set(mutants.map((m) => m.file))).toEqual(new Set(MUTATED_FILES));
    expect(new Set(mutants.map((m) => m.key)).size).toBe(mutants.length);
    expect(new Set(mutants.map((m) => m.id)).size).toBe(mutants.length);
    for (const m of mutants) expect(m.original.length, m.key).toBeGreaterThan(0);
    const negated = mutants.find((m) => m.key === 'egress-rules.ts:32:7:EqualityOperator');
    expect(negated).toMatchObject({ original: "host === 'ALL'", replacement: "host !== 'ALL'" });
  });

  it('reads the original text between 1-based positions, across lines', () => {
    expect(textAt('ab\ncdef\ngh', { line: 2, column: 2 }, { line: 2, column: 4 })).toBe('de');
    expect(textAt('ab\ncdef\ngh', { line: 1, column: 2 }, { line: 3, column: 2 })).toBe('b\ncdef\ng');
  });
});

describe('sample and shards', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);

  it('draws the same sample for the same seed, another for another seed, without repeats', () => {
    const a = drawSample(items, 10, 1);
    expect(drawSample(items, 10, 1)).toEqual(a);
    expect(drawSample(items, 10, 2)).not.toEqual(a);
    expect(new Set(a).size).toBe(10);
    // A smaller sample is the start of a larger one: a stopped run judged a smaller sample.
    expect(drawSample(items, 25, 1).slice(0, 10)).toEqual(a);
    expect(drawSample(items, 80, 1)).toHaveLength(50);
  });

  it('deals the sample to shards so that each mutant is in exactly one', () => {
    const sample = drawSample(items, 20, 7);
    const parts = [1, 2, 3].map((index) => shardOf(sample, { index, total: 3 }));
    expect(parts.flat().sort((x, y) => x - y)).toEqual([...sample].sort((x, y) => x - y));
    expect(parts.map((p) => p.length)).toEqual([7, 7, 6]);
    expect(() => parseShard('4/3')).toThrow('--shard 4/3: expected I/N');
    expect(() => parseShard('x')).toThrow('--shard x');
  });

  it('parses its flags, passing the rest on to run, and names the bad one', () => {
    const flags = parseFlags(['--sample', '5', '--seed', '3', '--shard', '2/2', '--family', 'ipv4']);
    expect(flags).toMatchObject({
      sample: 5,
      seed: 3,
      shard: { index: 2, total: 2 },
      runFlags: ['--family', 'ipv4'],
    });
    expect(() => parseFlags(['--sample', '0'])).toThrow('--sample 0: expected a whole number >= 1');
    expect(() => parseFlags(['--seed'])).toThrow('--seed: expected a value');
    expect(() => parseFlags(['--lab-fault', 'no-snat'])).toThrow('--lab-fault is set by the mutation run');
    const named = chooseMutants(mutants, {
      ...flags,
      shard: undefined,
      mutants: ['egress-rules.ts:32:7:EqualityOperator'],
    });
    expect(named.map((m) => m.key)).toEqual(['egress-rules.ts:32:7:EqualityOperator']);
    expect(() => chooseMutants(mutants, { ...flags, mutants: ['nope.ts:1:1:X'] })).toThrow(
      'no mutant nope.ts:1:1:X',
    );
    const again = parseFlags(['--undetected-in', 'a,b', '--resume', '--profile', 'all']);
    expect(again).toMatchObject({ resume: true, runFlags: ['--profile', 'all'] });
    expect(again.undetectedIn?.map((d) => d.split('/').pop())).toEqual(['a', 'b']);
    expect(() => parseFlags(['--undetected-in', 'a', '--mutants', 'x'])).toThrow(
      '--mutants and --undetected-in: give one of them',
    );
  });
});

describe('statuses and score', () => {
  it('judges a run by its report: a failed test kills, a pass survives, the limit times out', () => {
    const failed = { name: 'a/ipv4', status: 'failed', statements: ['ES-SNAT-1'], message: 'bad source' };
    expect(statusOf(130, false, { tests: [failed] })).toMatchObject({
      status: 'Killed',
      statements: ['ES-SNAT-1'],
    });
    expect(statusOf(130, true, { tests: [failed] }).status).toBe('Killed');
    expect(statusOf(130, true, { tests: [] }).status).toBe('Timeout');
    expect(statusOf(0, false, { tests: [{ ...failed, status: 'passed' }] }).status).toBe('Survived');
    expect(statusOf(1, false, undefined).status).toBe('RuntimeError');
  });

  it('leaves equivalent survivors out of the score and counts untriaged ones', () => {
    const gap = { key: 'k', verdict: 'gap' as const, reason: 'no scenario sends ICMP here' };
    const equivalent = { key: 'k', verdict: 'equivalent' as const, reason: 'only a log line changes' };
    expect(triaged('Survived', equivalent)).toBe('Ignored');
    // An equivalent mutant a run "killed" was killed by a failure it did not cause.
    expect(triaged('Killed', equivalent)).toBe('Ignored');
    expect(triaged('Killed', gap)).toBe('Killed');
    const m = mutants[0] as MutantInfo;
    const score = scoreOf([
      { mutant: m, status: 'Killed', run: run('Killed', ['ES-SNAT-1']) },
      { mutant: m, status: 'Killed', run: run('Killed', ['ES-SNAT-1']) },
      { mutant: m, status: 'Timeout', run: run('Timeout') },
      { mutant: m, status: 'Survived', run: run('Survived'), triage: gap },
      { mutant: m, status: 'NoCoverage' },
      { mutant: m, status: 'Ignored', run: run('Survived'), triage: equivalent },
    ]);
    expect(score).toMatchObject({
      killed: 2,
      timeout: 1,
      survived: 1,
      noCoverage: 1,
      equivalent: 1,
      gaps: 1,
      untriaged: 1,
    });
    expect(score.killedPercent).toBe(40);
    expect(score.detectedPercent).toBe(60);
    expect(score).toMatchObject({ lateKills: 0, firmKilledPercent: 40, falseKills: 0 });
    const withFalseKill = scoreOf([
      { mutant: m, status: 'Killed', run: run('Killed', ['ES-SNAT-1']) },
      { mutant: m, status: 'Ignored', run: run('Killed', ['ES-LIFE-5']), triage: equivalent },
    ]);
    expect(withFalseKill).toMatchObject({ killed: 1, equivalent: 1, falseKills: 1, killedPercent: 100 });
  });

  it('names a kill whose failed wait held its condition at the end, too late, and scores without it', () => {
    const late: MutantRun = {
      ...run('Killed', ['ES-LIFE-2']),
      reason:
        'lifecycle-no-ingress-yet/ipv4: ES-LIFE-2: did not pass 2 rounds in a row in time (not within 30000ms: held 1 of 2 polls in a row); last round: ...',
    };
    const wrong: MutantRun = {
      ...run('Killed', ['ES-LIFE-2']),
      reason:
        'x/ipv4: ES-LIFE-2: did not pass 2 rounds in a row in time (not within 30000ms: 9/9 packets had source 10.0.0.1)',
    };
    expect(lateKill(late)).toBe(true);
    expect(lateKill(wrong)).toBe(false);
    expect(lateKill({ ...late, status: 'Survived' })).toBe(false);
    const m = mutants[0] as MutantInfo;
    const score = scoreOf([
      { mutant: m, status: 'Killed', run: late },
      { mutant: m, status: 'Killed', run: wrong },
      { mutant: m, status: 'Survived', run: run('Survived') },
      { mutant: m, status: 'RuntimeError', run: run('RuntimeError') },
    ]);
    expect(score).toMatchObject({ killed: 2, lateKills: 1, runtimeError: 1 });
    expect(score.killedPercent).toBe(66.7);
    expect(score.firmKilledPercent).toBe(33.3);
  });
});

describe('the report', () => {
  it('is valid against the mutation-testing-report-schema, with diffs, statuses and killers', async () => {
    const schema = JSON.parse(
      await readFile(
        require.resolve('mutation-testing-report-schema/mutation-testing-report-schema.json'),
        'utf8',
      ),
    );
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    const outcomes = threeOutcomes();
    const report = mutationReport({
      outcomes,
      sources,
      config: { sample: 3, seed: 1 },
      performance: { setup: 1, initialRun: 2, mutation: 3 },
      frameworkVersion: 'test',
    });
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const file = (report.files as Record<string, { mutants: Array<Record<string, unknown>> }>)[
      'harness/env/lab/reference/egress-rules.ts'
    ];
    expect(file?.mutants.map((m) => m.status)).toEqual(['Killed', 'NoCoverage', 'Survived']);
    expect(file?.mutants[0]).toMatchObject({
      replacement: "host !== 'ALL'",
      killedBy: ['snat-loadbalancer-ip/ipv4'],
      location: { start: { line: 32, column: 7 } },
    });
    expect(String(file?.mutants[0]?.statusReason)).toContain('ES-SNAT-1');
    // The schema check can fail: a status outside the schema's list is refused.
    (file?.mutants[0] as Record<string, unknown>).status = 'Dead';
    expect(validate(report)).toBe(false);
  });
});

describe('the triage file', () => {
  it('is well formed, and every entry names a mutant of the current sources', async () => {
    const triage = await loadTriage(TRIAGE_FILE);
    const keys = new Set(mutants.map((m) => m.key));
    for (const key of triage.keys())
      expect(keys.has(key), `${TRIAGE_FILE}: ${key} is no mutant now`).toBe(true);
  });
});

describe('--merge', () => {
  it('reads outcomes back from reports by key, and applies the triage of now', async () => {
    const pick = (key: string) => mutants.find((m) => m.key === key) as MutantInfo;
    const report = (outcomes: MutantOutcome[]) =>
      mutationReport({
        outcomes,
        sources,
        config: {},
        performance: { setup: 0, initialRun: 0, mutation: 0 },
        frameworkVersion: 'test',
      });
    const dir = await mkdtemp(join(tmpdir(), 'ec-mutation-merge-'));
    try {
      await writeFile(join(dir, 'mutation.json'), JSON.stringify(report(threeOutcomes())));
      const equivalent = {
        key: 'egress-rules.ts:60:7:ConditionalExpression',
        verdict: 'equivalent' as const,
        reason: 'a reason given later',
      };
      const merged = await mergeOutcomes([dir], mutants, new Map([[equivalent.key, equivalent]]));
      const byKey = new Map(merged.map((o) => [o.mutant.key, o]));
      expect(byKey.get('egress-rules.ts:32:7:EqualityOperator')?.run?.statements).toEqual(['ES-SNAT-1']);
      expect(byKey.get('egress-rules.ts:60:7:ConditionalExpression')?.status).toBe('Ignored');
      expect(byKey.get('egress-rules.ts:49:22:ObjectLiteral')?.status).toBe('NoCoverage');
      await expect(mergeOutcomes([dir], mutants.slice(0, 3), new Map())).rejects.toThrow(
        'is not among the current',
      );
      // The same mutants judged again (wider run flags): a kill anywhere stands, a later
      // survivor does not undo it, and a later kill replaces a survivor or an unreached mutant.
      const later = await mkdtemp(join(tmpdir(), 'ec-mutation-merge-'));
      try {
        await writeFile(
          join(later, 'mutation.json'),
          JSON.stringify(
            report([
              {
                mutant: pick('egress-rules.ts:32:7:EqualityOperator'),
                status: 'Survived',
                run: run('Survived'),
              },
              {
                mutant: pick('egress-rules.ts:60:7:ConditionalExpression'),
                status: 'Killed',
                run: run('Killed', ['ES-SNAT-2']),
              },
              {
                mutant: pick('egress-rules.ts:49:22:ObjectLiteral'),
                status: 'Killed',
                run: run('Killed', ['ES-SNAT-3']),
              },
            ]),
          ),
        );
        const both = new Map(
          (await mergeOutcomes([dir, later], mutants, new Map())).map((o) => [o.mutant.key, o]),
        );
        expect(both.size).toBe(3);
        expect(both.get('egress-rules.ts:32:7:EqualityOperator')?.run?.statements).toEqual(['ES-SNAT-1']);
        expect(both.get('egress-rules.ts:60:7:ConditionalExpression')?.run?.statements).toEqual([
          'ES-SNAT-2',
        ]);
        expect(both.get('egress-rules.ts:49:22:ObjectLiteral')?.status).toBe('Killed');
      } finally {
        await rm(later, { recursive: true, force: true });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
