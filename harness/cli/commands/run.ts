/**
 * `run`: parses the flags and the options file into RunOptions and runs a session
 * (run/session/session.ts: resolve, plan, preflight, bring-up, tests, teardown, reports).
 * Exit 0 when every counted test passed, 1 when a check failed, 2 on usage errors, 130 when
 * interrupted.
 */

import { type Command, Option } from 'commander';
import { UsageError } from '../../common/errors.js';
import { readInputText } from '../../common/input-file.js';
import { OPTIONS_MAX_BYTES } from '../../common/limits.js';
import { expectedWholeNumber, parseWholeNumber, shownValue } from '../../common/numbers.js';
import { registerSecrets, secretsIn } from '../../common/secrets.js';
import { PROVIDER_NAMES } from '../../env/provider-names.js';
import { PROVIDER_REGISTRY } from '../../env/registry.js';
import {
  createReporters,
  defaultReporters,
  parseReporterNames,
  REPORTER_NAMES,
} from '../../report/select.js';
import {
  defaultReportDir,
  FAMILY_CHOICES,
  type OptionsFile,
  optionsFileSchema,
  PROFILE_CHOICES,
  PROVIDER_CHOICES,
  type RunOptions,
  timeoutsFrom,
} from '../../run/options.js';
import type { Shard } from '../../run/plan.js';
import { runSession } from '../../run/session/session.js';
import { formatProblem, parseYamlWith } from '../../spec/loader.js';
import { isTimeoutName, TIMEOUT_NAMES, timeoutProblem } from '../../spec/timeouts.js';
import { handleInterrupts } from '../interrupt.js';

interface RunFlags {
  provider?: string;
  profile?: string;
  runTest?: string[];
  skipTests?: string;
  family?: string;
  reportDir?: string;
  optionsFile?: string;
  timeout?: string[];
  keep?: boolean;
  parallel?: string;
  dryRun?: boolean;
  debug?: boolean;
  skipProvisional?: boolean;
  suites?: string;
  labFault?: string[];
  reporter?: string;
  shard?: string;
  verbose?: boolean;
  grep?: string;
  grepInvert?: string;
  statement?: string[];
  feature?: string[];
  lastFailed?: boolean;
  retries?: string;
  maxFailures?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Reads the options file: a regular file within OPTIONS_MAX_BYTES (a FIFO or a device is refused
 * before it is read), validated. Every secret in it is registered for redaction before anything
 * is printed, whatever key it sits under.
 */
export async function readOptionsFile(path: string): Promise<OptionsFile> {
  const text = await readInputText(path, { maxBytes: OPTIONS_MAX_BYTES, label: '--options-file' });
  const result = parseYamlWith(optionsFileSchema, text, path, 'run options');
  if (!result.ok) throw new UsageError('', result.problems.map(formatProblem));
  registerSecrets(secretsIn(result.data));
  return result.data;
}

function parseTimeoutFlags(values: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const name = equals < 0 ? value : value.slice(0, equals);
    const duration = equals < 0 ? '' : value.slice(equals + 1);
    if (!isTimeoutName(name)) {
      throw new UsageError(
        `--timeout ${value}: unknown timeout '${name}'; expected one of ${TIMEOUT_NAMES.join(', ')}`,
      );
    }
    const problem = timeoutProblem(name, duration);
    if (problem !== undefined) throw new UsageError(`--timeout ${value}: ${problem}`);
    result[name] = duration;
  }
  return result;
}

/** `I/N` with 1 <= I <= N <= 64, each a whole number as common/numbers.ts writes it (not `01/02`). */
export function parseShard(text: string): Shard {
  const [indexText = '', totalText = '', ...rest] = text.split('/');
  const total = parseWholeNumber(totalText, 1, 64);
  const index = total === undefined ? undefined : parseWholeNumber(indexText, 1, total);
  if (rest.length > 0 || total === undefined || index === undefined) {
    throw new UsageError(
      `--shard ${shownValue(text)}: expected I/N with 1 <= I <= N <= 64 in decimal digits (no sign, space or leading zero), e.g. 2/3`,
    );
  }
  return { index, total };
}

/** A whole number flag from `min` to `max` (common/numbers.ts), or a one-line usage error naming it. */
function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = parseWholeNumber(text, min, max);
  if (value === undefined)
    throw new UsageError(`${flag} ${shownValue(text)}: ${expectedWholeNumber(min, max)}`);
  return value;
}

