/** Running host commands (docker, kind, kubectl, helm, git) through execa, behind an interface. */
import { execa } from 'execa';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** Keeps the command's stdin open until this signal aborts, then closes it. */
  stdinUntil?: AbortSignal;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface CommandRunner {
  run(argv: string[], options?: RunOptions): Promise<CommandResult>;
}

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    readonly result: CommandResult,
  ) {
    super(message);
  }
}

/** Never rejects on a non-zero exit: callers decide (the executor, with its retries). */
export const execaRunner: CommandRunner = {
  async run(argv, options = {}) {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty command');
    const stdin =
      options.stdin !== undefined
        ? { input: options.stdin }
        : options.stdinUntil
          ? { stdin: 'pipe' as const }
          : { stdin: 'ignore' as const };
    const child = execa(file, args, {
      reject: false,
      ...stdin,
      ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      ...(options.signal ? { cancelSignal: options.signal } : {}),
      stripFinalNewline: true,
    });
    const until = options.stdinUntil;
    if (until && options.stdin === undefined) {
      const close = () => child.stdin?.end();
      if (until.aborted) close();
      else until.addEventListener('abort', close, { once: true });
      void child.finally(() => until.removeEventListener('abort', close));
    }
    const result = await child;
    return {
      exitCode: typeof result.exitCode === 'number' ? result.exitCode : 1,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? (result.failed ? result.message : '')),
      timedOut: Boolean(result.timedOut),
    };
  },
};

/** Runs and throws CommandError unless the exit code is 0. */
export async function runChecked(
  runner: CommandRunner,
  argv: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const result = await runner.run(argv, options);
  if (result.exitCode !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
    throw new CommandError(
      `${argv.slice(0, 4).join(' ')}${argv.length > 4 ? ' ...' : ''} exited ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}: ${detail}`,
      result,
    );
  }
  return result;
}
