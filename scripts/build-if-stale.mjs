/**
 * Builds the CLI only when a source changed since the last build: what `npm run conformance`
 * runs first. An unchanged checkout (e.g. right after `npm ci`, whose `prepare` built it) starts
 * the run at once instead of spending tsc's ten seconds; a changed one is rebuilt incrementally.
 * Plain JavaScript, so that checking costs no compiler either. `--always` builds whatever the
 * stamp says (`npm run build`, and `npm ci`'s prepare, which leaves the stamp for the next run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = join('dist', '.build-stamp');
const INPUTS = ['harness', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

/** The newest modification time under `path` (a file or a directory tree). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const sources = Math.max(...INPUTS.filter((p) => existsSync(p)).map(newest));
const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
if (process.argv.includes('--always') || sources >= built) {
  const started = Date.now();
  execFileSync(
    'npx',
    ['tsc', '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', join('dist', '.tsbuildinfo')],
    { stdio: 'inherit' },
  );
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.stderr.write(`built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
