/**
 * Which provider a run uses: the one named, or (`auto`) kind when the host can run it, else the
 * lab; and its section of the options file, parsed once by the provider table's schema
 * (env/providers.ts) into the settings every method of the provider receives.
 */
import { UsageError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { ProviderName } from '../../env/environment.js';
import type { Provider, ProviderOptions, SettingsSchema } from '../../env/provider.js';
import { PROVIDERS } from '../../env/providers.js';

/** Where the session finds providers: the build's registry, or a test's fakes. */
export interface ProviderSource {
  load(name: ProviderName): Promise<Provider | undefined>;
  available(): ProviderName[];
  /** The provider's settings schema; default: its entry of the provider table (env/providers.ts). */
  settings?(name: ProviderName): SettingsSchema<unknown>;
}

function settingsSchema(source: ProviderSource, name: ProviderName): SettingsSchema<unknown> {
  return source.settings?.(name) ?? PROVIDERS[name].settings;
}

/** The options file's sections, by provider (`lab:`, `kind:`, `existing:`); absent ones are empty. */
export type ProviderSections = Partial<Record<ProviderName, Record<string, unknown>>>;

/** A provider, and the options its methods receive: its settings parsed, once. */
export interface ChosenProvider {
  provider: Provider;
  options: ProviderOptions;
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
 * A provider's section of the options file, parsed by its schema: a usage error names the file
 * and the field (`--options-file F: kind.workers: ...`).
 */
export function parseProviderSettings<S>(
  schema: SettingsSchema<S>,
  section: Record<string, unknown> | undefined,
  optionsFile: string | undefined,
): S {
  try {
    return schema.parse(section ?? {});
  } catch (error) {
    if (error instanceof UsageError && optionsFile) {
      throw new UsageError(`--options-file ${optionsFile}: ${error.message}`, error.lines);
    }
    throw error;
  }
}

/** The provider with its settings parsed, then its environment variables checked (before anything runs). */
function ready(
  provider: Provider,
  settings: unknown,
  base: Omit<ProviderOptions, 'settings'>,
): ChosenProvider {
  provider.checkEnvironmentVariables?.();
  return { provider, options: { ...base, settings } };
}

/** A provider named by the user (`--provider`, the options file), with its settings. */
export async function namedProvider(
  source: ProviderSource,
  name: ProviderName,
  sections: ProviderSections,
  base: Omit<ProviderOptions, 'settings'>,
  optionsFile: string | undefined,
): Promise<ChosenProvider> {
  const provider = await requireProvider(source, name);
  return ready(
    provider,
    parseProviderSettings(settingsSchema(source, name), sections[name], optionsFile),
    base,
  );
}

/**
 * The provider for `requested`, said in one line: `provider: NAME` when it was named, and for
 * `auto` why kind was or was not taken (the host checks kind's preflight makes, with the kind
 * settings of the options file). `run` and `up` both choose here, so on a host that can run kind
 * the two never pick different environments. Whichever is chosen, its section of the options
 * file is parsed once, here.
 */
export async function chooseProvider(
  source: ProviderSource,
  requested: ProviderName | 'auto',
  sections: ProviderSections,
  base: Omit<ProviderOptions, 'settings'>,
  log: Logger,
  optionsFile?: string,
): Promise<ChosenProvider> {
  if (requested !== 'auto') {
    log.info(`provider: ${requested}`);
    return namedProvider(source, requested, sections, base, optionsFile);
  }
  const kind = await source.load('kind');
  if (kind) {
    let settings: unknown;
    const problems = await Promise.resolve()
      .then(() => {
        settings = settingsSchema(source, 'kind').parse(sections.kind ?? {});
        return kind.preflight({ ...base, settings });
      })
      .catch((error: unknown) => {
        // Settings kind refuses (a bad field, a combination upstream does not run): the lab can still run.
        if (error instanceof UsageError) return [{ item: 'kind settings', problem: error.message, fix: '' }];
        throw error;
      });
    if (problems.length === 0) {
      log.info('provider auto: this host can run kind; using kind.');
      return ready(kind, settings, base);
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
  return namedProvider(source, 'lab', sections, base, optionsFile);
}
