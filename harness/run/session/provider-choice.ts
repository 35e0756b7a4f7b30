/** Which provider a run uses: the one named, or (`auto`) kind when the host can run it, else the lab. */
import { UsageError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { ProviderName } from '../../env/environment.js';
import type { Provider, ProviderOptions } from '../../env/provider.js';
import type { RunOptions } from '../options.js';

/** Where the session finds providers: the build's registry, or a test's fakes. */
export interface ProviderSource {
  load(name: ProviderName): Promise<Provider | undefined>;
  available(): ProviderName[];
}

async function requireProvider(source: ProviderSource, name: ProviderName): Promise<Provider> {
  const provider = await source.load(name);
  if (!provider) {
    throw new UsageError(
      `--provider ${name}: this build has no ${name} provider; available: ${source.available().join(', ') || 'none'}`,
    );
  }
  return provider;
}

/** `auto`: kind when the host can run it, else the embedded lab, said in one banner. */
export async function chooseProvider(
  source: ProviderSource,
  options: RunOptions,
  providerOptions: ProviderOptions,
  log: Logger,
): Promise<Provider> {
  if (options.provider !== 'auto') return requireProvider(source, options.provider);
  const kind = await source.load('kind');
  if (kind) {
    const problems = await kind
      .preflight({ ...providerOptions, settings: options.providerOptions.kind })
      .catch((error: unknown) => {
        // Settings kind refuses (a combination upstream does not run): the lab can still run.
        if (error instanceof UsageError) return [{ item: 'kind settings', problem: error.message, fix: '' }];
        throw error;
      });
    if (problems.length === 0) return kind;
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

/** The provider's own section of the options file, checked before anything runs; errors name the file. */
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
}
