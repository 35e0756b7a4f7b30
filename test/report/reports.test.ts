import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { conformanceReportSchema } from '../../harness/report/conformance-schema.js';
import { renderSummary } from '../../harness/report/console.js';
import { writeReports } from '../../harness/report/write.js';
import { runPassed } from '../../harness/run/results.js';
import { sampleRun } from './sample-run.js';

const JUNIT_XSD = resolve('schemas/junit.xsd');

async function xmllint(file: string) {
  return execa('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { reject: false });
}

describe('reports', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-reports-'));
    await writeReports(sampleRun(dir));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes junit.xml that the JUnit schema accepts, one testcase per scenario x family', async () => {
    const result = await xmllint(join(dir, 'junit.xml'));
    expect(result.stderr).toContain('validates');
    expect(result.exitCode).toBe(0);
    const xml = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('name="snat-loadbalancer-ip [IPv6]"');
    // The failure says what was expected and what was seen, escaped.
    expect(xml).toContain(
      'had source 2001:db8::11 &lt;&amp; &quot;quoted&quot;&gt;, expected the LoadBalancer IP',
    );
    expect(xml).toContain('<skipped message="not-supported: the environment does not support Failover"');
    expect(xml).toMatch(
      /<testsuites name="egress-conformance" tests="4" failures="2" errors="0" time="100\.500">/,
    );
  });

  it('checks with a schema that really rejects malformed JUnit', async () => {
    const bad = join(dir, 'bad.xml');
    await writeFile(bad, '<testsuites><testsuite name="x"><testcase/></testsuite></testsuites>');
    const result = await xmllint(bad);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/attribute 'tests' is required|attribute 'name' is required/);
  });

  it('writes a ConformanceReport in YAML and JSON that match its schema and each other', async () => {
    const json = JSON.parse(await readFile(join(dir, 'conformance-report.json'), 'utf8'));
    const yaml = parse(await readFile(join(dir, 'conformance-report.yaml'), 'utf8'));
    expect(yaml).toEqual(json);
    const report = conformanceReportSchema.parse(json);
    const profile = report.profiles[0];
    expect(profile?.name).toBe('EGRESS-SERVICE-CORE');
    expect(profile?.core).toEqual({
      result: 'failure',
      statistics: { passed: 1, failed: 1, skipped: 0 },
      failedTests: ['snat-loadbalancer-ip/ipv6'],
      skippedTests: [],
    });
    // An unsupported feature is listed, not held against the extended result; the provisional
    // failure is reported apart and not counted.
    expect(profile?.extended.statistics).toEqual({ passed: 0, failed: 0, skipped: 0 });
    expect(profile?.provisional).toEqual({
      statistics: { passed: 0, failed: 1, skipped: 0 },
      failedTests: ['no-leak-on-placement/ipv4'],
    });
    expect(report.implementation.reference).toBe(true);
    expect(report.certification).toMatch(/certify no implementation/);
    expect(report.statements.find((s) => s.id === 'ES-SNAT-1')?.result).toBe('failed');
    expect(report.statements.find((s) => s.id === 'ES-FAIL-1')?.result).toBe('not-tested');
    expect(report.tests[0]?.evidence[0]?.capture).toBe(
      'artifacts/ec-r1-snat-loadbalancer-ip-v4/endpoints-tcp-ipv4-0.pcap',
    );
  });

  it('ships a JSON Schema of the ConformanceReport that matches the zod definition', async () => {
    const shipped = JSON.parse(await readFile(resolve('schemas/conformance-report.schema.json'), 'utf8'));
    expect(shipped).toEqual(z.toJSONSchema(conformanceReportSchema, { target: 'draft-2020-12' }));
  });

  it('rejects a report that breaks the schema', () => {
    const broken = { ...sampleRun(dir), kind: 'Other' };
    expect(conformanceReportSchema.safeParse(broken).success).toBe(false);
  });

  it('prints a scenario x family table and the failures with their reasons', () => {
    const summary = renderSummary(sampleRun(dir));
    const lines = summary.split('\n');
    expect(lines[0]).toMatch(/^profile\s+features\s+scenario\s+IPv4\s+IPv6$/);
    expect(summary).toMatch(/core\s+SourceIPLoadBalancer\s+snat-loadbalancer-ip\s+pass\s+FAIL/);
    expect(summary).toMatch(/extended\s+Failover\s+failover\s+skip\(not-supported\)\s+-/);
    expect(summary).toMatch(/no-leak-on-placement\s+FAIL\*/);
    expect(summary).toContain('1 passed, 2 failed, 1 skipped (lab provider, 1m41s)');
    expect(summary).toContain('- snat-loadbalancer-ip [IPv6]: ES-SNAT-1, ES-SNAT-2: step 5');
    expect(summary).toContain('diagnostics: diagnostics/ec-r1-snat-loadbalancer-ip-v6');
    expect(summary).toContain('they certify no implementation');
  });

  it('counts a run with only a provisional failure as passed', () => {
    const run = sampleRun(dir);
    run.tests = run.tests.filter((t) => t.status !== 'failed' || t.provisional);
    expect(runPassed(run)).toBe(true);
    expect(runPassed(sampleRun(dir))).toBe(false);
  });
});
