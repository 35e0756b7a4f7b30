/**
 * Builds the CLI before the tests, so that the tests that run `egress-conformance` as a user
 * would (node bin/egress-conformance.js) always exercise the current source. The build is the one
 * `npm run conformance` does: incremental, and skipped when dist/ is newer than every source (as
 * right after `npm ci`, whose prepare built it). EC_SKIP_BUILD=1 uses dist/ as it is.
 * The CLI runs of the tests keep their catalogue cache (`list`, `validate`) in a folder of their
 * own, removed afterwards, never in the user's; the Docker files take turns through a file in
 * this run's folder (test/setup/docker-turn.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** Set once the setup ran in this process: each vitest project runs the root's global setup. */
const DONE = 'egressConformanceTestGlobalSetup';

export default async function setup(): Promise<() => Promise<void>> {
  const state = globalThis as Record<string, unknown>;
  if (state[DONE]) return async () => {};
  state[DONE] = true;
  const cache = await mkdtemp(join(tmpdir(), 'ec-test-cache-'));
  const run = await mkdtemp(join(tmpdir(), 'ec-test-run-'));
  process.env.EC_CACHE_DIR = cache;
  process.env.EC_TEST_RUN_DIR = run;
  if (process.env.EC_SKIP_BUILD !== '1') {
    await execa('node', ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
  }
  return async () => {
    await rm(cache, { recursive: true, force: true });
    await rm(run, { recursive: true, force: true });
  };
}
