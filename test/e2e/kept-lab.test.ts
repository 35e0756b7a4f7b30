/**
 * A kept lab is reused only when it is whole, free, and of this process's kept-lab pool. One whose
 * containers are gone (an engine restart, a machine image taken with the lab's networks in it, a
 * container removed by hand) is named and left alone, and the run brings up a lab of its own
 * instead of failing on the first command.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { labTempDir } from '../../harness/env/lab/infra/destroy.js';
import { cli } from '../support/cli.js';
import { labMadeByUp, labUpIn, leftBy, NOTHING_LEFT } from '../support/leftovers.js';

describe('a kept lab with a container gone', () => {
  let kept: string | undefined;
  afterAll(async () => {
    if (kept) await cli(['down', '--provider', 'lab', '--id', kept], { timeout: 120_000 });
  });

  it('is not reused: the run names it, makes its own lab, passes and removes only its own', async () => {
    const up = await cli(['up', '--provider', 'lab', '--family', 'ipv4'], { timeout: 300_000 });
    expect(up.code, up.stderr).toBe(0);
    kept = labMadeByUp(up.stdout);
    await execa('docker', ['rm', '-f', `${kept}-control-plane`]);

    const run = await cli(
      [
        'run',
        '--provider',
        'lab',
        '--family',
        'ipv4',
        '--run-test',
        'lifecycle-not-loadbalancer',
        '--verbose',
      ],
      { timeout: 300_000 },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).toBe(0);
    expect(output).toContain(`not reusing kept lab ${kept} (${kept}-control-plane not running)`);
    const own = labUpIn(output);
    expect(own).not.toBe(kept);
    expect(await leftBy(own)).toEqual(NOTHING_LEFT);
    // The broken kept lab is still the user's: still there until `down` names it.
    expect((await leftBy(kept)).networks.length).toBeGreaterThan(0);
    const down = await cli(['down', '--provider', 'lab', '--id', kept], { timeout: 120_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(await leftBy(kept)).toEqual(NOTHING_LEFT);
    kept = undefined;
  }, 600_000);
});

describe('a kept lab another run is using', () => {
  let kept: string | undefined;
  let theirs: string | undefined;
  let holder: ReturnType<typeof execa> | undefined;
  afterAll(async () => {
    holder?.kill();
    for (const id of [kept, theirs]) {
      if (id) await cli(['down', '--provider', 'lab', '--id', id], { timeout: 120_000 });
    }
  });

  it('up says what it chose and what to run next; a run that cannot take the lab says why it makes its own', async () => {
    // No --provider: `up` chooses as `run` does (auto), which is the lab on this host.
    const up = await cli(['up', '--family', 'ipv4'], { timeout: 300_000 });
    expect(up.code, up.stderr).toBe(0);
    kept = labMadeByUp(up.stdout);
    expect(up.stdout).toMatch(/^provider auto: .*using the embedded reference lab\.$/m);
    expect(up.stdout).toContain('next: egress-conformance run --provider lab --family ipv4\n');
    // Removal by its id: `down --provider lab` alone would remove every idle kept lab.
    expect(up.stdout).toContain(`\`egress-conformance down --provider lab --id ${kept}\` removes it`);

    // Another live process holds the lab's lease, as a shard running beside this one would.
    holder = execa('sleep', ['600'], { reject: false });
    await writeFile(join(labTempDir(kept), 'in-use.pid'), String(holder.pid));
    const run = await cli(
      ['run', '--provider', 'lab', '--family', 'ipv4', '--run-test', 'lifecycle-not-loadbalancer'],
      { timeout: 300_000 },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).toBe(0);
    expect(output).toContain(`not reusing kept lab ${kept} (another run is using it)`);
    const own = labUpIn(output);
    expect(own).not.toBe(kept);
    expect(await leftBy(own)).toEqual(NOTHING_LEFT);
    holder.kill();
    holder = undefined;
  }, 600_000);

  it('is neither reused nor removed by a process of another kept-lab pool, even once free', async () => {
    expect(kept, 'the test above kept a lab').toBeDefined();
    // This file's pool (test/setup/docker-turn.ts) plus a suffix: a pool no one else uses.
    const other = { EC_LAB_KEPT_POOL: `${process.env.EC_LAB_KEPT_POOL ?? 'vt'}-other` };
    const up = await cli(['up', '--provider', 'lab', '--family', 'ipv4'], { env: other, timeout: 300_000 });
    expect(up.code, up.stderr).toBe(0);
    theirs = labMadeByUp(up.stdout);
    expect(theirs).not.toBe(kept);
    // Not even named as passed over: another pool's kept lab is not for this run.
    expect(up.stdout).not.toContain(kept);
    const status = await cli(['status', '--provider', 'lab'], { env: other });
    expect(status.stdout).toContain(`up (kept for reuse in pool ${other.EC_LAB_KEPT_POOL})`);
    const down = await cli(['down', '--provider', 'lab'], { env: other, timeout: 120_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(await leftBy(theirs)).toEqual(NOTHING_LEFT);
    theirs = undefined;
    expect((await leftBy(kept as string)).networks.length).toBeGreaterThan(0);
  }, 600_000);
});
