/**
 * One run at a time on a lab, and no `down` under a run's feet. A kept lab is found again by any
 * later run; two runs driving it at once would each program its nodes with their own reference
 * controller, and a `down --all` by another user of the engine would pull it from under a run.
 * A run (or `up` while it brings a lab up) holds the lab's lease (env/shared/lease.ts: host,
 * process, renewed while held); a lease whose process is gone or that is no longer renewed is
 * taken over.
 *
 * Checkouts from before leases hold a lab with a pid file in the lab's temp directory
 * (`in-use.pid`, created exclusively). Both are honoured and both are written, so that an older
 * and a newer checkout on one host never drive the same lab at once.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  acquireLease,
  type HeldLease,
  type LeaseState,
  leaseFile,
  leaseStateOf,
  localProcessAlive,
  removeLease,
} from '../../shared/lease.js';
import { labTempDir } from './destroy.js';

function legacyPidFile(labId: string): string {
  return join(labTempDir(labId), 'in-use.pid');
}

/** The live process of this host holding the lab by the older pid file, if any. */
async function legacyHolder(labId: string): Promise<number | undefined> {
  const pid = Number((await readFile(legacyPidFile(labId), 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && localProcessAlive(pid) ? pid : undefined;
}

/** Writes the older pid file too, so that an older checkout sees the lab as taken. */
async function writeLegacyPid(labId: string): Promise<boolean> {
  await mkdir(labTempDir(labId), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(legacyPidFile(labId), 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await legacyHolder(labId);
      if (holder === process.pid) return true;
      if (holder !== undefined) return false;
      await rm(legacyPidFile(labId), { force: true }); // left by a process that is gone
    }
  }
  return false;
}

async function removeLegacyPid(labId: string): Promise<void> {
  if ((await legacyHolder(labId)) === process.pid) await rm(legacyPidFile(labId), { force: true });
}

/** Takes the lab for this process; undefined when another live process holds it. */
export async function leaseLab(labId: string, holder: string): Promise<HeldLease | undefined> {
  const result = await acquireLease(leaseFile('lab', labId), { holder });
  if (!('held' in result)) return undefined;
  if (!(await writeLegacyPid(labId))) {
    await result.held.release();
    return undefined;
  }
  const held = result.held;
  return {
    file: held.file,
    renew: () => held.renew(),
    async release() {
      await held.release();
      await removeLegacyPid(labId);
    },
  };
}

/** Who uses the lab now, as `status` and `down` see it. */
export async function labLeaseState(labId: string): Promise<LeaseState> {
  const state = await leaseStateOf(leaseFile('lab', labId));
  if (state.state === 'in-use') return state;
  const pid = await legacyHolder(labId);
  if (pid === undefined || pid === process.pid) return state;
  return { state: 'in-use', why: `used by process ${pid} on ${hostname()} (an older egress-conformance)` };
}

/** Forgets the lease of a lab that has been removed. */
export function removeLabLease(labId: string): Promise<void> {
  return removeLease(leaseFile('lab', labId));
}
