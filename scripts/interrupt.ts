/**
 * Ctrl-C (or SIGTERM) in a long script (sharpness, soak): the script removes its kept lab and its
 * work dir before exiting. A run in progress gets Ctrl-C from the terminal too; one signalled
 * alone loses its lab here and ends on that.
 */
import { rmSync } from 'node:fs';
import { execaSync } from 'execa';

export function cleanUpOnSignal(cli: string, workDir: string): void {
  const handler = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: removing the lab and ${workDir}\n`);
    execaSync('node', [cli, 'down', '--provider', 'lab'], { reject: false, stdio: 'inherit' });
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
