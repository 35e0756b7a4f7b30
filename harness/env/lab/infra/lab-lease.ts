/**
 * One run at a time on a lab. A kept lab is found again by any later run; two runs driving it
 * at once would each program its nodes with their own reference controller. A run leases the
 * lab with an exclusively created file holding its pid; a lease whose process is gone (a crash)
 * is taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { labTempDir } from './destroy.js';

function leaseFile(labId: string): string {
  return join(labTempDir(labId), 'in-use.pid');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lab for this process; false when another live process holds it. */
export async function leaseLab(labId: string): Promise<boolean> {
  await mkdir(labTempDir(labId), { recursive: true });
  const file = leaseFile(labId);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (holder === process.pid) return true;
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
      await rm(file, { force: true }); // left by a process that is gone
    }
  }
  return false;
}

/** Gives the lab back (only if this process holds it). */
export async function releaseLab(labId: string): Promise<void> {
  const file = leaseFile(labId);
  const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (holder === process.pid) await rm(file, { force: true });
}
