/**
 * The kind provider and environment leases (issue #22), Docker-free: a recording runner answers
 * docker's and kind's listings, and leases are real files in a temporary lease folder. `down
 * --all` leaves an environment another run holds up and names it; `--force` removes it too;
 * `status` shows who holds each one; `up` refuses an environment another run holds.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKindProvider, kindTopologyOf } from '../../harness/env/kind/provider.js';
import { ENV_LABEL, KIND_CLUSTER_LABEL } from '../../harness/env/kind/topology.js';
import type { CommandRunner } from '../../harness/env/shared/command-runner.js';
import { leaseFile } from '../../harness/env/shared/lease.js';
import { kindOptions } from './support.js';

let dir: string;
const saved = process.env.EC_LEASE_DIR;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-kind-lease-'));
  process.env.EC_LEASE_DIR = dir;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.EC_LEASE_DIR;
  else process.env.EC_LEASE_DIR = saved;
  await rm(dir, { recursive: true, force: true });
});

/** Two environments: `ec-busy` (running) and `ec-idle` (its peer stopped). */
function fakeDocker(calls: string[][]): CommandRunner {
  return {
    run: async (argv) => {
      calls.push(argv);
      const text = argv.join(' ');
      const ok = (stdout: string) => ({ exitCode: 0, stdout, stderr: '', timedOut: false });
      if (text.includes(`label=${ENV_LABEL}`) && argv[1] === 'ps')
        return ok('ec-busy-peer\trunning\tec-busy\tpeer\nec-idle-peer\texited\tec-idle\tpeer\n');
      if (text.includes(`label=${KIND_CLUSTER_LABEL}=ec-busy`))
        return ok('ec-busy-control-plane\trunning\tec-busy\tcontrol-plane\n');
      if (text.includes(`label=${KIND_CLUSTER_LABEL}=ec-idle`))
        return ok('ec-idle-control-plane\trunning\tec-idle\tcontrol-plane\n');
      return ok('');
    },
  };
}

/** A lease held by a run on another host, renewed `ageMs` ago. */
async function leasedElsewhere(id: string, ageMs = 5_000): Promise<void> {
  const renewedAt = new Date(Date.now() - ageMs).toISOString();
  await writeFile(
    leaseFile('kind', id),
    JSON.stringify({ host: 'ci-runner-7', pid: 4242, holder: 'run 3fa2c1', since: renewedAt, renewedAt }),
  );
}

const deleted = (calls: string[][]) =>
  calls.filter((a) => a.slice(0, 3).join(' ') === 'kind delete cluster').map((a) => a[4]);

describe('kind environments in use', () => {
  it('down --all removes the idle one, keeps the one a run holds and says why; --force removes it', async () => {
    await leasedElsewhere('ec-busy');
    const calls: string[][] = [];
    const provider = createKindProvider({ runner: fakeDocker(calls) });
    const result = await provider.down({ ...kindOptions(), all: true });
    expect(result.removed).toEqual(['ec-idle']);
    expect(result.kept).toEqual([
      {
        id: 'ec-busy',
        why: expect.stringMatching(/^used by run 3fa2c1, process 4242 on ci-runner-7, renewed \d s ago$/),
      },
    ]);
    expect(deleted(calls)).toEqual(['ec-idle']);
    expect(JSON.stringify(calls)).not.toContain('ec-busy-peer');

    // --id of the busy one: kept as well.
    const byId = await provider.down({ ...kindOptions(), all: false, id: 'ec-busy' });
    expect(byId).toMatchObject({ removed: [], kept: [{ id: 'ec-busy' }] });

    const forced = await provider.down({ ...kindOptions(), all: true, force: true });
    expect(forced.kept).toEqual([]);
    expect(forced.removed).toEqual(['ec-busy', 'ec-idle']);
    expect(await readdir(dir)).not.toContain('kind-ec-busy.json');
  });

  it('down takes a lease no longer renewed for idle', async () => {
    await leasedElsewhere('ec-busy', 10 * 60_000);
    const calls: string[][] = [];
    const result = await createKindProvider({ runner: fakeDocker(calls) }).down({
      ...kindOptions(),
      all: true,
    });
    expect(result.kept).toEqual([]);
    expect(deleted(calls)).toEqual(['ec-busy', 'ec-idle']);
  });

  it('status shows who holds each environment, and for a stopped one how to remove it by id', async () => {
    await leasedElsewhere('ec-busy');
    const statuses = await createKindProvider({ runner: fakeDocker([]) }).status(kindOptions());
    expect(statuses.map((s) => [s.id, s.state, s.details[0]])).toEqual([
      [
        'ec-busy',
        'running',
        expect.stringMatching(
          /^lease: in use, used by run 3fa2c1, .*\(`down` leaves it up; --force removes it anyway\)$/,
        ),
      ],
      ['ec-idle', 'degraded (1 of 2 containers not running)', 'lease: idle (no run is using it)'],
    ]);
    const idle = statuses.find((s) => s.id === 'ec-idle');
    expect(idle?.details.at(-1)).toBe('remove it with: down --provider kind --id ec-idle');
    expect(JSON.stringify(statuses)).not.toContain('--all');
  });

  it('up refuses the environment of its settings while another run holds it, before creating anything', async () => {
    const id = kindTopologyOf(kindOptions()).topology.id;
    await leasedElsewhere(id);
    const calls: string[][] = [];
    await expect(createKindProvider({ runner: fakeDocker(calls) }).up(kindOptions())).rejects.toThrow(
      new RegExp(`^kind environment ${id} is in use \\(used by run 3fa2c1, process 4242 on ci-runner-7`),
    );
    expect(calls.every((a) => a[0] === 'docker' && ['ps', 'network'].includes(a[1] as string))).toBe(true);
  });
});
