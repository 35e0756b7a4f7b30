/**
 * Which environment a command runs on. `run` and `up` both choose here, so that on a host that can
 * run kind the two never pick different environments (issue #23): `auto` (the default of both)
 * takes kind when its preflight finds nothing missing, else the embedded reference lab, and the
 * choice is printed either way.
 */
import type { Logger } from '../common/log.js';
import type { ProviderName } from '../env/environment.js';
import type { Provider, ProviderOptions } from '../env/provider.js';
import { availableProviders, loadProvider } from '../env/registry.js';
import {
  chooseProvider as chooseFrom,
  type ProviderSource,
  requireProvider as requireFrom,
} from '../run/session/provider-choice.js';

/** What `--provider` accepts in `run` and `up`. */
export type ProviderRequest = ProviderName | 'auto';

/** The provider the flag, the options file or the default (`auto`) asks for. */
export function requestedProvider(flag: string | undefined, file: string | undefined): ProviderRequest {
  return (flag ?? file ?? 'auto') as ProviderRequest;
}

/** The build's providers, as the run session finds them. */
const registry: ProviderSource = { load: loadProvider, available: availableProviders };

export function requireProvider(name: ProviderName): Promise<Provider> {
  return requireFrom(registry, name);
}

/** The provider for `requested`, chosen and printed as `run` does (run/session/provider-choice.ts). */
export function chooseProvider(
  requested: ProviderRequest,
  kindSettings: Record<string, unknown>,
  providerOptions: ProviderOptions,
  log: Logger,
): Promise<Provider> {
  return chooseFrom(registry, requested, kindSettings, providerOptions, log);
}
