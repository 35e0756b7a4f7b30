/** The providers this build ships. Each loads its module only when used. */
import { registerProvider } from './registry.js';

let registered = false;

export function registerProviders(): void {
  if (registered) return;
  registered = true;
  registerProvider('lab', async () => (await import('./lab/provider.js')).labProvider);
  registerProvider('kind', async () => (await import('./kind/provider.js')).kindProvider);
  registerProvider('existing', async () => (await import('./existing/provider.js')).existingProvider);
}
