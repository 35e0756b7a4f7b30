/** `up`, `down`, `status`: manage environments outside a run (keep one up between runs). */
import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { UsageError } from '../../common/errors.js';
import { consoleLogger } from '../../common/log.js';
import type { ProviderName } from '../../env/environment.js';
import type { ProviderOptions } from '../../env/provider.js';
import { availableProviders, loadProvider } from '../../env/registry.js';
import { checkProviderSettings, readOptionsFile } from './run.js';

const PROVIDERS = ['lab', 'kind', 'existing'] as const;

interface EnvFlags {
  provider: ProviderName;
  debug?: boolean;
  all?: boolean;
  id?: string;
  family?: 'ipv4' | 'ipv6' | 'dual';
  optionsFile?: string;
  dryRun?: boolean;
}

async function providerFor(flags: EnvFlags) {
  const provider = await loadProvider(flags.provider);
  if (!provider) {
    throw new UsageError(
      `--provider ${flags.provider}: this build has no ${flags.provider} provider; available: ${availableProviders().join(', ') || 'none'}`,
    );
  }
  const log = consoleLogger(flags.debug ?? false);
  // The same provider settings as `run --options-file`, so that `run` finds what `up` made.
  const file = flags.optionsFile ? await readOptionsFile(flags.optionsFile) : {};
  const options: ProviderOptions = {
    runId: randomBytes(3).toString('hex'),
    keep: true,
    settings: (file[flags.provider] as Record<string, unknown> | undefined) ?? {},
    log,
    signal: new AbortController().signal,
  };
  const family = flags.family ?? file.family;
  if (family) options.families = family === 'dual' ? ['ipv4', 'ipv6'] : [family];
  checkProviderSettings(provider, options.settings, flags.optionsFile);
  return { provider, options, log };
}

function providerOption() {
  return new Option('--provider <name>', 'environment provider').choices([...PROVIDERS]).default('lab');
}

function optionsFileOption() {
  return new Option(
    '--options-file <file>',
    "YAML run options; the provider's section (lab:, kind:, existing:) applies",
  );
}

export function registerEnvironmentCommands(program: Command): void {
  program
    .command('up')
    .description('bring an environment up and leave it running for later runs')
    .addOption(providerOption())
    .addOption(new Option('--family <family>', 'IP families').choices(['ipv4', 'ipv6', 'dual']))
    .addOption(optionsFileOption())
    .option('--dry-run', 'print the complete bring-up plan (every command and manifest) and create nothing')
    .option('--debug', 'verbose output and stack traces')
    .action(async (flags: EnvFlags) => {
      const { provider, options, log } = await providerFor(flags);
      if (flags.dryRun) {
        if (!provider.printPlan)
          throw new UsageError(`--dry-run: the ${provider.name} provider has no bring-up plan to print`);
        log.info(provider.printPlan(options));
        return;
      }
      const up = await provider.up(options);
      const description = await up.env.describe();
      await up.env.close({ keep: true });
      log.info(`${up.reused ? 'reusing' : 'up'}: ${provider.name} environment ${description.id}`);
      for (const phase of up.phases) log.info(`  ${phase.name}: ${(phase.durationMs / 1000).toFixed(1)}s`);
    });

  program
    .command('down')
    .description('remove environments this tool created (after a crash too)')
    .addOption(providerOption())
    .addOption(optionsFileOption())
    .option('--all', 'remove every environment of this provider that this tool created')
    .option('--id <id>', 'remove the environment with this id')
    .option('--debug', 'verbose output and stack traces')
    .action(async (flags: EnvFlags) => {
      const { provider, options, log } = await providerFor(flags);
      const downOptions = { ...options, all: flags.all ?? false, ...(flags.id ? { id: flags.id } : {}) };
      const removed = await provider.down(downOptions);
      log.info(removed.length === 0 ? 'nothing to remove' : `removed: ${removed.join(', ')}`);
    });

  program
    .command('status')
    .description('show the environments this tool created and their state')
    .addOption(providerOption())
    .addOption(optionsFileOption())
    .option('--debug', 'verbose output and stack traces')
    .action(async (flags: EnvFlags) => {
      const { provider, options, log } = await providerFor(flags);
      const environments = await provider.status(options);
      if (environments.length === 0) log.info(`no ${provider.name} environment is up`);
      for (const env of environments) {
        log.info(`${env.id}: ${env.state}`);
        for (const line of env.details) log.info(`  ${line}`);
      }
    });
}
