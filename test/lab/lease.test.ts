/**
 * `down` and `status` of the lab provider against leases (issue #22: `down --all` removed labs
 * other runs on the same engine were using), on the real engine: a lab is stood for by one
 * labelled network of this test's own id (the lab provider finds labs by that label), held by
 * this test process's lease. Only `--id` is exercised here: `down --all` on a shared engine would
 * reach other checkouts' labs (its idle/in-use choice is tested on the kind provider, Docker-free).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_LABEL } from '../../harness/env/lab/infra/labels.js';
import { acquireLease, leaseFile } from '../../harness/env/shared/lease.js';
import { cli } from '../support/cli.js';

const labId = `eclab-t22${randomBytes(2).toString('hex')}`;
const network = `${labId}-default`;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-lab-lease-'));
  env = { EC_LEASE_DIR: dir };
  await execa('docker', ['network', 'create', '--label', `${LAB_LABEL}=${labId}`, network]);
});
afterAll(async () => {
  await execa('docker', ['network', 'rm', network], { reject: false });
  await rm(dir, { recursive: true, force: true });
});

const networkExists = async () =>
  (await execa('docker', ['network', 'inspect', network], { reject: false })).exitCode === 0;

describe('lab environments in use', () => {
  it('down --id leaves a lab a live process holds, says who and how to force it; --force removes it', async () => {
    const lease = await acquireLease(leaseFile('lab', labId, env), { holder: 'run t22', renewMs: 0 });
    expect('held' in lease).toBe(true);

    const status = await cli(['status', '--provider', 'lab'], { env });
    expect(status.code, status.stderr).toBe(0);
    const block = status.stdout.slice(status.stdout.indexOf(`${labId}:`));
    expect(block).toMatch(new RegExp(`^${labId}: broken`));
    expect(block).toMatch(/\n {2}lease: in use, used by run t22, process \d+ on \S+, renewed \d+ s ago/);
    expect(block.split(/\n(?=\S)/)[0]).not.toContain('--all');

    const refused = await cli(['down', '--provider', 'lab', '--id', labId], { env });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toMatch(
      new RegExp(
        `kept ${labId}: used by run t22, process ${process.pid} on .*; \`down --provider lab --id ${labId} --force\` removes it anyway`,
      ),
    );
    expect(await networkExists()).toBe(true);

    const forced = await cli(['down', '--provider', 'lab', '--id', labId, '--force'], { env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`removed: ${network}`);
    expect(await networkExists()).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it("honours an older checkout's pid file (in-use.pid in the lab's temp dir) held by a live process", async () => {
    await execa('docker', ['network', 'create', '--label', `${LAB_LABEL}=${labId}`, network]);
    const legacy = join(tmpdir(), `egress-conformance-${labId}`);
    await mkdir(legacy, { recursive: true });
    await writeFile(join(legacy, 'in-use.pid'), String(process.pid));
    const refused = await cli(['down', '--provider', 'lab', '--id', labId], { env });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toContain(
      `kept ${labId}: used by process ${process.pid} on ${hostname()} (an older egress-conformance)`,
    );
    expect(await networkExists()).toBe(true);
    const forced = await cli(['down', '--provider', 'lab', '--id', labId, '--force'], { env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(await networkExists()).toBe(false);
  });
});
