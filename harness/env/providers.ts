/**
 * The provider table: each provider this build ships, by name, with a lazy loader of its module
 * (the provider checks its own section of the options file: `checkSettings`). Keyed by
 * PROVIDER_NAMES, so a name without an entry does not compile. Nothing here loads a provider
 * until it is used: `list` and `validate` stay light.
 */
import type { Provider } from './provider.js';
import type { ProviderName } from './provider-names.js';

export interface ProviderEntry {
  load(): Promise<Provider>;
}

export const PROVIDERS: Readonly<Record<ProviderName, ProviderEntry>> = {
  lab: {
    load: async () => (await import('./lab/provider.js')).labProvider,
  },
  kind: {
    load: async () => (await import('./kind/provider.js')).kindProvider,
  },
  existing: {
    load: async () => (await import('./existing/provider.js')).existingProvider,
  },
};
