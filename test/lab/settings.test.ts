/**
 * The lab's settings through the CLI, as a user meets them: `lab:` in an options file and
 * `--lab-fault`, checked before anything is created (`--dry-run` needs no Docker). Every problem
 * is one line naming `lab.<field>` and what was expected, with exit code 2 and no stack trace.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-lab-settings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function dryRun(lab: string, flags: string[] = []) {
  const file = join(dir, `options-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, `provider: lab\n${lab}\n`);
  return cli(['run', '--provider', 'lab', '--dry-run', '--options-file', file, ...flags]);
}

function expectUsageError(result: { code: number | undefined; stderr: string }, line: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('lab settings', () => {
  it.each([
    [
      'a string where the fault list goes',
      'lab: { faults: no-snat }',
      /lab\.faults .*: expected a list of fault names.*, found "no-snat"$/,
    ],
    [
      'a map where the fault list goes',
      'lab: { faults: { no-snat: true } }',
      /lab\.faults .*: expected a list/,
    ],
    [
      'an unknown key',
      'lab: { node: 3 }',
      /lab\.node \(options file\): unknown setting; lab: takes nodes, dataPlane, gatewayMode, faults$/,
    ],
    [
      'nodes that are not a number',
      'lab: { nodes: three }',
      /lab\.nodes .*: expected a whole number from 1 to 50, found "three"$/,
    ],
    [
      'nodes out of range',
      'lab: { nodes: 51 }',
      /lab\.nodes .*: expected a whole number from 1 to 50, found 51$/,
    ],
    ['a fraction of a node', 'lab: { nodes: 2.5 }', /lab\.nodes .*: expected a whole number/],
    [
      'an unknown fault',
      'lab: { faults: [no-snat, no-such-fault] }',
      /lab\.faults\[1\] .*: expected a known fault.*, found "no-such-fault"$/,
    ],
    [
      'a fault that is not a name',
      'lab: { faults: [7] }',
      /lab\.faults\[0\] .*: expected a fault name, found 7$/,
    ],
    [
      'an unknown data plane',
      'lab: { dataPlane: vpp }',
      /lab\.dataPlane .*: expected linux or ovn, found "vpp"$/,
    ],
    [
      'an unknown gateway mode',
      'lab: { dataPlane: ovn, gatewayMode: distributed }',
      /lab\.gatewayMode .*: expected shared or local, found "distributed"$/,
    ],
    [
      'a gateway mode on the Linux data plane',
      'lab: { gatewayMode: shared }',
      /lab\.gatewayMode \(options file\): a setting of the OVN data plane, not of linux; set lab\.dataPlane: ovn or remove it$/,
    ],
    [
      'two faults that set one field differently',
      'lab: { faults: [late-snat, long-leak-window] }',
      /lab\.faults .*: late-snat and long-leak-window cannot run together \(both set dataplane\.egressRulesDelayMs/,
    ],
  ])('refuses %s', async (_, lab, line) => {
    expectUsageError(await dryRun(lab), line);
  });

  it('checks --lab-fault the same way', async () => {
    expectUsageError(await dryRun('', ['--lab-fault', 'no-such-fault']), /lab\.faults\[0\] \(--lab-fault/);
  });

  it('refuses an OVN fault on the Linux data plane, and plans it on OVN', async () => {
    expectUsageError(
      await dryRun('', ['--lab-fault', 'ovn-reroute-above-no-reroute']),
      /lab\.faults \(--lab-fault or the options file\): ovn-reroute-above-no-reroute is a fault of the OVN data plane; set lab\.dataPlane: ovn in the options file$/,
    );
    const result = await dryRun('lab: { dataPlane: ovn }', [
      '--family',
      'ipv4',
      '--lab-fault',
      'ovn-reroute-above-no-reroute',
    ]);
    expect(result.code, result.stderr).toBe(0);
  });

  it.each(['ipv4', 'ipv6', 'dual'])('plans an OVN lab for --family %s', async (family) => {
    const result = await dryRun('lab: { dataPlane: ovn }', ['--family', family]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('plans an OVN lab in shared gateway mode for ipv4, and refuses it for another family', async () => {
    const result = await dryRun('lab: { dataPlane: ovn, gatewayMode: shared }', ['--family', 'ipv4']);
    expect(result.code, result.stderr).toBe(0);
    expectUsageError(
      await dryRun('lab: { dataPlane: ovn, gatewayMode: shared }', ['--family', 'dual']),
      /lab\.gatewayMode \(options file\): shared carries the ipv4 family only for now, not ipv4\+ipv6; run with --family ipv4 or use local$/,
    );
  });

  it('accepts good settings, and plans the lab they ask for', async () => {
    const result = await dryRun('lab: { nodes: 2, faults: [no-snat, label-every-node] }');
    expect(result.code, result.stderr).toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain('dry run on the lab provider');
    expect(output).toMatch(/worker\b/);
    expect(output).not.toContain('worker2'); // two nodes: control-plane and worker
  });
});
