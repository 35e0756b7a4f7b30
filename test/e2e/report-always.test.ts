/**
 * Reports are written whatever happens: a bring-up that fails after it started (a lab container
 * killed while the lab comes up), Ctrl-C in the middle of a test, a teardown that fails (a
 * container outside the lab holds the lab's network). Each run leaves junit.xml (valid), a
 * ConformanceReport (valid) and index.html with the right statuses, and nothing on the engine.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceReportSchema } from '../../harness/report/conformance-schema.js';
import { cli, startCli } from '../support/cli.js';
import { labUpIn, leftBy, NOTHING_LEFT } from '../support/leftovers.js';
import { countsByFormat } from '../support/report-counts.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-always-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `egress-conformance run` started, acted on while it runs. */
const startRun = (args: string[]) => startCli(['run', ...args]);

async function reports(reportDir: string) {
  const lint = await execa(
    'xmllint',
    ['--noout', '--schema', resolve('schemas/junit.xsd'), join(reportDir, 'junit.xml')],
    {
      reject: false,
    },
  );
  expect(lint.exitCode, lint.stderr).toBe(0);
  const report = conformanceReportSchema.parse(
    JSON.parse(await readFile(join(reportDir, 'conformance-report.json'), 'utf8')),
  );
  return {
    report,
    junit: await readFile(join(reportDir, 'junit.xml'), 'utf8'),
    html: await readFile(join(reportDir, 'index.html'), 'utf8'),
  };
}

const ONE_TEST = ['--provider', 'lab', '--family', 'ipv4', '--verbose'];

