/**
 * The one executor of planned actions. It runs them in order, retries where an action says so,
 * records the time per phase, and keeps secrets out of everything it logs or throws.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../common/log.js';
import type { CommandRunner } from './command-runner.js';
import {
  formatArgv,
  type PlannedAction,
  redactText,
  scrubSecrets,
  substituteSecrets,
} from './planned-actions.js';

export interface ExecutorFs {
  writeFile(path: string, content: string): Promise<void>;
  exists(path: string): boolean;
}

export const nodeFs: ExecutorFs = {
  async writeFile(path, content) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, { mode: 0o600 });
  },
  exists: (path) => existsSync(path),
};

export interface ExecuteOptions {
  runner: CommandRunner;
  log: Logger;
  secrets: Record<string, string>;
  fs?: ExecutorFs;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
}

export class PlanError extends Error {
  override name = 'PlanError';
  constructor(
    message: string,
    readonly step: number,
    readonly action: PlannedAction,
  ) {
    super(message);
  }
}

export interface PhaseTiming {
  name: string;
  durationMs: number;
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the executor's phases, timings, progress and interrupts around each planned action in one loop
export async function executePlan(actions: PlannedAction[], options: ExecuteOptions): Promise<PhaseTiming[]> {
  const fs = options.fs ?? nodeFs;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const phases: PhaseTiming[] = [];
  const scrub = (text: string) => scrubSecrets(text, options.secrets);
  for (const [index, action] of actions.entries()) {
    if (options.signal?.aborted) throw new Error('bring-up interrupted');
    const started = performance.now();
    const step = index + 1;
    options.log.info(`[${step}/${actions.length}] ${action.title}`);
    if (action.type === 'write') {
      await fs.writeFile(action.path, substituteSecrets(action.content, options.secrets));
    } else if (action.unlessExists && fs.exists(action.unlessExists)) {
      options.log.debug(`skipped: ${action.unlessExists} exists`);
    } else {
      options.log.debug(`$ ${redactText(formatArgv(action.argv, action.env))}`);
      const argv = action.argv.map((a) => substituteSecrets(a, options.secrets));
      const stdin = action.stdin === undefined ? undefined : substituteSecrets(action.stdin, options.secrets);
      const attempts = action.retry?.attempts ?? 1;
      let delay = action.retry?.delayMs ?? 0;
      for (let attempt = 1; ; attempt++) {
        const result = await options.runner.run(argv, {
          ...(action.env ? { env: action.env } : {}),
          ...(stdin !== undefined ? { stdin } : {}),
          ...(action.timeoutMs ? { timeoutMs: action.timeoutMs } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (result.exitCode === 0) break;
        const detail = scrub((result.stderr || result.stdout).trim().split('\n').slice(-8).join('\n'));
        if (attempt < attempts) {
          options.log.info(
            `  attempt ${attempt}/${attempts} failed; retrying in ${delay / 1000}s: ${detail}`,
          );
          await sleep(delay);
          delay *= action.retry?.backoff ?? 1;
          continue;
        }
        if (action.allowFailure) {
          options.log.warn(`step ${step} (${action.title}) failed, tolerated: ${detail}`);
          break;
        }
        throw new PlanError(
          `step ${step} (${action.title}) failed with exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}:\n` +
            `  $ ${redactText(formatArgv(action.argv, action.env))}\n  ${detail.replace(/\n/g, '\n  ')}`,
          step,
          action,
        );
      }
    }
    const durationMs = Math.round(performance.now() - started);
    const last = phases.at(-1);
    if (last && last.name === action.phase) last.durationMs += durationMs;
    else phases.push({ name: action.phase, durationMs });
  }
  return phases;
}
