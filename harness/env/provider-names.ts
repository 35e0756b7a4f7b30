/**
 * The names of the providers this build ships, in one place: the provider table (providers.ts)
 * is keyed by them, and the CLI's choices, the options file's sections, the report's enum and the
 * import rules (.dependency-cruiser.cjs reads this list) derive from them. A leaf module: it is
 * read by code that must not load any provider.
 */
export const PROVIDER_NAMES = ['lab', 'kind', 'existing'] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];
