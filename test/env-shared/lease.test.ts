/**
 * Environment leases (issue #22: `down --all` removed labs other runs on the same engine were
 * using). Real files in a temporary lease folder; owners other than this process are given by
 * host and pid, with their liveness answered by the test.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireLease,
  judgeLease,
  LEASE_CLOCK_SKEW_MS,
  LEASE_STALE_MS,
  leaseFile,
  leaseLine,
  leaseStateOf,
  parseLease,
} from '../../harness/env/shared/lease.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-lease-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const fileOf = () => join(dir, `lease-${++n}`, 'lab-eclab-test.json');
const A = { host: 'runner-a', pid: 4242 };
const B = { host: 'runner-a', pid: 4343 };
const OTHER_HOST = { host: 'runner-b', pid: 4242 };
const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

describe('judging a lease', () => {
  const lease = (renewedAt: number, owner = A) =>
    JSON.stringify({
      ...owner,
      holder: 'run 3fa2c1',
      since: new Date(0).toISOString(),
      renewedAt: new Date(renewedAt).toISOString(),
    });
  const now = 10 * LEASE_STALE_MS;
  const here = { now, host: 'runner-a', alive: alive([4242]) };

  it('is idle without a file, in use while its process lives and renews', () => {
    expect(judgeLease(undefined, here)).toEqual({ state: 'idle' });
    const held = judgeLease(lease(now - 5_000), here);
    expect(held.state).toBe('in-use');
    expect(held.state === 'in-use' && held.why).toBe(
      'used by run 3fa2c1, process 4242 on runner-a, renewed 5 s ago',
    );
  });

  it('is stale when its process on this host is gone, however fresh', () => {
    const state = judgeLease(lease(now - 1_000), { ...here, alive: alive([]) });
    expect(state).toMatchObject({ state: 'stale', why: 'process 4242 on runner-a is gone' });
  });

  it('from another host (its process cannot be seen), is stale only when not renewed in time', () => {
    const there = { ...here, alive: alive([]) };
    expect(judgeLease(lease(now - 60_000, OTHER_HOST), there).state).toBe('in-use');
    expect(judgeLease(lease(now - LEASE_STALE_MS - 1_000, OTHER_HOST), there)).toMatchObject({
      state: 'stale',
      why: `not renewed for ${LEASE_STALE_MS / 1000 + 1} s`,
    });
  });

  it('is stale when renewed further in the future than clocks differ (hostile round 4: year 9999)', () => {
    const there = { ...here, alive: alive([]) };
    // A little ahead (another host's clock): believed.
    expect(judgeLease(lease(now + LEASE_CLOCK_SKEW_MS - 1_000, OTHER_HOST), there).state).toBe('in-use');
    expect(judgeLease(lease(now + LEASE_CLOCK_SKEW_MS + 1_000, OTHER_HOST), there)).toMatchObject({
      state: 'stale',
      why: `renewed ${LEASE_CLOCK_SKEW_MS / 1000 + 1} s in the future (past the clock skew allowed)`,
    });
    const far = lease(now, OTHER_HOST).replace(
      /"renewedAt":"[^"]+"/,
      '"renewedAt":"9999-01-01T00:00:00.000Z"',
    );
    expect(judgeLease(far, there).state).toBe('stale');
  });

  it('counts a file that is no lease as in use (not ours to call idle; --force is the way past it)', () => {
    for (const text of ['', '{', 'null', '{"host":"a","pid":-1}', 'x'.repeat(10_000)]) {
      expect(parseLease(text)).toBeUndefined();
      expect(judgeLease(text, here)).toEqual({
        state: 'in-use',
        why: 'its lease file cannot be read as a lease',
      });
    }
  });

  it('says in status who holds it and that down leaves it', () => {
    expect(leaseLine({ state: 'idle' })).toBe('lease: idle (no run is using it)');
    expect(leaseLine({ state: 'in-use', why: 'used by up 1' })).toBe(
      'lease: in use, used by up 1 (`down` leaves it up; --force removes it anyway)',
    );
  });
});

describe('taking, renewing and giving back a lease', () => {
  it('writes host, pid, holder and renewal time, and refuses a second live process', async () => {
    const file = fileOf();
    const first = await acquireLease(file, {
      holder: 'run aaa',
      owner: A,
      alive: alive([4242, 4343]),
      renewMs: 0,
    });
    expect('held' in first).toBe(true);
    const lease = JSON.parse(await readFile(file, 'utf8'));
    expect(lease).toMatchObject({ host: 'runner-a', pid: 4242, holder: 'run aaa' });
    expect(Date.now() - Date.parse(lease.renewedAt)).toBeLessThan(5_000);

    const second = await acquireLease(file, {
      holder: 'run bbb',
      owner: B,
      alive: alive([4242, 4343]),
      renewMs: 0,
    });
    expect('refused' in second && second.refused.why).toMatch(/^used by run aaa, process 4242 on runner-a/);
    // The holder's own second take renews it instead.
    const again = await acquireLease(file, { holder: 'run aaa', owner: A, alive: alive([4242]), renewMs: 0 });
    expect('held' in again).toBe(true);
  });

  it('takes over a lease whose process is gone, or that another host stopped renewing', async () => {
    const file = fileOf();
    await acquireLease(file, { holder: 'run dead', owner: A, renewMs: 0 });
    const taken = await acquireLease(file, { holder: 'run new', owner: B, alive: alive([4343]), renewMs: 0 });
    expect('held' in taken).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: 4343, holder: 'run new' });

    const remote = fileOf();
    const past = Date.now() - LEASE_STALE_MS - 60_000;
    await acquireLease(remote, { holder: 'run far', owner: OTHER_HOST, now: () => past, renewMs: 0 });
    const fresh = await acquireLease(remote, { holder: 'run near', owner: B, alive: alive([]), renewMs: 0 });
    expect('held' in fresh).toBe(true);
  });

  it('renews only while held, and a release removes only its own lease', async () => {
    const file = fileOf();
    let clock = Date.now() - 100_000;
    const result = await acquireLease(file, { holder: 'run r', owner: A, now: () => clock, renewMs: 0 });
    if (!('held' in result)) throw new Error('not held');
    clock += 50_000;
    await result.held.renew();
    expect(Date.parse(JSON.parse(await readFile(file, 'utf8')).renewedAt)).toBe(clock);

    // Someone took it over (ours went stale): our renewal and release leave theirs alone.
    await writeFile(
      file,
      JSON.stringify({
        ...B,
        holder: 'run other',
        since: new Date().toISOString(),
        renewedAt: new Date().toISOString(),
      }),
    );
    await result.held.renew();
    await result.held.release();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: 4343 });

    // An environment removed with its lease: a renewal does not bring the lease back.
    const gone = fileOf();
    const held = await acquireLease(gone, { holder: 'run g', owner: A, renewMs: 0 });
    if (!('held' in held)) throw new Error('not held');
    await rm(gone);
    await held.held.renew();
    await expect(stat(gone)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('renews on its own timer while held, and stops when released', async () => {
    const file = fileOf();
    const result = await acquireLease(file, { holder: 'run t', renewMs: 30 });
    if (!('held' in result)) throw new Error('not held');
    const first = JSON.parse(await readFile(file, 'utf8')).renewedAt;
    await new Promise((r) => setTimeout(r, 200));
    expect(JSON.parse(await readFile(file, 'utf8')).renewedAt).not.toBe(first);
    await result.held.release();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is not put back by a renewal under way when it is released', async () => {
    // A renewal every millisecond: a release lands in the middle of one again and again.
    for (let round = 0; round < 30; round++) {
      const file = fileOf();
      const result = await acquireLease(file, { holder: 'run busy', renewMs: 1 });
      if (!('held' in result)) throw new Error('not held');
      await new Promise((r) => setTimeout(r, 3 + (round % 5)));
      await result.held.release();
      await new Promise((r) => setTimeout(r, 5));
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('gives a free environment to exactly one of many processes taking it at once', async () => {
    const file = fileOf();
    const owners = Array.from({ length: 12 }, (_, i) => ({ host: 'runner-a', pid: 5000 + i }));
    const everyoneAlive = alive(owners.map((o) => o.pid));
    const results = await Promise.all(
      owners.map((owner) =>
        acquireLease(file, { holder: `run ${owner.pid}`, owner, alive: everyoneAlive, renewMs: 0 }),
      ),
    );
    expect(results.filter((r) => 'held' in r)).toHaveLength(1);
  });

  it('keeps every environment in one per-host folder, by provider and checked id', () => {
    expect(leaseFile('kind', 'ec-kind-ab12', { EC_LEASE_DIR: '/x' })).toBe('/x/kind-ec-kind-ab12.json');
    expect(leaseFile('lab', 'eclab-1', {})).toBe('/tmp/egress-conformance-leases/lab-eclab-1.json');
    expect(() => leaseFile('lab', '../../etc/passwd', {})).toThrow(/not an environment id/);
  });
});

describe('planted lease files (hostile round 3: a FIFO hung status forever, deaf to SIGTERM)', () => {
  const valid = JSON.stringify({
    ...A,
    holder: 'run 3fa2c1',
    since: new Date().toISOString(),
    renewedAt: new Date().toISOString(),
  });
  const plant: Array<[string, (file: string) => Promise<void>, RegExp]> = [
    ['a FIFO', async (file) => void execFileSync('mkfifo', [file]), /FIFO/],
    ['a link to /dev/zero', (file) => symlink('/dev/zero', file), /symbolic link/],
    ['a directory', (file) => mkdir(file), /directory/],
    ['a file of 200 KB', (file) => writeFile(file, 'x'.repeat(200_000)), /over the limit/],
    [
      'a lease others can write',
      async (file) => {
        await writeFile(file, valid);
        await chmod(file, 0o666);
      },
      /writable by others \(mode 666\)/,
    ],
  ];
  it.each(plant)(
    'counts %s as in use, says why, and never blocks (status and acquire)',
    async (_what, make, why) => {
      const file = fileOf();
      await mkdir(join(file, '..'), { recursive: true });
      await make(file);
      const state = await leaseStateOf(file);
      expect(state.state).toBe('in-use');
      expect(leaseLine(state)).toMatch(/^lease: in use, its lease file was not read \(/);
      expect(leaseLine(state)).toMatch(why);
      const taken = await acquireLease(file, { holder: 'run x', owner: B, alive: alive([]), renewMs: 0 });
      expect('refused' in taken && taken.refused.why).toMatch(why);
    },
    10_000,
  );

  // Needs root to give a file to another user; the CI and lab machines run these as root.
  it.runIf(process.getuid?.() === 0)(
    "counts another user's lease as in use by another user, without reading it (hostile round 4)",
    async () => {
      const file = fileOf();
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, valid.replace('run 3fa2c1', 'run \\u001b[2J::error::x'));
      await chown(file, 65534, 65534);
      const state = await leaseStateOf(file);
      expect(state.state).toBe('in-use');
      expect(leaseLine(state)).toMatch(
        /belongs to another user \(uid 65534\), so it is in use by another user/,
      );
      expect(leaseLine(state)).not.toContain('run ');
      const taken = await acquireLease(file, { holder: 'run x', owner: B, alive: alive([]), renewMs: 0 });
      expect('refused' in taken && taken.refused.why).toMatch(/another user/);
    },
  );
});
