/** `up`, `down`, `status`: manage environments outside a run (keep one up between runs). */
import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { EXIT_FAILED, EXIT_INTERRUPTED, UsageError } from '../../common/errors.js';
import { consoleLogger } from '../../common/log.js';
import type { ProviderName } from '../../env/environment.js';
import { LAB_ID_PATTERN } from '../../env/lab/infra/labels.js';
import type { ProviderOptions } from '../../env/provider.js';
import { PROVIDER_NAMES } from '../../env/provider-names.js';
import { handleInterrupts, type Interrupt } from '../interrupt.js';
import {
  chooseProvider,
  namedProvider,
  type ProviderRequest,
  requestedProvider,
} from '../provider-choice.js';
import { readOptionsFile } from './run.js';

interface EnvFlags {
  /** `up` takes `auto` (its default, as `run`'s); `down` and `status` name one provider. */
  provider?: ProviderRequest;
  debug?: boolean;
  all?: boolean;
  id?: string;
  force?: boolean;
  family?: 'ipv4' | 'ipv6' | 'dual';
  optionsFile?: string;
  dryRun?: boolean;
}

/**
 * The provider and its options. `up` chooses as `run` does (flag, then the options file's
 * `provider:`, then `auto`) and says what it chose; `down` and `status` act on the one named
 * (default: the lab).
 */
async function providerFor(flags: EnvFlags, signal: AbortSignal, choose: boolean) {
  const log = consoleLogger(flags.debug ?? false);
  // The same provider settings as `run --options-file`, so that `run` finds what `up` made.
  const file = flags.optionsFile ? await readOptionsFile(flags.optionsFile) : {};
  const base: Omit<ProviderOptions, 'settings'> = {
    runId: randomBytes(3).toString('hex'),
    keep: true,
    log,
    signal,
  };
  const family = flags.family ?? file.family;
  if (family) base.families = family === 'dual' ? ['ipv4', 'ipv6'] : [family];
  // The chosen provider's section of the options file, parsed once by the provider table's schema.
  const { provider, options } = choose
    ? await chooseProvider(
        requestedProvider(flags.provider, file.provider),
        file,
        base,
        log,
        flags.optionsFile,
      )
    : await namedProvider((flags.provider ?? 'lab') as ProviderName, file, base, flags.optionsFile);
  return { provider, options, log };
}

/**
 * The command to run next on the environment `up` left running: `run` with the same provider,
 * families and options file finds it again (by its labels) and reuses it.
 */
export function nextCommand(provider: ProviderName, flags: Pick<EnvFlags, 'family' | 'optionsFile'>): string {
  const words = ['egress-conformance', 'run', '--provider', provider];
  if (flags.family) words.push('--family', flags.family);
  if (flags.optionsFile) words.push('--options-file', shellWord(flags.optionsFile));
  return words.join(' ');
}

/** A word as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * Runs an environment command with Ctrl-C handled: the first signal aborts what it is doing (the
 * bring-up removes what it made), the command finishes its cleanup and exits 130.
 */
async function withInterrupts(flags: EnvFlags, then: string, work: (interrupt: Interrupt) => Promise<void>) {
  const interrupt = handleInterrupts(consoleLogger(flags.debug ?? false), then);
  try {
    await work(interrupt);
  } catch (error) {
    if (!interrupt.interrupted) throw error;
    process.stderr.write(`egress-conformance: interrupted (${(error as Error).message.split('\n')[0]})\n`);
  } finally {
    interrupt.dispose();
  }
  if (interrupt.interrupted) process.exitCode = EXIT_INTERRUPTED;
}

/** What an environment id looks like (lab, kind and existing ids alike): no spaces, no path. */
const ENVIRONMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * `down`'s target, checked before anything is looked at: an `--id` must be an id (an empty one
 * once meant "every kept environment"), and `--id` with `--all` is ambiguous.
 */
function checkDownTarget(flags: EnvFlags): void {
  if (flags.id !== undefined && !ENVIRONMENT_ID.test(flags.id)) {
    throw new UsageError(
      `--id ${JSON.stringify(flags.id)}: expected an environment id (letters, digits, '.', '_', '-'; see \`status\`)`,
    );
  }
  // A lab id is narrower (labels.ts): `ECLAB-17F221` passed the check above, then failed in the lab
  // provider with an error of two lines, exit 1.
  if (flags.id !== undefined && flags.provider === 'lab' && !LAB_ID_PATTERN.test(flags.id)) {
    throw new UsageError(
      `--id ${JSON.stringify(flags.id)}: expected a lab id (1-30 characters of a-z, 0-9 and '-', starting with a letter or digit; see \`status\`)`,
    );
  }
  if (flags.id !== undefined && flags.all) throw new UsageError('--id and --all: expected one of them');
}

