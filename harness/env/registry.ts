/** The providers this build has, by name: the provider table's (providers.ts). */
import type { ProviderName } from './environment.js';
import type { Provider } from './provider.js';
import { PROVIDERS } from './providers.js';

export function availableProviders(): ProviderName[] {
  return Object.keys(PROVIDERS) as ProviderName[];
}

export async function loadProvider(name: ProviderName): Promise<Provider | undefined> {
  return Object.hasOwn(PROVIDERS, name) ? PROVIDERS[name].load() : undefined;
}
