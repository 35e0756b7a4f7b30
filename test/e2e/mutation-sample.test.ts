/**
 * `npm run mutation` end to end on a small fixed sample, to keep the machinery honest: five
 * mutants of the SNAT rules, judged by one scenario (snat-loadbalancer-ip, IPv4) on a kept lab.
 * Three break the rewrite and must be killed by ES-SNAT statements (the switch reaches the running
 * controller); one changes only ICMP, which that scenario does not send, and must survive; one is
 * in a branch only a fault reaches and must be NoCoverage without a run. The report must be valid
 * against the mutation-testing-report-schema. Keys name places in harness/env/lab/reference/
 * egress-rules.ts: an edit there that moves them fails this test with "no mutant <key>".
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

const KILLED = [
  'egress-rules.ts:32:7:EqualityOperator',
  'egress-rules.ts:46:36:BlockStatement',
  'egress-rules.ts:63:7:ConditionalExpression',
];
const SURVIVES = 'egress-rules.ts:60:7:ConditionalExpression';
const NOT_REACHED = 'egress-rules.ts:49:22:ObjectLiteral';

interface ReportMutant {
  id: string;
  status: string;
  statusReason?: string;
  killedBy?: string[];
  description?: string;
}

describe('npm run mutation on a fixed sample of five mutants', () => {
  let dir: string;
  let run: { exitCode?: number; all?: string };
  let mutants: ReportMutant[];
  let report: Record<string, unknown>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-mutation-'));
    run = await execa(
      'node',
      [
        '--import',
        'tsx',
        'scripts/mutation.ts',
        '--mutants',
        [...KILLED, SURVIVES, NOT_REACHED].join(','),
        '--family',
        'ipv4',
        '--run-test',
        'snat-loadbalancer-ip',
        '--report-dir',
        dir,
      ],
      { reject: false, all: true },
    );
    report = JSON.parse(await readFile(join(dir, 'mutation.json'), 'utf8'));
    const files = report.files as Record<string, { mutants: ReportMutant[] }>;
    mutants = files['harness/env/lab/reference/egress-rules.ts']?.mutants ?? [];
  }, 900_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const byKey = (key: string) => mutants.find((m) => m.description?.startsWith(`${key}:`));

  it('kills the mutants that break the rewrite, naming the statements and the failed test', () => {
    for (const key of KILLED) {
      const mutant = byKey(key);
      expect(mutant?.status, `${key}\n${run.all}`).toBe('Killed');
      expect(mutant?.statusReason).toMatch(/ES-SNAT-1/);
      expect(mutant?.killedBy).toEqual(['snat-loadbalancer-ip/ipv4']);
    }
  });

  it('lets the ICMP-only mutant survive that scenario, and judges the unreached one without a run', () => {
    expect(byKey(SURVIVES)?.status, run.all).toBe('Survived');
    expect(byKey(NOT_REACHED)?.status).toBe('NoCoverage');
    // Neither is triaged: the run says so and exits 1.
    expect(run.exitCode).toBe(1);
    expect(run.all).toContain('2 survivors are not triaged');
  });

  it('writes a report valid against the mutation-testing-report-schema, and its page', async () => {
    const schema = JSON.parse(
      await readFile(
        require.resolve('mutation-testing-report-schema/mutation-testing-report-schema.json'),
        'utf8',
      ),
    );
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const page = await readFile(join(dir, 'index.html'), 'utf8');
    expect(page).toContain('<mutation-test-report-app');
    expect(await readFile(join(dir, 'summary.txt'), 'utf8')).toMatch(/score: 60% killed/);
  });
});
