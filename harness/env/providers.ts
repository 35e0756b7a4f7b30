/**
 * The provider table: each provider this build ships, by name, with its settings schema (its
 * section of the options file: `lab:`, `kind:`, `existing:`) and a lazy loader of its module. Keyed
 * by PROVIDER_NAMES, so a name without an entry does not compile. From the table come the CLI's
 * choices and the options file's sections (run/options.ts), the settings each run parses once
 * (registry.ts), and the options file's JSON schema (scripts/write-schemas.ts); the report's enum
 * and the import rules read the names (provider-names.ts).
 *
 * A settings schema is light (zod, and the provider's own tables of names): `validate` checks every
 * section of an options file with it, and `list` stays light, without loading any provider. The
 * provider's module (Docker, Kubernetes clients, its environment) loads only when it is used.
 */
import { existingSettings } from './existing/settings.js';
import { kindSettings } from './kind/settings.js';
import { labSettings } from './lab/settings.js';
import type { Provider, SettingsSchema } from './provider.js';
import type { ProviderName } from './provider-names.js';

export interface ProviderEntry<S> {
  readonly name: ProviderName;
  /** The provider's section of the options file, parsed once per command before the provider runs. */
  readonly settings: SettingsSchema<S>;
  /** The provider's module, loaded on first use. */
  load(): Promise<Provider<S>>;
}

/** An entry whose settings and provider agree on `S` (checked where the entry is written). */
function entry<S>(value: ProviderEntry<S>): ProviderEntry<S> {
  return value;
}

export type ProviderTable = Readonly<Record<ProviderName, ProviderEntry<unknown>>>;

export const PROVIDERS: ProviderTable = {
  lab: entry({
    name: 'lab',
    settings: labSettings,
    load: async () => (await import('./lab/provider.js')).labProvider,
  }),
  kind: entry({
    name: 'kind',
    settings: kindSettings,
    load: async () => (await import('./kind/provider.js')).kindProvider,
  }),
  existing: entry({
    name: 'existing',
    settings: existingSettings,
    load: async () => (await import('./existing/provider.js')).existingProvider,
  }),
};
