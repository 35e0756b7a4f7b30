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
import { CLI, cli } from '../support/cli.js';
import { labLeftovers } from '../support/leftovers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-signals-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What one lab left on the engine and in the temp folder. */
async function leftBy(lab: string) {
  const all = await labLeftovers();
  const mine = (names: string[]) => names.filter((n) => n.includes(lab));
  return { containers: mine(all.containers), networks: mine(all.networks), tempDirs: mine(all.tempDirs) };
}
const NOTHING = { containers: [], networks: [], tempDirs: [] };

/** Starts a command; `when(pattern)` resolves with the output once it shows the pattern. */
function start(args: string[]) {
  const child = execa('node', [CLI, ...args], { reject: false, all: true });
  let output = '';
  const waiters: Array<{ pattern: RegExp; resolve: (text: string) => void }> = [];
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(output)) w.resolve(output);
      else waiters.push(w);
    }
  });
  const when = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      waiters.push({ pattern, resolve });
      child.then(() => reject(new Error(`ended before ${pattern}:\n${output}`)));
    });
  return { child, when, output: () => output };
}

const labOf = (output: string) => /lab (eclab-[0-9a-f]+)/.exec(output)?.[1] as string;

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
    const run = start([...RUN, '--report-dir', report]);
    const output = await run.when(/lab eclab-[0-9a-f]+: networks/);
    run.child.kill('SIGINT');
    const result = await run.child;
    expect(result.exitCode, run.output()).toBe(130);
    expect(run.output()).not.toMatch(/environment eclab-\S+: egress-conformance reference lab/);
    await interruptedReport(report);
    expect(await leftBy(labOf(output))).toEqual(NOTHING);
  }, 300_000);

  it('run, during a test (see also cleanup.test.ts): reports written, the test cleaned up', async () => {
    const report = join(dir, 'test');
    const run = start([...RUN, '--report-dir', report, '--verbose']);
    const output = await run.when(/environment eclab-[0-9a-f]+: /);
    run.child.kill('SIGINT');
    const result = await run.child;
    expect(result.exitCode, run.output()).toBe(130);
    await interruptedReport(report);
    expect(await leftBy(labOf(output))).toEqual(NOTHING);
  }, 300_000);

  it('run, during teardown: the teardown finishes, reports written', async () => {
    const report = join(dir, 'teardown');
    const run = start([...RUN, '--report-dir', report]);
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
    const up = start(['up', '--provider', 'lab', '--family', 'ipv4']);
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
    const lab = /(eclab-[0-9a-f]+)/.exec(up.stdout)?.[1] as string;
    expect((await leftBy(lab)).containers.length).toBeGreaterThan(0);
    const down = start(['down', '--provider', 'lab', '--id', lab]);
    // Once the command is past start-up (its handlers are in), while docker removes the lab.
    await new Promise((resolve) => setTimeout(resolve, 900));
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
    const status = start(['status', '--provider', 'lab']);
    await new Promise((resolve) => setTimeout(resolve, 700));
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
