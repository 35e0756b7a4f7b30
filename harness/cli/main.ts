/** The `egress-conformance` command line. */
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../common/errors.js';
import { TOOL_VERSION } from '../common/version.js';
import { registerProviders } from '../env/providers.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerEnvironmentCommands } from './commands/environment.js';
import { registerLabCommand } from './commands/lab.js';
import { registerListCommand } from './commands/list.js';
import { registerMergeReportsCommand } from './commands/merge-reports.js';
import { registerPcapCommand } from './commands/pcap.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunCommand } from './commands/run.js';
import { registerValidateCommand } from './commands/validate.js';
import { reportError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('egress-conformance')
    .description('Conformance suite for OVN-Kubernetes EgressService, judged from packets on the wire')
    .version(TOOL_VERSION)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) });
  registerListCommand(program);
  registerValidateCommand(program);
  registerRunCommand(program);
  registerEnvironmentCommands(program);
  registerPcapCommand(program);
  registerDoctorCommand(program);
  registerLabCommand(program);
  registerMergeReportsCommand(program);
  registerReportCommand(program);
  // Every subcommand throws instead of exiting, so that main() owns the exit code.
  const exitOverride = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  registerProviders();
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; everything else commander rejects is usage.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    return reportError(error, debug);
  }
}
