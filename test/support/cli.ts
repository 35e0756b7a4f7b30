/** Runs the real CLI binary the way a user does, and returns what it printed and its exit code. */
import { resolve } from 'node:path';
import { execa } from 'execa';

/** EC_CLI points the tests at another build (e.g. an older commit's, to see a regression test fail there). */
export const CLI = resolve(process.env.EC_CLI ?? 'bin/egress-conformance.js');

export async function cli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeout?: number } = {},
) {
  const result = await execa('node', [CLI, ...args], {
    reject: false,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
    timeout: options.timeout ?? 120_000,
  });
  return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Starts the CLI and keeps it running: `when(pattern)` resolves with the output so far once it
 * shows the pattern (and rejects if the process ends first); `output()` is everything so far.
 * For tests that act in the middle of a command (a signal, a container killed).
 */
export function startCli(args: string[]) {
  const child = execa('node', [CLI, ...args], { reject: false, all: true });
  let output = '';
  const waiters: Array<{ pattern: RegExp; resolve: (text: string) => void }> = [];
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(output)) w.resolve(output);
      else waiters.push(w);
    }
  });
  const when = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      if (pattern.test(output)) return resolve(output);
      waiters.push({ pattern, resolve });
      child.then(() => reject(new Error(`the command ended before ${pattern}:\n${output}`)));
    });
  return { child, when, output: () => output };
}
