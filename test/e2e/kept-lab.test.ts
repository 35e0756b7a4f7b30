/**
 * A kept lab is reused only when it is whole. One whose containers are gone (an engine restart,
 * a machine image taken with the lab's networks in it, a container removed by hand) is named and
 * left alone, and the run brings up a lab of its own instead of failing on the first command.
 */
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { labLeftovers, NOTHING_LEFT } from '../support/leftovers.js';

async function leftBy(lab: string) {
  const all = await labLeftovers();
  const mine = (names: string[]) => names.filter((n) => n.includes(lab));
  return { containers: mine(all.containers), networks: mine(all.networks), tempDirs: mine(all.tempDirs) };
}

describe('a kept lab with a container gone', () => {
  let kept: string | undefined;
  afterAll(async () => {
    if (kept) await cli(['down', '--provider', 'lab', '--id', kept], { timeout: 120_000 });
  });

  it('is not reused: the run names it, makes its own lab, passes and removes only its own', async () => {
    const up = await cli(['up', '--provider', 'lab', '--family', 'ipv4'], { timeout: 300_000 });
    expect(up.code, up.stderr).toBe(0);
    kept = /(eclab-[0-9a-f]+)/.exec(up.stdout)?.[1] as string;
    expect(kept).toBeDefined();
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
    const own = /lab (eclab-[0-9a-f]+): up in/.exec(output)?.[1];
    expect(own).toBeDefined();
    expect(own).not.toBe(kept);
    expect(await leftBy(own as string)).toEqual(NOTHING_LEFT);
    // The broken kept lab is still the user's: still there until `down` names it.
    expect((await leftBy(kept)).networks.length).toBeGreaterThan(0);
    const down = await cli(['down', '--provider', 'lab', '--id', kept], { timeout: 120_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(await leftBy(kept)).toEqual(NOTHING_LEFT);
    kept = undefined;
  }, 600_000);
});
