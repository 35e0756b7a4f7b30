/** Which provider a run uses: the one named, or (`auto`) kind when the host can run it, else the lab. */
import { UsageError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { ProviderName } from '../../env/environment.js';
import type { Provider, ProviderOptions } from '../../env/provider.js';

/** Where the session finds providers: the build's registry, or a test's fakes. */
export interface ProviderSource {
  load(name: ProviderName): Promise<Provider | undefined>;
  available(): ProviderName[];
}

export async function requireProvider(source: ProviderSource, name: ProviderName): Promise<Provider> {
  const provider = await source.load(name);
  if (!provider) {
    throw new UsageError(
      `--provider ${name}: this build has no ${name} provider; available: ${source.available().join(', ') || 'none'}`,
    );
  }
  return provider;
}

/**
 * The provider for `requested`, said in one line: `provider: NAME` when it was named, and for
 * `auto` why kind was or was not taken (the host checks kind's preflight makes, with the kind
 * settings of the options file). `run` and `up` both choose here, so on a host that can run kind
 * the two never pick different environments.
 */
export async function chooseProvider(
  source: ProviderSource,
  requested: ProviderName | 'auto',
  kindSettings: Record<string, unknown>,
  providerOptions: ProviderOptions,
  log: Logger,
): Promise<Provider> {
  if (requested !== 'auto') {
    log.info(`provider: ${requested}`);
    return requireProvider(source, requested);
  }
  const kind = await source.load('kind');
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
  return requireProvider(source, 'lab');
}

/**
 * The provider's own section of the options file, then its environment variables, checked before
 * anything runs; errors name the file (or the variable).
 */
export function checkProviderSettings(
  provider: Provider,
  settings: Record<string, unknown>,
  optionsFile: string | undefined,
): void {
  try {
    provider.checkSettings(settings);
  } catch (error) {
    if (error instanceof UsageError && optionsFile) {
      throw new UsageError(`--options-file ${optionsFile}: ${error.message}`, error.lines);
    }
    throw error;
  }
  provider.checkEnvironmentVariables?.();
}
