/**
 * Which environment a command runs on. `run` and `up` both choose here, so that on a host that can
 * run kind the two never pick different environments (issue #23): `auto` (the default of both)
 * takes kind when its preflight finds nothing missing, else the embedded reference lab, and the
 * choice is printed either way. The chosen provider's section of the options file is parsed once,
 * by its schema in the provider table.
 */
import type { Logger } from '../common/log.js';
import type { ProviderName } from '../env/environment.js';
import type { ProviderOptions } from '../env/provider.js';
import { PROVIDER_REGISTRY } from '../env/registry.js';
import {
  type ChosenProvider,
  chooseProvider as chooseFrom,
  namedProvider as namedFrom,
  type ProviderSections,
} from '../run/session/provider-choice.js';

/** What `--provider` accepts in `run` and `up`. */
export type ProviderRequest = ProviderName | 'auto';

/** The provider the flag, the options file or the default (`auto`) asks for. */
export function requestedProvider(flag: string | undefined, file: string | undefined): ProviderRequest {
  return (flag ?? file ?? 'auto') as ProviderRequest;
}

/** The provider named, with its settings parsed (`down`, `status`). */
export function namedProvider(
  name: ProviderName,
  sections: ProviderSections,
  base: Omit<ProviderOptions, 'settings'>,
  optionsFile: string | undefined,
): Promise<ChosenProvider> {
  return namedFrom(PROVIDER_REGISTRY, name, sections, base, optionsFile);
}

/** The provider for `requested`, chosen and printed as `run` does (run/session/provider-choice.ts). */
export function chooseProvider(
  requested: ProviderRequest,
  sections: ProviderSections,
  base: Omit<ProviderOptions, 'settings'>,
  log: Logger,
  optionsFile: string | undefined,
): Promise<ChosenProvider> {
  return chooseFrom(PROVIDER_REGISTRY, requested, sections, base, log, optionsFile);
}
