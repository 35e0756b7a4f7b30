/** The providers this build has, by name. */
import type { ProviderName } from './environment.js';
import type { Provider } from './provider.js';

const providers = new Map<ProviderName, () => Promise<Provider>>();

/** Providers register lazily so that the CLI only loads the one it uses. */
export function registerProvider(name: ProviderName, load: () => Promise<Provider>): void {
  providers.set(name, load);
}

export function availableProviders(): ProviderName[] {
  return [...providers.keys()];
}

export async function loadProvider(name: ProviderName): Promise<Provider | undefined> {
  const load = providers.get(name);
  return load ? load() : undefined;
}
