/**
 * A setup file of the Docker test files: each waits for its turn, so that only one of them runs at
 * a time (two lab bring-ups on two cores would make each other's timing bounds flaky), while the
 * Docker-free files run beside it in the other worker. The turn is a file created exclusively in
 * the folder the global setup made for this vitest run; a holder that died without giving it back
 * (a killed worker) is noticed by its pid and passed over.
 */
import { readFileSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const folder = process.env.EC_TEST_RUN_DIR;
/** Without the global setup's folder (a file run some other way) there is no one to wait for. */
const turn = folder ? join(folder, 'docker-turn') : undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function takeTurn(file: string): Promise<void> {
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(file, 'utf8').catch(() => ''));
    // An empty file is one being written this instant: its writer is alive.
    if (holder > 0 && !alive(holder)) await rm(file, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Gives the turn back if it is still ours (a file that is another worker's by now stays). */
function giveBack(file: string): void {
  try {
    if (readFileSync(file, 'utf8') === String(process.pid)) rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}

if (turn) {
  await takeTurn(turn);
  // Registered before the test file's own hooks, so run after them (hooks unwind as a stack):
  // the lab of the file's afterAll is down before the next Docker file starts.
  afterAll(() => giveBack(turn));
  // A worker that ends without its hooks (a file that failed to load) gives it back too.
  process.once('exit', () => giveBack(turn));
}
