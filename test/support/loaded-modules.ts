/**
 * Runs the real CLI with an import hook that records every module resolved (the command's own
 * dynamic imports too), to check what a command loads at start-up (issue #15).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI } from './cli.js';

export interface LoadedRun {
  code: number | undefined;
  stdout: string;
  stderr: string;
  /** URL of every module resolved, in order. */
  modules: string[];
}

export async function modulesLoadedBy(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; cli?: string } = {},
): Promise<LoadedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-loaded-'));
  try {
    const log = join(dir, 'modules.log');
    const hook = `data:text/javascript,${encodeURIComponent(
      `import { appendFileSync } from 'node:fs';
       export async function resolve(specifier, context, next) {
         const result = await next(specifier, context);
         appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
         return result;
       }`,
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(
      `import { register } from 'node:module'; register(${JSON.stringify(hook)});`,
    )}`;
    const result = await execa('node', ['--import', register, options.cli ?? CLI, ...args], {
      reject: false,
      // Byte for byte: the tests compare outputs whole.
      stripFinalNewline: false,
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? {},
    });
    const modules = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
    return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr, modules };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
