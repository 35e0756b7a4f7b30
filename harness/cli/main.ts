/**
 * The `egress-conformance` command line. Only the invoked command's module is loaded: `run` pulls in
 * the Kubernetes client, testcontainers and zod, which `--version` or `pcap summary` must not pay
 * for at start-up (issue #15).
 */
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../common/errors.js';
import { escapeControl } from '../common/escape.js';
import { installOutputRedaction } from '../common/secrets.js';
import { TOOL_VERSION } from '../common/version.js';
import { tolerateClosedOutput } from './closed-output.js';
import { reportError } from './errors.js';
import { addExamples } from './examples.js';

type Register = (program: Command) => void;

/**
 * Every top-level command name, in help order, with the loader of the module that registers it.
 * `up`, `down` and `status` share one module (and register together).
 */
const COMMANDS: ReadonlyArray<readonly [names: readonly string[], load: () => Promise<Register>]> = [
  [['list'], async () => (await import('./commands/list.js')).registerListCommand],
  [['validate'], async () => (await import('./commands/validate.js')).registerValidateCommand],
  [['run'], async () => (await import('./commands/run.js')).registerRunCommand],
  [
    ['up', 'down', 'status'],
    async () => (await import('./commands/environment.js')).registerEnvironmentCommands,
  ],
  [['pcap'], async () => (await import('./commands/pcap.js')).registerPcapCommand],
  [['doctor'], async () => (await import('./commands/doctor.js')).registerDoctorCommand],
  [['lab'], async () => (await import('./commands/lab.js')).registerLabCommand],
  [['merge-reports'], async () => (await import('./commands/merge-reports.js')).registerMergeReportsCommand],
  [['report'], async () => (await import('./commands/report.js')).registerReportCommand],
];

/**
 * The command an argv invokes: the first word that is not an option (the program itself takes no
 * option values). `help NAME` invokes NAME's help. Undefined when there is none.
 */
export function invokedCommand(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? (words[1] ?? 'help') : words[0];
}

/**
 * Which command modules an argv needs: the invoked one; none for a bare `--version`; all of them
 * when the top-level help is shown or the name is unknown (so commander can list or suggest
 * every command, exactly as before).
 */
function loadersFor(args: readonly string[]): Array<() => Promise<Register>> {
  const name = invokedCommand(args);
  const wantsHelp = args.includes('--help') || args.includes('-h');
  const wantsVersion = args.includes('--version') || args.includes('-V');
  if (name === undefined && wantsVersion && !wantsHelp) return [];
  const entry = COMMANDS.find(([names]) => name !== undefined && names.includes(name));
  return entry ? [entry[1]] : COMMANDS.map(([, load]) => load);
}

function baseProgram(): Command {
  return (
    new Command('egress-conformance')
      .description('Conformance suite for OVN-Kubernetes EgressService, judged from packets on the wire')
      .version(TOOL_VERSION)
      .showHelpAfterError('(add --help for usage)')
      // Commander quotes what the user typed (an unknown option, a bad choice): a control character
      // there must not reach the terminal. Its own messages are one line plus a suggestion line.
      .configureOutput({ outputError: (text, write) => write(escapeCommanderText(text)) })
  );
}

/** Escapes control characters in commander's error text, keeping its own line breaks. */
export function escapeCommanderText(text: string): string {
  const trailing = text.endsWith('\n') ? '\n' : '';
  const body = trailing ? text.slice(0, -1) : text;
  return `${body
    .split(/\n(?=\(Did you mean )/)
    .map((part) => escapeControl(part))
    .join('\n')}${trailing}`;
}

/** Every subcommand throws instead of exiting, so that main() owns the exit code. */
function throwInsteadOfExit(command: Command): void {
  command.exitOverride();
  command.commands.forEach(throwInsteadOfExit);
}

/**
 * The program with the commands `args` (user arguments, without node and script) needs; with no
 * args, every command.
 */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = baseProgram();
  const loaders = args === undefined ? COMMANDS.map(([, load]) => load) : loadersFor(args);
  const registers = await Promise.all(loaders.map((load) => load()));
  for (const register of registers) register(program);
  program.commands.forEach(addExamples);
  throwInsteadOfExit(program);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  // Whatever any command prints passes through redaction of the secrets its inputs registered.
  installOutputRedaction();
  tolerateClosedOutput();
  const args = argv.slice(2);
  const debug = argv.includes('--debug');
  let program: Awaited<ReturnType<typeof buildProgram>> | undefined;
  try {
    program = await buildProgram(args);
    process.exitCode = undefined;
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; everything else commander rejects is usage.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    // "run with --debug" only from a command that has --debug.
    const command = program?.commands.find((c) => c.name() === args[0]);
    const hasDebug = command?.options.some((o) => o.long === '--debug') ?? false;
    return reportError(error, debug, hasDebug);
  }
}
