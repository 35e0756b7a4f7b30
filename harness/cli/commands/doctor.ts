/**
 * `doctor --provider kind`: checks this host for everything the kind provider needs for the
 * given families and settings (the combination upstream must run, tools, kernel modules,
 * sysctls, disk) and prints one line per item, with the fix for each missing one. Exit 0 only
 * when nothing is missing.
 */
import { type Command, Option } from 'commander';
import { EXIT_FAILED, EXIT_OK } from '../../common/errors.js';
import type { IpFamily } from '../../env/environment.js';
import { formatHostChecks, type HostFacts } from '../../env/kind/host-checks.js';
import { createKindProvider } from '../../env/kind/provider.js';
import { kindSettings } from '../../env/kind/settings.js';
import { parseProviderSettings } from '../../run/session/provider-choice.js';
import { readOptionsFile } from './run.js';

export interface DoctorDeps {
  facts?: HostFacts;
  write?: (line: string) => void;
}

export interface DoctorFlags {
  provider: string;
  family?: 'ipv4' | 'ipv6' | 'dual';
  optionsFile?: string;
}

export async function doctorCommand(flags: DoctorFlags, deps: DoctorDeps = {}): Promise<number> {
  const write = deps.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const provider = createKindProvider(deps.facts ? { hostFacts: deps.facts } : {});
  const file = flags.optionsFile ? await readOptionsFile(flags.optionsFile) : {};
  // `kind:` parsed once, by kind's schema (its entry of the provider table).
  const settings = parseProviderSettings(kindSettings, file.kind, flags.optionsFile);
  const family = flags.family ?? file.family;
  const families: IpFamily[] | undefined = family
    ? family === 'dual'
      ? ['ipv4', 'ipv6']
      : [family]
    : undefined;
  const checks = await provider.hostChecks({ settings, ...(families ? { families } : {}) });
  write(`egress-conformance doctor: can this host run the ${flags.provider} provider?`);
  for (const line of formatHostChecks(checks)) write(line);
  const missing = checks.filter((c) => !c.ok);
  write(
    missing.length === 0
      ? 'everything the kind provider needs is here.'
      : `${missing.length} missing: ${missing.map((c) => c.item).join(', ')}. Without the kind provider, \`run --provider lab\` still runs the suite on the embedded reference lab.`,
  );
  return missing.length === 0 ? EXIT_OK : EXIT_FAILED;
}

export function registerDoctorCommand(program: Command, deps: DoctorDeps = {}): void {
  program
    .command('doctor')
    .description('check this host for what an environment provider needs, with the fix for each missing item')
    .addOption(
      new Option('--provider <name>', 'environment provider to check for').choices(['kind']).default('kind'),
    )
    .addOption(new Option('--family <family>', 'IP families to check for').choices(['ipv4', 'ipv6', 'dual']))
    .addOption(new Option('--options-file <file>', 'YAML run options; its kind: section and family apply'))
    .action(async (flags: DoctorFlags) => {
      process.exitCode = await doctorCommand(flags, deps);
    });
}
