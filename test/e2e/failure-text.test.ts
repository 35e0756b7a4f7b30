/**
 * One lab run with the no-snat fault, narrowed to one test: what a person reads of its failure,
 * and what every report says of it.
 * - The first line: statements, expectation, what was seen grouped per sending node with names,
 *   how long the probe tried; details on indented lines; no "peer peer"; the GitHub annotation
 *   carries the same first line, without a repeated statement prefix. The per-node counts are
 *   checked against tshark reading the capture (an independent reader).
 * - One capture for the probe step holding every round.
 * - `--run-test X` reports only X, in every format, with equal counts; the run is narrowed and
 *   never success; the lab's unsupported features are only what it lacks.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceReportSchema } from '../../harness/report/conformance-schema.js';
import type { RunResult } from '../../harness/run/results.js';
import { cli } from '../support/cli.js';
import { labUpIn, leftBy, NOTHING_LEFT } from '../support/leftovers.js';
import { countsByFormat } from '../support/report-counts.js';

let dir: string;
let run: Awaited<ReturnType<typeof cli>>;
let reportDir: string;
let stepSummary: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-failure-text-'));
  reportDir = join(dir, 'report');
  stepSummary = join(dir, 'step-summary.md');
  // Four nodes: a lab of its own, never another run's kept (three-node) lab.
  const options = join(dir, 'options.yaml');
  await writeFile(options, 'lab:\n  nodes: 4\n');
  run = await cli(
    [
      'run',
      '--options-file',
      options,
      '--provider',
      'lab',
      '--family',
      'ipv4',
      '--run-test',
      'snat-loadbalancer-ip',
      '--lab-fault',
      'no-snat',
      '--reporter',
      'list,github',
      '--report-dir',
      reportDir,
    ],
    { env: { GITHUB_STEP_SUMMARY: stepSummary, GITHUB_WORKSPACE: process.cwd() }, timeout: 400_000 },
  );
}, 420_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function results(): Promise<RunResult> {
  return JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as RunResult;
}

describe('a no-snat failure on the lab', () => {
  it('fails, and leaves nothing behind', async () => {
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(await leftBy(labUpIn(run.stdout))).toEqual(NOTHING_LEFT);
  });

  it('says in its first line what was expected and what each node sent, by name, and for how long', async () => {
    const test = (await results()).tests.find((t) => t.status === 'failed');
    const [first, ...details] = (test?.message ?? '').split('\n');
    const match =
      /^ES-SNAT-1, ES-SNAT-2: endpoints-tcp\/ipv4: expected every packet to peer 198\.51\.100\.10:8080 from the LoadBalancer IP (203\.0\.113\.\d+); (\d) nodes sent (\d+) packets with their node IP \((.*)\), 0 with the LoadBalancer IP \1; tried for \d+\.\d s \((\d+) rounds\)$/.exec(
        first ?? '',
      );
    expect(match, first).not.toBeNull();
    expect(first).not.toMatch(/peer peer/);
    expect(details.length).toBeGreaterThan(0);
    for (const line of details) expect(line).toMatch(/^ {2}\S/);
    expect(details[0]).toMatch(/^ {2}at step 5 \(probe, suites\/core\/snat-loadbalancer-ip\.yaml:\d+\)$/);

    // Each node by its name and address, with its packets: as tshark counts them in the capture
    // of the last round (the round the verdict judged).
    const env = (await results()).environment;
    const named = [...(match?.[4] ?? '').matchAll(/([\w-]+) (\d+\.\d+\.\d+\.\d+): (\d+)/g)].map((m) => ({
      node: m[1] as string,
      address: m[2] as string,
      packets: Number(m[3]),
    }));
    expect(named).toHaveLength(Number(match?.[2]));
    expect(named.length).toBeGreaterThan(1);
    for (const n of named) expect(env.nodes.find((x) => x.name === n.node)?.addresses.ipv4).toBe(n.address);
    expect(named.reduce((s, n) => s + n.packets, 0)).toBe(Number(match?.[3]));
    const evidence = test?.evidence[0];
    const rounds = Number(match?.[5]);
    const tshark = await execa('tshark', [
      '-r',
      join(reportDir, evidence?.capture ?? ''),
      '-Y',
      'ip.dst == 198.51.100.10 && tcp.dstport == 8080',
      '-T',
      'fields',
      '-e',
      'ip.src',
    ]);
    const all = tshark.stdout.split('\n').filter(Boolean);
    // The first line's numbers are the judged round's; the one capture holds every round: per
    // node, tshark counts in it exactly what the rounds' verdicts counted together.
    const everyRound = [...(test?.earlierEvidence ?? []), ...(test?.evidence ?? [])];
    expect(rounds).toBe(everyRound.length);
    for (const n of named) {
      expect(evidence?.sources[n.address]).toBe(n.packets);
      const seen = all.filter((src) => src === n.address).length;
      expect(seen).toBe(everyRound.reduce((sum, r) => sum + (r.sources[n.address] ?? 0), 0));
    }
  });

  it('keeps one capture for the probe step, with every round in it, and links it', async () => {
    const test = (await results()).tests.find((t) => t.status === 'failed');
    const evidence = test?.evidence[0];
    expect(evidence?.capture).toMatch(/endpoints-tcp-ipv4-all-rounds\.pcap$/);
    const files = await readdir(join(reportDir, 'artifacts', test?.namespace ?? ''));
    expect(files.filter((f) => f.includes('endpoints-tcp'))).toEqual([
      evidence?.capture.split('/').pop() as string,
    ]);
    // Every earlier round points at the same file; the timeline draws them all.
    expect(new Set((test?.earlierEvidence ?? []).map((r) => r.capture))).toEqual(
      new Set([evidence?.capture]),
    );
    const capinfos = await execa('capinfos', ['-c', '-M', join(reportDir, evidence?.capture ?? '')]);
    const packets = Number(/Number of packets:\s+(\d+)/.exec(capinfos.stdout)?.[1]);
    const drawn = [...(test?.earlierEvidence ?? []), ...(test?.evidence ?? [])].reduce(
      (sum, r) => sum + (r.packets?.total ?? 0),
      0,
    );
    expect(packets).toBeGreaterThanOrEqual(drawn);
    const html = await readFile(join(reportDir, 'index.html'), 'utf8');
    expect(html).toContain(`href="${evidence?.capture}"`);
  });

  it('draws the whole window: every round in the rounds band, lanes named by node, the judged round up close', async () => {
    const result = await results();
    const test = result.tests.find((t) => t.status === 'failed');
    const rounds = [...(test?.earlierEvidence ?? []), ...(test?.evidence ?? [])];
    const html = await readFile(join(reportDir, 'index.html'), 'utf8');
    const whole = /<svg class="timeline all"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(whole.match(/<rect class="round failed"/g)).toHaveLength(rounds.length);
    expect(html).toMatch(
      new RegExp(
        `<p class="rounds-summary">endpoints-tcp/ipv4: ${rounds.length} rounds over \\d+\\.\\d s, ${rounds.length} failed`,
      ),
    );
    expect(html).toContain('<details class="judged" open>');
    // Each sending node's lane by its name and address, as the environment names it.
    for (const [address] of Object.entries(test?.evidence[0]?.sources ?? {})) {
      const node = result.environment.nodes.find((n) => n.addresses.ipv4 === address);
      expect(node, address).toBeDefined();
      expect(whole).toContain(`>${node?.name} ${address} ✗ offending<`);
    }
  });

  it('gives the GitHub annotation the same first line, without a repeated prefix', async () => {
    const test = (await results()).tests.find((t) => t.status === 'failed');
    const annotation = run.stdout.split('\n').find((l) => l.startsWith('::error file='));
    const message = annotation?.split('::')[2] ?? '';
    const first = (test?.message ?? '').split('\n')[0] as string;
    expect(message.split('%0A')[0]).toBe(first.replace(/%/g, '%25'));
    expect(message).not.toMatch(/ES-SNAT-1: ES-SNAT-1/);
  });

  it('reports only the selected test, with the same counts in every format; narrowed, never success', async () => {
    const report = conformanceReportSchema.parse(
      JSON.parse(await readFile(join(reportDir, 'conformance-report.json'), 'utf8')),
    );
    const counts = countsByFormat({
      console: run.stdout,
      stepSummary: await readFile(stepSummary, 'utf8'),
      junit: await readFile(join(reportDir, 'junit.xml'), 'utf8'),
      conformance: JSON.stringify(report),
      html: await readFile(join(reportDir, 'index.html'), 'utf8'),
    });
    // M: every test of the catalogue on every family the lab offers (its IPv6 tests too, which
    // --family ipv4 left out), the same in every format.
    const planned = (await results()).tests.length;
    expect((await results()).tests.filter((t) => t.family === 'ipv6').length).toBeGreaterThan(0);
    for (const format of Object.values(counts)) {
      expect(format).toEqual({ planned, selected: 1, passed: 0, failed: 1, skipped: 0 });
    }
    expect(report.tests.map((t) => t.name)).toEqual(['snat-loadbalancer-ip/ipv4']);
    expect(report.selection).toMatchObject({
      scope: 'narrowed',
      narrowedBy: ['--run-test snat-loadbalancer-ip', '--family ipv4'],
      selectedTests: 1,
    });
    expect(report.profiles[0]?.core.result).toBe('failure');
    expect(report.profiles[0]?.extended.result).toBe('not-run');
    // The lab lacks only an EgressIP implementation, whatever families this run brought up.
    expect(report.profiles[0]?.extended.unsupportedFeatures).toEqual(['EgressIPPriority']);
    expect(report.profiles[0]?.extended.supportedFeatures).toEqual(
      expect.arrayContaining(['IPv6', 'DualStack']),
    );
  });
});
