/**
 * `doctor --provider kind`: checks this host for everything the kind provider needs and prints
 * one line per item, with the fix for each missing one. Exit 0 only when nothing is missing.
 */
import { type Command, Option } from 'commander';
import { EXIT_FAILED, EXIT_OK } from '../../common/errors.js';
import {
  checkKindHost,
  formatHostChecks,
  type HostFacts,
  realHostFacts,
} from '../../env/kind/host-checks.js';

export interface DoctorDeps {
  facts?: HostFacts;
  write?: (line: string) => void;
}

export async function doctorCommand(provider: string, deps: DoctorDeps = {}): Promise<number> {
  const write = deps.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const checks = await checkKindHost(deps.facts ?? realHostFacts());
  write(`egress-conformance doctor: can this host run the ${provider} provider?`);
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
    .action(async (flags: { provider: string }) => {
      process.exitCode = await doctorCommand(flags.provider, deps);
    });
}
