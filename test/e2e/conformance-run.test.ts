/**
 * The main job, end to end on the lab, as a user runs it: `egress-conformance run` with no
 * arguments picks the lab, runs the whole core profile on IPv4 and IPv6 with evidence from
 * packets captured on the peer, writes valid reports, exits 0 and leaves nothing behind.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summariseCapture } from '../../harness/capture/summary.js';
import { conformanceReportSchema } from '../../harness/report/conformance-schema.js';
import { loadCatalogue } from '../../harness/spec/catalogue.js';
import { cli } from '../support/cli.js';
import { labUpIn, leftBy, NOTHING_LEFT } from '../support/leftovers.js';

describe('egress-conformance run (the core profile on the reference lab)', () => {
  let dir: string;
  let result: Awaited<ReturnType<typeof cli>>;
  /** The shipped core profile: every scenario runs on both families. */
  let coreTests: number;
  let coreStatementsTested: Set<string>;
  beforeAll(async () => {
    const core = (await loadCatalogue(undefined)).scenarios.filter((s) => s.scenario.profile === 'core');
    coreTests = core.length * 2;
    coreStatementsTested = new Set(core.flatMap((s) => s.scenario.statements));
    dir = await mkdtemp(join(tmpdir(), 'ec-e2e-'));
    result = await cli(['run', '--report-dir', join(dir, 'report')], { timeout: 900_000 });
  }, 900_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('falls back to the lab with a banner and passes every core scenario on both families', () => {
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/provider auto: .*using the embedded reference lab/);
    expect(result.stdout).toContain('its results certify no implementation');
    const summary = result.stdout.slice(result.stdout.lastIndexOf('profile  features'));
    expect(summary).toMatch(
      new RegExp(
        `^${coreTests} of ${coreTests} tests selected: ${coreTests} passed, 0 failed, 0 skipped \\(lab provider`,
        'm',
      ),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/phase timings: (preflight [\d.]+s, )?bring-up [\d.]+s/);
  });

  it('writes a JUnit report the JUnit schema accepts and a ConformanceReport naming the reference lab', async () => {
    const xmllint = await execa(
      'xmllint',
      ['--noout', '--schema', resolve('schemas/junit.xsd'), join(dir, 'report', 'junit.xml')],
      {
        reject: false,
      },
    );
    expect(xmllint.exitCode).toBe(0);
    const report = conformanceReportSchema.parse(
      JSON.parse(await readFile(join(dir, 'report', 'conformance-report.json'), 'utf8')),
    );
    expect(report.provider).toBe('lab');
    expect(report.implementation).toMatchObject({
      name: 'egress-conformance reference lab',
      reference: true,
    });
    expect(report.profiles[0]?.core.result).toBe('success');
    expect(report.profiles[0]?.core.statistics).toEqual({ passed: coreTests, failed: 0, skipped: 0 });
    // Every core statement a core scenario checks passed; one no scenario checks yet is reported
    // not-tested, never passed.
    const core = report.statements.filter((s) => s.profile === 'core');
    for (const statement of core)
      expect([statement.id, statement.result]).toEqual([
        statement.id,
        coreStatementsTested.has(statement.id) ? 'passed' : 'not-tested',
      ]);
  });

  it('keeps the captures as evidence, and they hold the LoadBalancer IP as every probe packet source', async () => {
    const report = JSON.parse(await readFile(join(dir, 'report', 'conformance-report.json'), 'utf8'));
    const test = report.tests.find((t: { name: string }) => t.name === 'snat-loadbalancer-ip/ipv4');
    const evidence = test.evidence.find((e: { probe: string }) => e.probe === 'endpoints-tcp');
    expect(evidence.totalPackets).toBeGreaterThan(0);
    expect(evidence.matchedPackets).toBe(evidence.totalPackets);
    // Read the capture again, independently of the verdict: every packet to the peer carries
    // the one address the verdict expected.
    const summary = await summariseCapture(join(dir, 'report', evidence.capture));
    const lb = /LoadBalancer IP (\S+)/.exec(evidence.expected)?.[1];
    const towardPeer = summary.flows.filter((f) => f.dst === '198.51.100.10' && f.dstPort === 8080);
    expect(towardPeer.length).toBeGreaterThan(0);
    // The capture holds every round of the probe (one file per probe step), the verdict only its
    // last: the LoadBalancer IP carries at least the packets the verdict matched, and an earlier
    // round (before the egress node's SNAT was in place) may show a node's own address, never
    // anything else.
    const fromLb = towardPeer.filter((f) => f.src === lb).reduce((sum, f) => sum + f.packets, 0);
    expect(fromLb).toBeGreaterThanOrEqual(evidence.matchedPackets);
    for (const flow of towardPeer)
      expect(flow.src === lb || /^10\.213\.\d+\.1\d$/.test(flow.src), flow.src).toBe(true);
    const artifacts = await readdir(join(dir, 'report', 'artifacts'));
    expect(artifacts.length).toBe(coreTests);
  });

  it('leaves no container, network or temp directory behind', async () => {
    expect(await leftBy(labUpIn(result.stdout))).toEqual(NOTHING_LEFT);
  });
});
