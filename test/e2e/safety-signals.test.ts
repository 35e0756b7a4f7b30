/**
 * Ctrl-C at every phase, on the real lab: during bring-up, during a test and during teardown of a
 * run, during `up`, `down` and `status`. Each exits 130 with nothing of its lab left on the engine
 * (containers, networks, temp dirs), and a run still writes its reports. Also: a canary secret in
 * every field of the options file reaches no output or report of a failing lab run.
 * Only this test's own labs are counted: other runs share the engine.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY, filesWithCanary, plantCanary } from '../support/canary.js';
import { cli, startCli } from '../support/cli.js';
import { labMadeByUp, leftBy, NOTHING_LEFT as NOTHING } from '../support/leftovers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-signals-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A lab's own progress lines read `lab eclab-…: networks …` (a kept lab passed over is named without the colon).
const labOf = (output: string) => /lab (eclab-[0-9a-f]+):/.exec(output)?.[1] as string;

async function interruptedReport(reportDir: string) {
  const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as {
    interrupted: boolean;
  };
  expect(results.interrupted).toBe(true);
  expect((await stat(join(reportDir, 'junit.xml'))).isFile()).toBe(true);
  expect((await stat(join(reportDir, 'index.html'))).isFile()).toBe(true);
}

const RUN = [
  'run',
  '--provider',
  'lab',
  '--run-test',
  'snat-loadbalancer-ip',
  '--family',
  'ipv4',
  '--reporter',
  'line',
];

describe('Ctrl-C at every phase exits 130 and leaves nothing behind', () => {
  it('run, during bring-up: reports written, the half-made lab removed', async () => {
    const report = join(dir, 'bring-up');
    const run = startCli([...RUN, '--report-dir', report]);
    const output = await run.when(/lab eclab-[0-9a-f]+: networks/);
    run.child.kill('SIGINT');
    const result = await run.child;
    expect(result.exitCode, run.output()).toBe(130);
    expect(run.output()).not.toMatch(/environment eclab-\S+: egress-conformance reference lab/);
    await interruptedReport(report);
    expect(await leftBy(labOf(output))).toEqual(NOTHING);
  }, 300_000);

  it('run, during a test (see also report-always.test.ts): reports written, the test cleaned up', async () => {
    const report = join(dir, 'test');
    const run = startCli([...RUN, '--report-dir', report, '--verbose']);
    const output = await run.when(/environment eclab-[0-9a-f]+: /);
    run.child.kill('SIGINT');
    const result = await run.child;
    expect(result.exitCode, run.output()).toBe(130);
    await interruptedReport(report);
    expect(await leftBy(labOf(output))).toEqual(NOTHING);
  }, 300_000);

  it('run, during teardown: the teardown finishes, reports written', async () => {
    const report = join(dir, 'teardown');
    const run = startCli([...RUN, '--report-dir', report]);
    // The line reporter's progress line once the only test ended: teardown starts at once.
    const output = await run.when(/\[1\/1\]/);
    run.child.kill('SIGINT');
    const result = await run.child;
    expect(result.exitCode, run.output()).toBe(130);
    expect(run.output()).toMatch(/teardown done/);
    expect((await stat(join(report, 'junit.xml'))).isFile()).toBe(true);
    expect(await leftBy(labOf(output))).toEqual(NOTHING);
  }, 300_000);

  it('up, during bring-up: the half-made lab removed', async () => {
    const up = startCli(['up', '--provider', 'lab', '--family', 'ipv4']);
    const output = await up.when(/lab eclab-[0-9a-f]+: networks/);
    up.child.kill('SIGINT');
    const result = await up.child;
    expect(result.exitCode, up.output()).toBe(130);
    expect(up.output()).not.toMatch(/^up: lab environment/m);
    expect(await leftBy(labOf(output))).toEqual(NOTHING);
  }, 300_000);

  it('down, while removing: the removal finishes', async () => {
    // A lab of this test's own, kept up and named by id (never another run's kept lab).
    const up = await cli(['up', '--provider', 'lab', '--family', 'ipv4'], { timeout: 300_000 });
    expect(up.code, up.stderr).toBe(0);
    const lab = labMadeByUp(up.stdout);
    expect((await leftBy(lab)).containers.length).toBeGreaterThan(0);
    const down = startCli(['down', '--provider', 'lab', '--id', lab, '--debug']);
    // Once its handlers are in (on a loaded machine node's start-up alone can take a second),
    // while docker removes the lab.
    await down.when(/SIGINT and SIGTERM handled from now/);
    down.child.kill('SIGINT');
    const result = await down.child;
    if (result.exitCode === 0) {
      // It had finished already: nothing to interrupt (the machine was quick); still nothing left.
      expect(down.output()).toContain(`${lab}-peer`);
    } else {
      expect(result.exitCode, down.output()).toBe(130);
      expect(down.output()).toContain('SIGINT: finishing the removal');
    }
    expect(await leftBy(lab)).toEqual(NOTHING);
  }, 300_000);

  it('status: exits 130', async () => {
    const status = startCli(['status', '--provider', 'lab', '--debug']);
    await status.when(/SIGINT and SIGTERM handled from now/);
    status.child.kill('SIGINT');
    const result = await status.child;
    // Either the signal came while it read the engine (130), or after it was done (0); never a
    // death by the signal with no exit code of its own.
    expect([0, 130], status.output()).toContain(result.exitCode);
    expect(result.signal).toBeUndefined();
  }, 60_000);
});

describe('a canary secret on a failing lab run', () => {
  it('reaches no output and no report', async () => {
    const planted = await plantCanary(dir);
    const report = join(dir, 'canary-report');
    const result = await cli(
      [...RUN, '--lab-fault', 'no-snat', '--options-file', planted.options, '--report-dir', report],
      { env: { HOME: planted.home }, timeout: 300_000 },
    );
    expect(result.code, result.stderr).toBe(1);
    expect(`${result.stdout}\n${result.stderr}`).not.toContain(CANARY);
    expect(await filesWithCanary(report)).toEqual([]);
    expect(await filesWithCanary(planted.home)).toEqual([]);
    const temp = await execa(
      'grep',
      ['-rl', CANARY, tmpdir(), '--exclude-dir', dir.split('/').pop() as string],
      { reject: false },
    );
    expect(temp.stdout.split('\n').filter((line) => line && !line.startsWith(dir))).toEqual([]);
  }, 300_000);
});