describe('reports are always written', () => {
  it('after a preflight that fails (no Docker engine answers): a JUnit error case, result error; exit 1', async () => {
    const reportDir = join(dir, 'preflight');
    // The flags are accepted; the host cannot run the lab: the engine it names does not answer (a
    // socket that hangs up on every connection; a missing socket is a usage error, one-line-errors.test.ts).
    const socket = join(dir, 'no-engine.sock');
    const server = createServer((connection) => connection.destroy());
    await new Promise<void>((done) => server.listen(socket, done));
    const stepSummary = join(dir, 'preflight-step-summary.md');
    const result = await cli(
      [
        'run',
        '--provider',
        'lab',
        '--run-test',
        'snat-loadbalancer-ip',
        '--reporter',
        'list,github',
        '--report-dir',
        reportDir,
      ],
      {
        env: {
          DOCKER_HOST: `unix://${socket}`,
          GITHUB_STEP_SUMMARY: stepSummary,
          GITHUB_WORKSPACE: process.cwd(),
        },
      },
    );
    server.close();
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^docker: the Docker engine does not answer \(fix: /m);
    const { report, junit, html } = await reports(reportDir);
    expect(report.result).toBe('error');
    expect(report.errors).toEqual([
      {
        phase: 'preflight',
        message: 'the lab provider cannot run on this host: docker: the Docker engine does not answer',
      },
    ]);
    expect(report.profiles[0]?.core.result).toBe('not-run');
    expect(report.tests.map((t) => [t.name, t.status, t.reason])).toEqual([
      ['snat-loadbalancer-ip/ipv4', 'skipped', 'not-run'],
      ['snat-loadbalancer-ip/ipv6', 'skipped', 'not-run'],
    ]);
    expect(junit).toMatch(
      /<testcase name="preflight" classname="egress-conformance.run" time="0">\s*<error message="the lab provider cannot run on this host: docker: the Docker engine does not answer" type="preflight">/,
    );
    expect(html).toContain('preflight failed:');
    // Every test it could not run is there with the reason, never a bare skip.
    const skips = [...junit.matchAll(/<skipped message="([^"]*)" type="([^"]*)"\/>/g)];
    expect(skips.map((m) => [m[1], m[2]])).toEqual([
      [
        'not-run: the lab provider cannot run on this host: docker: the Docker engine does not answer',
        'not-run',
      ],
      [
        'not-run: the lab provider cannot run on this host: docker: the Docker engine does not answer',
        'not-run',
      ],
    ]);
    expect(junit.match(/<error /g)).toHaveLength(1);
    // The console, the step summary, JUnit, the ConformanceReport and the page say the same.
    const counts = countsByFormat({
      console: result.stdout,
      stepSummary: await readFile(stepSummary, 'utf8'),
      junit,
      conformance: JSON.stringify(report),
      html,
    });
    for (const format of Object.values(counts))
      expect(format).toEqual({
        planned: report.selection.plannedTests,
        selected: 2,
        passed: 0,
        failed: 0,
        skipped: 2,
      });
    expect(report.selection.plannedTests).toBeGreaterThan(2);
    // The GitHub annotation names the cause.
    expect(result.stdout).toContain(
      '::error title=egress-conformance preflight::the lab provider cannot run on this host: docker: the Docker engine does not answer',
    );
  }, 120_000);

  it('after a bring-up that fails: every test not run, with the reason; exit 1', async () => {
    const reportDir = join(dir, 'bring-up');
    const run = startRun([...ONE_TEST, '--run-test', 'snat-loadbalancer-ip', '--report-dir', reportDir]);
    const output = await run.when(/lab (eclab-[0-9a-f]+): containers/);
    const lab = /lab (eclab-[0-9a-f]+): containers/.exec(output)?.[1] as string;
    // This run's own lab: its external peer dies while the lab waits for its containers.
    await execa('docker', ['kill', `${lab}-peer`], { reject: false });
    const result = await run.child;
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toMatch(/error: bring-up: /);
    const { report, junit, html } = await reports(reportDir);
    expect(report.errors?.[0]?.phase).toBe('bring-up');
    const test = report.tests.find((t) => t.name === 'snat-loadbalancer-ip/ipv4');
    expect(test).toMatchObject({ status: 'skipped', reason: 'not-run' });
    expect(test?.message).toMatch(/^not run: the lab environment did not come up \(/);
    expect(report.tests.filter((t) => t.status !== 'skipped')).toEqual([]);
    expect(junit).toMatch(/<testcase name="bring-up" classname="egress-conformance.run" time="0">\s*<error /);
    expect(html).toContain('bring-up failed:');
    expect(await leftBy(lab)).toEqual(NOTHING_LEFT);
  }, 300_000);

  it('after Ctrl-C mid-test: cleaned up, marked interrupted, with what ran; exit 130', async () => {
    const reportDir = join(dir, 'sigint');
    const run = startRun([...ONE_TEST, '--run-test', 'lifecycle-delete', '--report-dir', reportDir]);
    const output = await run.when(/✓ 2\. wait/);
    const lab = labUpIn(output);
    run.child.kill('SIGINT');
    const result = await run.child;
    // The scenario's own cleanup runs before the run stops (once in cleanup.test.ts).
    expect(result.all).toContain('SIGINT: stopping after cleanup');
    expect(result.exitCode).toBe(130);
    const { report, junit, html } = await reports(reportDir);
    expect(report.interrupted).toBe(true);
    const test = report.tests.find((t) => t.name === 'lifecycle-delete/ipv4');
    expect(test).toMatchObject({ status: 'skipped', reason: 'interrupted' });
    expect(junit).toContain('<skipped message="interrupted: interrupted" type="interrupted"/>');
    expect(html).toContain('id="interrupted"');
    // What ran is kept: the steps that passed before the interrupt.
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8'));
    const steps = results.tests.find(
      (t: { scenarioId: string }) => t.scenarioId === 'lifecycle-delete',
    ).steps;
    expect(steps[1].status).toBe('passed');
    expect(await leftBy(lab)).toEqual(NOTHING_LEFT);
  }, 300_000);

  it("after a teardown that fails: the tests' results and the teardown error; exit 1", async () => {
    const reportDir = join(dir, 'teardown');
    const run = startRun([
      ...ONE_TEST,
      '--run-test',
      'lifecycle-not-loadbalancer',
      '--report-dir',
      reportDir,
    ]);
    const output = await run.when(/✓ 1\. apply/);
    const lab = /lab (eclab-[0-9a-f]+): up in/.exec(output)?.[1] as string;
    const image = (
      await execa('docker', ['inspect', '--format', '{{.Config.Image}}', `${lab}-peer`])
    ).stdout.trim();
    // A container outside the lab (no lab label) on the lab's network: the network cannot go.
    const blocker = `ec-test-blocker-${lab}`;
    await execa('docker', [
      'run',
      '-d',
      '--name',
      blocker,
      '--network',
      `${lab}-default`,
      '--entrypoint',
      'sleep',
      image,
      '600',
    ]);
    try {
      const result = await run.child;
      expect(result.exitCode, result.all).toBe(1);
      expect(result.all).toMatch(/error: teardown: lab tear-down left things behind/);
      const { report, junit } = await reports(reportDir);
      expect(report.tests.find((t) => t.name === 'lifecycle-not-loadbalancer/ipv4')?.status).toBe('passed');
      expect(report.errors).toEqual([
        { phase: 'teardown', message: expect.stringMatching(/^lab tear-down left things behind/) },
      ]);
      expect(junit).toContain('<testcase name="teardown" classname="egress-conformance.run" time="0">');
      expect((await stat(join(reportDir, 'index.html'))).isFile()).toBe(true);
    } finally {
      await execa('docker', ['rm', '-f', blocker], { reject: false });
      await cli(['down', '--provider', 'lab', '--id', lab]);
    }
    expect(await leftBy(lab)).toEqual(NOTHING_LEFT);
  }, 300_000);
});