function providerOption() {
  return new Option('--provider <name>', 'environment provider').choices([...PROVIDER_NAMES]).default('lab');
}

/** `up`'s provider: chosen as `run` chooses, `auto` by default (kind when the host can run it). */
function upProviderOption() {
  return new Option(
    '--provider <name>',
    "environment provider (default: the options file's, else auto: kind when this host can run it, else the lab)",
  ).choices(['auto', ...PROVIDER_NAMES]);
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
    .addOption(upProviderOption())
    .addOption(new Option('--family <family>', 'IP families').choices(['ipv4', 'ipv6', 'dual']))
    .addOption(optionsFileOption())
    .option('--dry-run', 'print the complete bring-up plan (every command and manifest) and create nothing')
    .option('--debug', 'verbose output and stack traces')
    .action((flags: EnvFlags) =>
      withInterrupts(flags, 'stopping the bring-up and removing what it made', async (interrupt) => {
        const { provider, options, log } = await providerFor(flags, interrupt.signal, true);
        if (flags.dryRun) {
          if (!provider.printPlan)
            throw new UsageError(`--dry-run: the ${provider.name} provider has no bring-up plan to print`);
          log.info(provider.printPlan(options));
          return;
        }
        const up = await provider.up(options);
        if (interrupt.interrupted) {
          // The bring-up finished before it saw the signal: what it made goes (a reused one stays).
          await up.env.close({ keep: up.reused });
          return;
        }
        const description = await up.env.describe();
        await up.env.close({ keep: true });
        log.info(`${up.reused ? 'reusing' : 'up'}: ${provider.name} environment ${description.id}`);
        for (const phase of up.phases) log.info(`  ${phase.name}: ${(phase.durationMs / 1000).toFixed(1)}s`);
        log.info(`next: ${nextCommand(provider.name, flags)}`);
        log.info(
          // By its id: `down --provider lab` alone removes every kept lab, other users' too.
          `  (it reuses this environment; \`egress-conformance down --provider ${provider.name} --id ${description.id}\` removes it)`,
        );
      }),
    );

  program
    .command('down')
    .description('remove environments this tool created (after a crash too)')
    .addOption(providerOption())
    .addOption(optionsFileOption())
    .option('--all', 'remove every idle environment of this provider that this tool created')
    .option('--id <id>', 'remove the environment with this id, if no run is using it')
    .option('--force', 'remove environments another run is using too (their lease is held)')
    .option('--debug', 'verbose output and stack traces')
    .action((flags: EnvFlags) =>
      // An interrupted down still finishes removing (it is the cleanup), then exits 130.
      withInterrupts(flags, 'finishing the removal', async () => {
        checkDownTarget(flags);
        const { provider, options, log } = await providerFor(flags, new AbortController().signal, false);
        const downOptions = {
          ...options,
          all: flags.all ?? false,
          force: flags.force ?? false,
          ...(flags.id !== undefined ? { id: flags.id } : {}),
        };
        const { removed, kept } = await provider.down(downOptions);
        if (removed.length > 0) log.info(`removed: ${removed.join(', ')}`);
        else if (kept.length === 0) log.info('nothing to remove');
        // An environment a run holds is left up: said, with who holds it and how to remove it anyway.
        for (const { id, why } of kept) {
          log.info(
            `kept ${id}: ${why}; \`down --provider ${provider.name} --id ${id} --force\` removes it anyway`,
          );
        }
        // The one environment asked for by id was not removed: that is a failure, not a no-op.
        if (flags.id !== undefined && kept.length > 0) process.exitCode = EXIT_FAILED;
      }),
    );

  program
    .command('status')
    .description('show the environments this tool created and their state')
    .addOption(providerOption())
    .addOption(optionsFileOption())
    .option('--debug', 'verbose output and stack traces')
    .action((flags: EnvFlags) =>
      withInterrupts(flags, 'stopping', async (interrupt) => {
        const { provider, options, log } = await providerFor(flags, interrupt.signal, false);
        // Status only reads: an interrupt ends it where it is.
        const environments = await Promise.race([
          provider.status(options),
          new Promise<never>((_, reject) => {
            interrupt.signal.addEventListener('abort', () => reject(interrupt.signal.reason), { once: true });
          }),
        ]);
        if (environments.length === 0) log.info(`no ${provider.name} environment is up`);
        for (const env of environments) {
          log.info(`${env.id}: ${env.state}`);
          for (const line of env.details) log.info(`  ${line}`);
        }
      }),
    );
}
