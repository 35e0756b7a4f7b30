/**
 * A setup file of the Docker test files. Each file waits for one of DOCKER_LANES turns, so that at
 * most that many labs are up at once within a run, while the Docker-free files run beside them in
 * another worker; a file in DOCKER_ALONE (timing bounds a second lab's bring-up could upset) waits
 * for every turn and runs with no other Docker file. A turn is a file created exclusively in the
 * folder the global setup made for this vitest run; a holder that died without giving it back (a
 * killed worker) is noticed by its pid and passed over.
 *
 * Each file also gets a kept-lab pool of its own (`EC_LAB_KEPT_POOL`, inherited by the CLI it
 * spawns): its runs reuse only the labs it kept itself, never the lab another file running in the
 * other lane keeps between its runs, nor a lab some other process on the same engine keeps.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { DOCKER_ALONE, DOCKER_LANES } from './docker-files.js';

process.env.EC_LAB_KEPT_POOL = `vt-${randomBytes(4).toString('hex')}`;

const folder = process.env.EC_TEST_RUN_DIR;
const testPath = expect.getState().testPath ?? '';
const alone = DOCKER_ALONE.some((file) => testPath.endsWith(`/${file}`));
/** What a turn file holds: the holder's pid, and whether it waits for every turn. */
const mark = `${process.pid}${alone ? ' alone' : ''}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = () => new Promise((resolve) => setTimeout(resolve, 250));

/** Takes the turn if it is free (removing a dead holder's first); true when it is ours now. */
async function tryTake(file: string): Promise<boolean> {
  try {
    await writeFile(file, mark, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
  // An empty file is one being written this instant: its writer is alive.
  if (holder > 0 && !alive(holder)) await rm(file, { force: true });
  return false;
}

/** True when a file that runs alone holds the first turn: the others wait until it is done. */
async function aloneWaiting(first: string): Promise<boolean> {
  return (await readFile(first, 'utf8').catch(() => '')).endsWith(' alone');
}

/** The turns this file holds once it may start: every turn when it runs alone, else one. */
async function takeTurns(turns: string[]): Promise<string[]> {
  if (alone) {
    // In order, as every file that runs alone takes them: two of them never hold one each.
    for (const turn of turns) while (!(await tryTake(turn))) await sleep();
    return turns;
  }
  for (;;) {
    if (!(await aloneWaiting(turns[0] as string))) {
      for (const turn of turns) if (await tryTake(turn)) return [turn];
    }
    await sleep();
  }
}

/**
 * With `EC_TEST_TURN_LOG` set, a line per turn taken and given back (time, file, turns), the
 * per-file times docs/measurements/test-loop.md is made of.
 */
function note(event: string, held: string[]): void {
  const log = process.env.EC_TEST_TURN_LOG;
  if (log)
    appendFileSync(log, `${Date.now()} ${event} ${testPath} ${held.map((t) => t.slice(-1)).join(',')}\n`);
}

/** Gives a turn back if it is still ours (a file that is another worker's by now stays). */
function giveBack(file: string): void {
  try {
    if (readFileSync(file, 'utf8') === mark) rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}

// Without the global setup's folder (a file run some other way) there is no one to wait for.
if (folder) {
  const turns = Array.from({ length: DOCKER_LANES }, (_, lane) => join(folder, `docker-turn-${lane}`));
  note('wait', []);
  const held = await takeTurns(turns);
  note('take', held);
  // Registered before the test file's own hooks, so run after them (hooks unwind as a stack):
  // the lab of the file's afterAll is down before the next Docker file takes the turn.
  afterAll(() => {
    note('give', held);
    for (const turn of held) giveBack(turn);
  });
  // A worker that ends without its hooks (a file that failed to load) gives them back too.
  process.once('exit', () => {
    for (const turn of held) giveBack(turn);
  });
}
