/**
 * The providers this build has, by name: the provider table's (providers.ts). A provider's
 * settings are parsed here, once, by the table's schema; the provider's methods receive them.
 */
import type { ProviderName } from './environment.js';
import type { Provider, SettingsSchema } from './provider.js';
import { PROVIDERS, type ProviderTable } from './providers.js';

export function availableProviders(table: ProviderTable = PROVIDERS): ProviderName[] {
  return Object.keys(table) as ProviderName[];
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
  available: () => availableProviders(),
  settings: providerSettings,
};
