/** Shared helpers for the kind tests: fixed settings, a recording command runner. */

import { silentLogger } from '../../harness/common/log.js';
import type { KindOptions } from '../../harness/env/kind/provider.js';
import { parseKindSettings } from '../../harness/env/kind/settings.js';
import type { ProviderOptions } from '../../harness/env/provider.js';

export const FIXED = { id: 'eck-test', workDir: '/var/tmp/ec-kind' } as const;

export function kindOptions(
  settings: Record<string, unknown> = {},
  families?: ProviderOptions['families'],
): KindOptions {
  return {
    runId: 'r1',
    keep: false,
    // As the run parses `kind:` (once, by the provider table's schema) before calling the provider.
    settings: parseKindSettings({ ...FIXED, ...settings }),
    ...(families ? { families } : {}),
    log: silentLogger(),
    signal: new AbortController().signal,
  };
}

export { recordingRunner } from '../support/recording-runner.js';
