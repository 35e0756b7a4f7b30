/**
 * Leave nothing behind: after a failing run and, after a run killed outright, once
 * `down --provider lab --id LAB` has run. (After Ctrl-C in the middle of a scenario: in
 * report-always.test.ts, whose run of that case also checks its reports.) Labs that were on the
 * engine before or meanwhile (a kept lab, a sharpness run) are neither counted nor touched.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli } from '../support/cli.js';
import { labUpIn, leftBy, NOTHING_LEFT } from '../support/leftovers.js';

let dir: string;
let suites: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-cleanup-'));
  suites = join(dir, 'suites');
  await mkdir(suites);
  // The shipped scenario with the wrong expectation: endpoints must egress with the node IP.
  // The conformant lab SNATs them to the LoadBalancer IP, so this scenario fails on evidence.
  const spec = await readFile(resolve('suites/core/snat-loadbalancer-ip.yaml'), 'utf8');
  await writeFile(
    join(suites, 'wrong-expectation.yaml'),
    spec
      .replace('id: snat-loadbalancer-ip', 'id: wrong-expectation')
      .replace(
        /expect: \{ source: loadBalancerIP, service: web, completes: true, fromEveryNode: true \}\n {6}until: \{ timeout: convergence \}/,
        'expect: { source: nodeIP }',
      ),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts a run and resolves when its output shows `pattern`; the process keeps running. */
function startRun(args: string[], pattern: RegExp) {
  const child = execa('node', [CLI, 'run', ...args], { reject: false, all: true });
  let output = '';
  const reached = new Promise<string>((resolvePromise, reject) => {
    child.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) resolvePromise(output);
    });
    child.then(() => reject(new Error(`the run ended before ${pattern}:\n${output}`)));
  });
  return { child, reached, output: () => output };
}

describe('cleanup', () => {
  it('after a failing run: exit 1, the failure names the statement and the evidence, nothing left', async () => {
    const report = join(dir, 'failing');
    const result = await cli(
      ['run', '--provider', 'lab', '--suites', suites, '--family', 'ipv4', '--report-dir', report],
      { timeout: 300_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /- wrong-expectation \[IPv4\]: ES-SNAT-1, ES-SNAT-2: endpoints-tcp\/ipv4: expected every packet to peer 198\.51\.100\.10:8080 from one of the node IPs [\d. or]+; \d+ packets from 203\.0\.113\.\d+: \d+, 0 with one of the node IPs .*\n {2}at step 5 \(probe, .*wrong-expectation\.yaml:\d+\)\n {2}\d+\/\d+ packets to 198\.51\.100\.10:8080\/tcp had source 203\.0\.113\.\d+, expected one of the node IPs \d+\.\d+\.\d+\.\d+ or /,
    );
    expect((await stat(join(report, 'diagnostics'))).isDirectory()).toBe(true);
    expect(await leftBy(labUpIn(result.stdout))).toEqual(NOTHING_LEFT);
  }, 300_000);

  it('after a run killed outright: down --provider lab --id removes what it left', async () => {
    const run = startRun(
      [
        '--provider',
        'lab',
        '--run-test',
        'lifecycle-delete',
        '--family',
        'ipv4',
        '--report-dir',
        join(dir, 'killed'),
        '--verbose',
      ],
      /✓ 1\. apply/,
    );
    const output = await run.reached;
    run.child.kill('SIGKILL');
    await run.child;
    const lab = labUpIn(output);
    expect((await leftBy(lab)).containers.length).toBeGreaterThan(0);
    const down = await cli(['down', '--provider', 'lab', '--id', lab]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`${lab}-peer`);
    expect(await leftBy(lab)).toEqual(NOTHING_LEFT);
    const again = await execa('node', [CLI, 'down', '--provider', 'lab', '--id', lab]);
    expect(again.stdout).toBe('nothing to remove');
  }, 300_000);
});
