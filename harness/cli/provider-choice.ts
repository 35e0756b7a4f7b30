/**
 * Which environment a command runs on. `run` and `up` both choose here, so that on a host that can
 * run kind the two never pick different environments (issue #23): `auto` (the default of both)
 * takes kind when its preflight finds nothing missing, else the embedded reference lab, and the
 * choice is printed either way.
 */
import { UsageError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { ProviderName } from '../env/environment.js';
import type { Provider, ProviderOptions } from '../env/provider.js';
import { availableProviders, loadProvider } from '../env/registry.js';

/** What `--provider` accepts in `run` and `up`. */
export type ProviderRequest = ProviderName | 'auto';

/** The provider the flag, the options file or the default (`auto`) asks for. */
export function requestedProvider(flag: string | undefined, file: string | undefined): ProviderRequest {
  return (flag ?? file ?? 'auto') as ProviderRequest;
}

export async function requireProvider(name: ProviderName): Promise<Provider> {
  const provider = await loadProvider(name);
  if (!provider) {
    throw new UsageError(
      `--provider ${name}: this build has no ${name} provider; available: ${availableProviders().join(', ') || 'none'}`,
    );
  }
  return provider;
}

/**
 * The provider for `requested`, said in one line: `provider: NAME` when it was named, and for
 * `auto` why kind was or was not taken (the host checks kind's preflight makes, with the kind
 * settings of the options file).
 */
export async function chooseProvider(
  requested: ProviderRequest,
  kindSettings: Record<string, unknown>,
  providerOptions: ProviderOptions,
  log: Logger,
): Promise<Provider> {
  if (requested !== 'auto') {
    log.info(`provider: ${requested}`);
    return requireProvider(requested);
  }
  const kind = await loadProvider('kind');
  if (kind) {
    const problems = await kind
      .preflight({ ...providerOptions, settings: kindSettings })
      .catch((error: unknown) => {
        // Settings kind refuses (a combination upstream does not run): the lab can still run.
        if (error instanceof UsageError) return [{ item: 'kind settings', problem: error.message, fix: '' }];
        throw error;
      });
    if (problems.length === 0) {
      log.info('provider auto: this host can run kind; using kind.');
      return kind;
    }
    log.info(
      `provider auto: kind cannot run on this host (${problems.map((p) => p.item).join(', ')}); using the embedded reference lab.`,
    );
  } else {
    log.info('provider auto: no kind provider in this build; using the embedded reference lab.');
  }
  log.info(
    'NOTE: the reference lab proves the suite on real packets; its results certify no implementation.',
  );
  return requireProvider('lab');
}
