/**
 * One run at a time on a lab, and no `down` under a run's feet. A kept lab is found again by any
 * later run; two runs driving it at once would each program its nodes with their own reference
 * controller, and a `down --all` by another user of the engine would pull it from under a run.
 * A run (or `up` while it brings a lab up) holds the lab's lease (env/shared/lease.ts: host,
 * process, renewed while held); a lease whose process is gone or that is no longer renewed is
 * taken over.
 */
import {
  acquireLease,
  type HeldLease,
  type LeaseState,
  leaseFile,
  leaseStateOf,
  removeLease,
} from '../../shared/lease.js';

/** Takes the lab for this process; undefined when another live process holds it. */
export async function leaseLab(labId: string, holder: string): Promise<HeldLease | undefined> {
  const result = await acquireLease(leaseFile('lab', labId), { holder });
  return 'held' in result ? result.held : undefined;
}

/** Who uses the lab now, as `status` and `down` see it. */
export function labLeaseState(labId: string): Promise<LeaseState> {
  return leaseStateOf(leaseFile('lab', labId));
}

/** Forgets the lease of a lab that has been removed. */
export function removeLabLease(labId: string): Promise<void> {
  return removeLease(leaseFile('lab', labId));
}