/** `--grep`, `--statement`, `--retries` and the rest of run control (docs/run-control.md). */
function applyRunControl(options: RunOptions, flags: RunFlags, file: OptionsFile): void {
  if (flags.grep !== undefined) options.grep = flags.grep;
  if (flags.grepInvert !== undefined) options.grepInvert = flags.grepInvert;
  const split = (values: string[] | undefined) =>
    (values ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  if (flags.statement) options.statements = split(flags.statement);
  if (flags.feature) options.features = split(flags.feature);
  const retries = flags.retries !== undefined ? wholeNumber('--retries', flags.retries, 0, 10) : file.retries;
  if (retries !== undefined) options.retries = retries;
  const maxFailures =
    flags.maxFailures !== undefined
      ? wholeNumber('--max-failures', flags.maxFailures, 0, 10_000)
      : file.maxFailures;
  if (maxFailures !== undefined) options.maxFailures = maxFailures;
}

const SCENARIO_ID = 'an empty scenario id; expected an id (see `egress-conformance list`)';

/**
 * Each selection flag's values, with what an empty one is: lists split at commas, patterns whole.
 * An empty value (a CI variable left empty) would select every test or none, silently.
 */
const SELECTION_FLAGS: ReadonlyArray<[keyof RunFlags, string, 'list' | 'whole', string]> = [
  ['runTest', '--run-test', 'whole', SCENARIO_ID],
  ['skipTests', '--skip-tests', 'list', SCENARIO_ID],
  ['statement', '--statement', 'list', 'an empty statement id; expected an id such as ES-SNAT-1'],
  ['feature', '--feature', 'list', 'an empty feature name; expected a name such as NodeLabel'],
  ['grep', '--grep', 'whole', 'an empty pattern; expected a regular expression'],
  ['grepInvert', '--grep-invert', 'whole', 'an empty pattern; expected a regular expression'],
];

/** Refuses an empty selection value, or an empty item of a list (`ES-SNAT-1,`), in one line. */
function checkSelectionFlags(flags: RunFlags): void {
  for (const [key, flag, form, why] of SELECTION_FLAGS) {
    const given = flags[key];
    const values = given === undefined ? [] : Array.isArray(given) ? given : [String(given)];
    for (const value of values) {
      const items = form === 'list' ? value.split(',') : [value];
      if (items.some((item) => item.trim() === '')) throw new UsageError(`${flag} '${value}': ${why}`);
    }
  }
}

/** Defaults, then the options file, then flags. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: flag, options-file and default precedence for every run option in one place
export async function resolveRunOptions(flags: RunFlags): Promise<RunOptions> {
  const file = flags.optionsFile ? await readOptionsFile(flags.optionsFile) : {};
  checkSelectionFlags(flags);
  const skipFlag = flags.skipTests
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const options: RunOptions = {
    provider: (flags.provider ?? file.provider ?? 'auto') as RunOptions['provider'],
    profile: (flags.profile ?? file.profile ?? 'core') as RunOptions['profile'],
    runTests: flags.runTest ?? file.runTests ?? [],
    skipTests: skipFlag ?? file.skipTests ?? [],
    reportDir: flags.reportDir ?? file.reportDir ?? defaultReportDir(),
    timeouts: timeoutsFrom({
      ...(file.timeouts as Record<string, string>),
      ...parseTimeoutFlags(flags.timeout ?? []),
    }),
    keep: flags.keep ?? file.keep ?? false,
    dryRun: flags.dryRun ?? false,
    debug: flags.debug ?? false,
    skipProvisional: flags.skipProvisional ?? file.skipProvisional ?? false,
    providerOptions: Object.fromEntries(
      PROVIDER_NAMES.map((name) => [name, file[name] ?? {}]),
    ) as RunOptions['providerOptions'],
  };
  const family = flags.family ?? file.family;
  if (family) options.family = family as RunOptions['family'];
  if (flags.parallel !== undefined) {
    // Decimal digits only: Number() also reads 0x10, 1e1 and ' 8 ' (common/numbers.ts).
    options.parallel = wholeNumber('--parallel', flags.parallel, 1, 16);
  } else if (file.parallel !== undefined) {
    options.parallel = file.parallel;
  }
  const suites = flags.suites ?? file.suites;
  if (suites) options.suites = suites;
  if (file.implementation) options.implementation = file.implementation;
  if (file.scopeExceptions) options.scopeExceptions = file.scopeExceptions;
  if (flags.reporter !== undefined) options.reporters = parseReporterNames(flags.reporter, '--reporter');
  else if (file.reporter !== undefined)
    options.reporters = parseReporterNames(file.reporter, 'options file reporter:');
  if (flags.verbose) options.verbose = true;
  applyRunControl(options, flags, file);
  if (flags.shard !== undefined) options.shard = parseShard(flags.shard);
  if (flags.labFault) {
    if (options.provider !== 'lab') {
      throw new UsageError(
        `--lab-fault: faults exist only in the reference lab; expected --provider lab (the provider is ${options.provider})`,
      );
    }
    options.providerOptions.lab = { ...options.providerOptions.lab, faults: flags.labFault };
  }
  return options;
}

/** Parses the flags, runs the session (run/session/session.ts), returns its exit code. */
export async function runCommand(flags: RunFlags): Promise<number> {
  const options = await resolveRunOptions(flags);
  return runSession({
    options,
    ...(flags.optionsFile ? { optionsFile: flags.optionsFile } : {}),
    ...(flags.lastFailed ? { lastFailed: true } : {}),
    reporters: createReporters(options.dryRun ? [] : (options.reporters ?? defaultReporters()), {
      out: process.stdout,
      err: process.stderr,
      verbose: options.verbose ?? false,
      debug: options.debug,
    }),
    providers: PROVIDER_REGISTRY,
    interrupts: (log, controller) => handleInterrupts(log, 'stopping after cleanup', controller),
  });
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the conformance scenarios and write the reports')
    .addOption(new Option('--provider <name>', 'environment provider').choices([...PROVIDER_CHOICES]))
    .addOption(
      new Option('--profile <name>', 'which profile to run (default: core)').choices([...PROFILE_CHOICES]),
    )
    .option('--run-test <id>', 'run only this scenario (repeatable)', collect)
    .option('--skip-tests <ids>', 'comma-separated scenario ids to skip')
    .option('-g, --grep <regex>', 'run only scenarios whose "<id> <title>" matches')
    .option('--grep-invert <regex>', 'leave out scenarios whose "<id> <title>" matches')
    .option(
      '--statement <ids>',
      'run only scenarios covering these statements, e.g. ES-SNAT-1 (repeatable)',
      collect,
    )
    .option(
      '--feature <names>',
      'run only scenarios that need these features, e.g. NodeLabel (repeatable)',
      collect,
    )
    .option('--last-failed', 'run only the tests that failed (or were interrupted) in the newest report')
    .option(
      '--retries <n>',
      'run a failed test again up to N times; passing on a retry is flaky (default: 0)',
    )
    .option('--max-failures <n>', 'start no further test once N tests have failed (default: 0, no limit)')
    .addOption(
      new Option(
        '--family <family>',
        'IP family to test (default: every family the environment offers)',
      ).choices([...FAMILY_CHOICES]),
    )
    .option('--report-dir <dir>', 'where reports and artifacts go (default: test-results/<timestamp>)')
    .option('--options-file <file>', 'YAML file with run options; flags override it')
    .option(
      '--timeout <name=duration>',
      `override a named timeout (repeatable): ${TIMEOUT_NAMES.join(', ')}`,
      collect,
    )
    .option('--keep', 'leave the environment up after the run, for reuse')
    .option(
      '--parallel <n>',
      "tests run side by side (default: the environment's suggestion; the lab's: 4 per core, at most 16, fewer on a small memory)",
    )
    .option('--skip-provisional', 'do not run provisional scenarios')
    .option('--suites <dir>', 'scenario folder (default: the suites shipped with the tool)')
    .option(
      '--lab-fault <name>',
      'run the reference lab with a known fault (repeatable; see `lab faults`)',
      collect,
    )
    .option(
      '--reporter <names>',
      `console reporters, comma-separated: ${REPORTER_NAMES.slice(0, 4).join(', ')} (default: list; line,github on GitHub Actions); junit, conformance, html, summary and results are always written`,
    )
    .option(
      '--shard <i/n>',
      'run only the I-th of N deterministic slices of the tests (merge with merge-reports)',
    )
    .option('--verbose', "print every test's steps, not only a failed test's")
    .option('--dry-run', 'print per scenario and family the objects and steps, without any environment')
    .option('--debug', 'verbose output and stack traces')
    .action(async (flags: RunFlags) => {
      process.exitCode = await runCommand(flags);
    });
}
