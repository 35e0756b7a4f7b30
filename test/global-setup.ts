/**
 * Builds the CLI once before the tests, so that the tests that run `egress-conformance` as a
 * user would (node bin/egress-conformance.js) always exercise the current source.
 * EC_SKIP_BUILD=1 uses dist/ as it is (for a quick rerun after `npm run build`).
 */
import { execa } from 'execa';

export default async function setup(): Promise<void> {
  if (process.env.EC_SKIP_BUILD === '1') return;
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
