/** Shared helpers for the kind tests: fixed settings, a recording command runner. */

import { silentLogger } from '../../harness/common/log.js';
import type { CommandResult, CommandRunner, RunOptions } from '../../harness/env/kind/command-runner.js';
import type { ProviderOptions } from '../../harness/env/provider.js';

export const FIXED = { id: 'eck-test', workDir: '/var/tmp/ec-kind' } as const;

export function kindOptions(
  settings: Record<string, unknown> = {},
  families?: ProviderOptions['families'],
): ProviderOptions {
  return {
    runId: 'r1',
    keep: false,
    settings: { ...FIXED, ...settings },
    ...(families ? { families } : {}),
    log: silentLogger(),
    signal: new AbortController().signal,
  };
}

export interface RecordedCall {
  argv: string[];
  options: RunOptions;
}

/** Answers every command with exit 0 unless `respond` says otherwise; records what ran. */
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
