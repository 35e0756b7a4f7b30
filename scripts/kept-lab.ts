/**
 * The kept lab of a long script (sharpness, soak): brought up once for all its runs, and removed
 * at the end only if the script made it. A lab that was already kept (the developer's own) is
 * reused and left as it was found; `down --provider lab` without an id would remove every kept lab.
 */
import { rmSync } from 'node:fs';
import { execa, execaSync } from 'execa';

export interface KeptLab {
  id: string;
  /** True when `up` created it for this script (then the script removes it). */
  ours: boolean;
}

/** `up --provider lab`, echoing its output, and which lab it brought up or reused. */
export async function upKeptLab(cli: string, args: readonly string[] = []): Promise<KeptLab> {
  const result = await execa('node', [cli, 'up', '--provider', 'lab', ...args], { all: true });
  process.stdout.write(`${result.all}\n`);
  const match = /^(up|reusing): lab environment (eclab-[0-9a-f]+)$/m.exec(result.all ?? '');
  if (!match) throw new Error(`up did not name its lab:\n${result.all}`);
  return { id: match[2] as string, ours: match[1] === 'up' };
}

/**
 * `--family X` and `--options-file F` among a script's run flags: the kept lab must have the
 * runs' families and lab options (e.g. `lab: { dataPlane: ovn }`) to be reused by them.
 */
export function keptLabFlags(flags: readonly string[]): string[] {
  return ['--family', '--options-file'].flatMap((flag) => {
    const at = flags.indexOf(flag);
    const value = at >= 0 ? flags[at + 1] : undefined;
    return value ? [flag, value] : [];
  });
}

export async function downKeptLab(cli: string, lab: KeptLab | undefined): Promise<void> {
  if (!lab?.ours) return;
  // A kept lab is free for any run to reuse: another checkout's run may hold it now, and `down`
  // then leaves it up. That is one line, not a crash at the end of a finished script.
  const result = await execa('node', [cli, 'down', '--provider', 'lab', '--id', lab.id], {
    stdio: 'inherit',
    reject: false,
  });
  if (result.exitCode !== 0) {
    process.stderr.write(
      `lab ${lab.id} was left up (\`down\` exited ${result.exitCode}; another run may be using it): \`down --provider lab --id ${lab.id}\` removes it\n`,
    );
  }
}

/**
 * Ctrl-C (or SIGTERM): the script removes its own lab and its work dir before exiting. A run in
 * progress gets Ctrl-C from the terminal too; one signalled alone loses its lab and ends on that.
 */
export function cleanUpOnSignal(cli: string, workDir: string, lab: () => KeptLab | undefined): void {
  const handler = (signal: NodeJS.Signals) => {
    const kept = lab();
    process.stderr.write(`\n${signal}: removing ${kept?.ours ? `lab ${kept.id} and ` : ''}${workDir}\n`);
    if (kept?.ours) {
      execaSync('node', [cli, 'down', '--provider', 'lab', '--id', kept.id], {
        reject: false,
        stdio: 'inherit',
      });
    }
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
