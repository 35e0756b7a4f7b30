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
