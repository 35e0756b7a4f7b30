/**
 * Who is using an environment: a lease file holding the host and process of the run (or `up`)
 * that uses it, renewed while that process holds it. `down` and `status` read it, so that one
 * user's `down --all` on a shared engine does not remove an environment another run is using
 * (issue #22), and a second run does not drive an environment the first is driving.
 *
 * A lease stops counting (it is stale) when its process is gone, which can be seen only on the
 * host that wrote it, or when it has not been renewed for LEASE_STALE_MS, which covers a process
 * on another host, a killed process whose pid was reused, and a host that went away. The file is
 * created exclusively, so two processes cannot both take a free environment, and rewritten by
 * rename, so that a reader never sees half a lease.
 */

import { chmod, lstat, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { escapeUntrusted } from '../../common/escape.js';
import { describeFileError, InputFileError, openInputFile } from '../../common/input-file.js';
import { parseJsonObject } from '../../common/json-object.js';

/** How often a holder rewrites its lease. */
export const LEASE_RENEW_MS = 20_000;
/** A lease not renewed for this long is stale: several renewals missed, not one slow one. */
export const LEASE_STALE_MS = 120_000;
/** A lease file is a few hundred bytes; anything bigger is not one of ours. */
const LEASE_MAX_BYTES = 4096;
/**
 * Clocks of hosts sharing a lease folder may differ a little; a lease renewed further ahead of now
 * than this is not believed (stale): one "renewed" in year 9999 would otherwise never go stale.
 */
export const LEASE_CLOCK_SKEW_MS = 120_000;

export interface Lease {
  host: string;
  pid: number;
  /** What holds it: `run <id>`, `up`. */
  holder: string;
  /** ISO times. */
  since: string;
  renewedAt: string;
}

/** What a lease file says about its environment, for `down` and `status`. */
export type LeaseState =
  | { state: 'idle' }
  | { state: 'in-use'; lease?: Lease; why: string }
  | { state: 'stale'; lease: Lease; why: string };

/** This process as a lease names it. */
export interface LeaseOwner {
  host: string;
  pid: number;
}

export function thisProcess(): LeaseOwner {
  return { host: hostname(), pid: process.pid };
}

/** Whether a process of this host is alive (EPERM: alive, another user's). */
export function localProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lease in a file's text, or undefined when it is not one (damaged, foreign, too big). */
export function parseLease(text: string): Lease | undefined {
  if (text.length > LEASE_MAX_BYTES) return undefined;
  const v = parseJsonObject(text);
  if (!v) return undefined;
  const text64 = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= 256;
  const time = (x: unknown) => typeof x === 'string' && !Number.isNaN(Date.parse(x));
  if (!text64(v.host) || !text64(v.holder) || !time(v.since) || !time(v.renewedAt)) return undefined;
  if (!Number.isInteger(v.pid) || (v.pid as number) < 1) return undefined;
  return {
    host: v.host as string,
    pid: v.pid as number,
    holder: v.holder as string,
    since: v.since as string,
    renewedAt: v.renewedAt as string,
  };
}

export interface JudgeContext {
  now: number;
  /** This host's name: a lease written here can be checked for its process. */
  host: string;
  alive: (pid: number) => boolean;
}

/**
 * Whether a lease still holds its environment. A file that is no lease (damaged, written by
 * something else) holds it too: it is not ours to call idle, and `--force` is the way past it.
 */
export function judgeLease(text: string | undefined, context: JudgeContext): LeaseState {
  if (text === undefined) return { state: 'idle' };
  const lease = parseLease(text);
  if (!lease) return { state: 'in-use', why: 'its lease file cannot be read as a lease' };
  const age = context.now - Date.parse(lease.renewedAt);
  if (lease.host === context.host && !context.alive(lease.pid)) {
    return { state: 'stale', lease, why: `process ${lease.pid} on ${escapeUntrusted(lease.host)} is gone` };
  }
  if (age < -LEASE_CLOCK_SKEW_MS) {
    return {
      state: 'stale',
      lease,
      why: `renewed ${Math.round(-age / 1000)} s in the future (past the clock skew allowed)`,
    };
  }
  if (age > LEASE_STALE_MS) {
    return { state: 'stale', lease, why: `not renewed for ${Math.round(age / 1000)} s` };
  }
  return { state: 'in-use', lease, why: `used by ${describeHolder(lease, context.now)}` };
}

/** `run 3fa2c1, process 4242 on ci-runner-7, renewed 12 s ago`; the file's text escaped (the one rule). */
export function describeHolder(lease: Lease, now: number): string {
  const age = Math.max(0, Math.round((now - Date.parse(lease.renewedAt)) / 1000));
  return `${escapeUntrusted(lease.holder)}, process ${lease.pid} on ${escapeUntrusted(lease.host)}, renewed ${age} s ago`;
}

/** The line `status` shows for an environment's lease. */
export function leaseLine(state: LeaseState): string {
  if (state.state === 'idle') return 'lease: idle (no run is using it)';
  if (state.state === 'stale') return `lease: idle (a stale lease: ${state.why})`;
  return `lease: in use, ${state.why} (\`down\` leaves it up; --force removes it anyway)`;
}

/**
 * The lease file's text, or undefined when there is none. Leases live in a folder every local user
 * can write (mode 1777), so a file there may be planted: it is read only if it is a regular file
 * (lstat, so not a link; then opened O_NONBLOCK and checked again on the descriptor, so a FIFO
 * neither blocks the read nor the signals that would end it), owned by the user running (another
 * user's file means another user's run, or a planted file: in use, its text not shown), not
 * writable by group or others, and at most LEASE_MAX_BYTES. Anything else throws an InputFileError saying what it is.
 */
export async function readLeaseText(file: string): Promise<string | undefined> {
  let link: Awaited<ReturnType<typeof lstat>>;
  try {
    link = await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputFileError(file, describeFileError(error).reason);
  }
  if (link.isSymbolicLink()) throw new InputFileError(file, 'is a symbolic link, not a regular file');
  const { handle } = await openInputFile(file, { maxBytes: LEASE_MAX_BYTES });
  try {
    const stat = await handle.stat();
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid)
      throw new InputFileError(
        file,
        `belongs to another user (uid ${stat.uid}), so it is in use by another user`,
      );
    if ((stat.mode & 0o022) !== 0)
      throw new InputFileError(file, `is writable by others (mode ${(stat.mode & 0o777).toString(8)})`);
    const buffer = Buffer.alloc(LEASE_MAX_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** What the lease file at `file` says now, for this host. */
export async function leaseStateOf(file: string, now = Date.now()): Promise<LeaseState> {
  let text: string | undefined;
  try {
    text = await readLeaseText(file);
  } catch (error) {
    return unreadLease(error);
  }
  return judgeLease(text, { now, host: hostname(), alive: localProcessAlive });
}

/** A lease file that was not read (readLeaseText refused it): not ours to call idle (`--force` is the way past it). */
function unreadLease(error: unknown): Exclude<LeaseState, { state: 'idle' }> {
  const reason = error instanceof InputFileError ? error.reason : describeFileError(error).reason;
  return { state: 'in-use', why: `its lease file was not read (${reason})` };
}

/** A lease this process holds: renewed until released. */
export interface HeldLease {
  readonly file: string;
  renew(): Promise<void>;
  release(): Promise<void>;
}

function leaseText(owner: LeaseOwner, holder: string, since: string, now: Date): string {
  const lease: Lease = { host: owner.host, pid: owner.pid, holder, since, renewedAt: now.toISOString() };
  return `${JSON.stringify(lease)}\n`;
}

function ours(text: string | undefined, owner: LeaseOwner): boolean {
  const lease = text === undefined ? undefined : parseLease(text);
  return lease !== undefined && lease.host === owner.host && lease.pid === owner.pid;
}

export interface AcquireOptions {
  holder: string;
  owner?: LeaseOwner;
  alive?: (pid: number) => boolean;
  now?: () => number;
  /** Renewal period; 0: no timer (tests renew by hand). */
  renewMs?: number;
}

/**
 * Takes the lease at `file` for this process: a HeldLease, or the state of the lease that holds
 * it. A stale lease is taken over; our own (same host and pid) is renewed.
 */
export async function acquireLease(
  file: string,
  options: AcquireOptions,
): Promise<{ held: HeldLease } | { refused: Exclude<LeaseState, { state: 'idle' }> }> {
  const owner = options.owner ?? thisProcess();
  const now = options.now ?? Date.now;
  const alive = options.alive ?? localProcessAlive;
  await ensureLeaseDir(dirname(file));
  const since = new Date(now()).toISOString();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(leaseText(owner, options.holder, since, new Date(now())));
      } finally {
        await handle.close();
      }
      return { held: heldLease(file, owner, options.holder, since, now, options.renewMs ?? LEASE_RENEW_MS) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let text: string | undefined;
    try {
      text = await readLeaseText(file);
    } catch (error) {
      return { refused: unreadLease(error) };
    }
    if (text === undefined) continue; // released between our attempt and the read
    if (ours(text, owner)) {
      const held = heldLease(file, owner, options.holder, since, now, options.renewMs ?? LEASE_RENEW_MS);
      await held.renew();
      return { held };
    }
    const state = judgeLease(text, { now: now(), host: owner.host, alive });
    if (state.state !== 'stale') return { refused: state as Exclude<LeaseState, { state: 'idle' }> };
    // Taken over: removed only if it is still the stale lease we judged.
    if ((await readLeaseText(file).catch(() => undefined)) === text) await rm(file, { force: true });
  }
  const last = await readLeaseText(file).catch((error: unknown) => unreadLease(error));
  if (typeof last === 'object') return { refused: last };
  const state = judgeLease(last, { now: now(), host: owner.host, alive });
  if (state.state === 'idle') throw new Error(`${file}: the lease changed hands three times while taking it`);
  return { refused: state as Exclude<LeaseState, { state: 'idle' }> };
}

function heldLease(
  file: string,
  owner: LeaseOwner,
  holder: string,
  since: string,
  now: () => number,
  renewMs: number,
): HeldLease {
  let released = false;
  const renewOnce = async () => {
    if (released) return;
    // Only our own lease is renewed: a file removed (the environment went) stays removed.
    if (!ours(await readLeaseText(file).catch(() => undefined), owner)) return;
    const temp = `${file}.${owner.pid}.tmp`;
    await writeFile(temp, leaseText(owner, holder, since, new Date(now())), { mode: 0o644 });
    if (released) await rm(temp, { force: true });
    else await rename(temp, file);
  };
  // One renewal at a time, and a release waits for the one under way: a renewal finishing after
  // the release would put the lease back.
  let inFlight: Promise<void> = Promise.resolve();
  const renew = () => {
    inFlight = inFlight.then(renewOnce, renewOnce);
    return inFlight;
  };
  const timer =
    renewMs > 0
      ? setInterval(() => {
          renew().catch(() => undefined); // a missed renewal is retried at the next tick
        }, renewMs)
      : undefined;
  timer?.unref();
  return {
    file,
    renew,
    async release() {
      released = true;
      if (timer) clearInterval(timer);
      await inFlight.catch(() => undefined);
      if (ours(await readLeaseText(file).catch(() => undefined), owner)) await rm(file, { force: true });
    },
  };
}

/**
 * Where leases live: one folder per host, the same for every user and every TMPDIR (two CI jobs
 * on one runner see each other's), `EC_LEASE_DIR` for tests. Anyone may create a lease in it
 * (mode 1777, like /tmp); only its owner may remove one. A lease planted there can only keep an
 * environment from being removed, never cause a removal.
 */
export function leaseDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EC_LEASE_DIR || '/tmp/egress-conformance-leases';
}

/** The lease file of one environment: `<lease dir>/<provider>-<id>.json` (ids are checked names). */
export function leaseFile(
  provider: 'lab' | 'kind',
  id: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(id))
    throw new Error(`not an environment id: ${JSON.stringify(id)}`);
  return join(leaseDir(env), `${provider}-${id}.json`);
}

/** Creates the lease folder, shared by every user of the host, if it is not there. */
async function ensureLeaseDir(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined) await chmod(dir, 0o1777).catch(() => undefined);
}

/** Removes an environment's lease once the environment is gone (a stale or forced one too). */
export async function removeLease(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => undefined);
}
