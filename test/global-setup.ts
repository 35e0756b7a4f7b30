/**
 * Builds the CLI once before the tests, so that the tests that run `egress-conformance` as a
 * user would (node bin/egress-conformance.js) always exercise the current source.
 * EC_SKIP_BUILD=1 uses dist/ as it is (for a quick rerun after `npm run build`).
 * The CLI runs of the tests keep their catalogue cache (`list`, `validate`) in a folder of their
 * own, removed afterwards, never in the user's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export default async function setup(): Promise<() => Promise<void>> {
  const cache = await mkdtemp(join(tmpdir(), 'ec-test-cache-'));
  process.env.EC_CACHE_DIR = cache;
  if (process.env.EC_SKIP_BUILD !== '1') {
    await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  }
  return async () => {
    await rm(cache, { recursive: true, force: true });
  };
}
