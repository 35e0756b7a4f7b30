/**
 * The providers this build has, by name: the provider table's (providers.ts), each with its
 * settings schema, which the run session (run/session/provider-choice.ts) parses the chosen
 * provider's section with, once, before any of its methods runs.
 */
import type { ProviderName } from './environment.js';
import type { Provider, SettingsSchema } from './provider.js';
import { PROVIDERS } from './providers.js';

export function availableProviders(): ProviderName[] {
  return Object.keys(PROVIDERS) as ProviderName[];
}

export async function loadProvider(name: ProviderName): Promise<Provider | undefined> {
  return Object.hasOwn(PROVIDERS, name) ? PROVIDERS[name].load() : undefined;
}

/** The settings schema of a provider of the table. */
export function providerSettings(name: ProviderName): SettingsSchema<unknown> {
  return PROVIDERS[name].settings;
}

/** The build's providers as a run session finds them (run/session/provider-choice.ts). */
export const PROVIDER_REGISTRY = {
  load: loadProvider,
  available: availableProviders,
  settings: providerSettings,
};
