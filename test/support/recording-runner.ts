/** A CommandRunner that records what ran and answers from a function (exit 0 by default). */
import type { CommandResult, CommandRunner, RunOptions } from '../../harness/env/shared/command-runner.js';

export interface RecordedCall {
  argv: string[];
  options: RunOptions;
}

export function recordingRunner(
  respond?: (argv: string[], call: number) => Partial<CommandResult> | undefined,
) {
  const calls: RecordedCall[] = [];
  const runner: CommandRunner = {
    async run(argv, options = {}) {
      calls.push({ argv, options });
      const answer = respond?.(argv, calls.length) ?? {};
      return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...answer };
    },
  };
  return { runner, calls };
}
