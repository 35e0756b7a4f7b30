/**
 * `run`: options -> preflight -> environment up -> tests -> cleanup -> reports (DESIGN.md's flow).
 * Exit 0 when every counted test passed, 1 when a check failed, 2 on usage errors, 130 when
 * interrupted.
 */

import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../../common/errors.js';
import { readInputText } from '../../common/input-file.js';
import { OPTIONS_MAX_BYTES } from '../../common/limits.js';
import { consoleLogger, type Logger } from '../../common/log.js';
import { registerSecrets, secretsIn } from '../../common/secrets.js';
import { TOOL_VERSION } from '../../common/version.js';
import type { Environment, EnvironmentDescription, IpFamily, ProviderName } from '../../env/environment.js';
import type { Provider, ProviderOptions } from '../../env/provider.js';
import { availableProviders, loadProvider } from '../../env/registry.js';
import { Ledger } from '../../k8s/ledger.js';
import { ReporterMultiplexer } from '../../report/multiplexer.js';
import {
  createReporters,
  defaultReporters,
  parseReporterNames,
  REPORTER_NAMES,
} from '../../report/select.js';
import { checkAddressRoom, contextFor } from '../../run/context.js';
import {
  defaultReportDir,
  FAMILY_CHOICES,
  type OptionsFile,
  optionsFileSchema,
  PROFILE_CHOICES,
  PROVIDER_CHOICES,
  type RunOptions,
  redactOptions,
  timeoutsFrom,
} from '../../run/options.js';
import { type PlannedTest, planRun, type Shard, selectShard, unknownTestIds } from '../../run/plan.js';
import {
  type PhaseTiming,
  type RunError,
  type RunResult,
  runPassed,
  type TestResult,
} from '../../run/results.js';
import { baseResult, runsAlone, runTests } from '../../run/runner.js';
import { loadCatalogue } from '../../spec/catalogue.js';
import { formatProblem, parseYamlWith } from '../../spec/loader.js';
import { bodyAsWritten, type Step } from '../../spec/steps/index.js';
import { render } from '../../spec/template.js';
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

/** `I/N` with 1 <= I <= N <= 64. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || total > 64 || index < 1 || index > total) {
    throw new UsageError(`--shard ${text}: expected I/N with 1 <= I <= N <= 64, e.g. 2/3`);
  }
  return { index, total };
}

/** Defaults, then the options file, then flags. */
export async function resolveRunOptions(flags: RunFlags): Promise<RunOptions> {
  const file = flags.optionsFile ? await readOptionsFile(flags.optionsFile) : {};
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
    providerOptions: { lab: file.lab ?? {}, kind: file.kind ?? {}, existing: file.existing ?? {} },
  };
  const family = flags.family ?? file.family;
  if (family) options.family = family as RunOptions['family'];
  if (flags.parallel !== undefined) {
    const parallel = Number(flags.parallel);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 16) {
      throw new UsageError(`--parallel ${flags.parallel}: expected a whole number from 1 to 16`);
    }
    options.parallel = parallel;
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

function familiesOf(option: RunOptions['family']): IpFamily[] | undefined {
  if (option === undefined) return undefined;
  return option === 'dual' ? ['ipv4', 'ipv6'] : [option];
}

function newRunId(): string {
  return randomBytes(4).toString('hex').slice(0, 6);
}

async function requireProvider(name: ProviderName): Promise<Provider> {
  const provider = await loadProvider(name);
  if (!provider) {
    throw new UsageError(
      `--provider ${name}: this build has no ${name} provider; available: ${availableProviders().join(', ') || 'none'}`,
    );
  }
  return provider;
}

/**
 * The provider's own section of the options file, then its environment variables, checked before
 * anything runs; errors name the file (or the variable).
 */
export function checkProviderSettings(
  provider: Provider,
  settings: Record<string, unknown>,
  optionsFile: string | undefined,
): void {
  try {
    provider.checkSettings(settings);
  } catch (error) {
    if (error instanceof UsageError && optionsFile) {
      throw new UsageError(`--options-file ${optionsFile}: ${error.message}`, error.lines);
    }
    throw error;
  }
  provider.checkEnvironmentVariables?.();
}

/**
 * What must hold of a run's plan before anything is created: at least one test selected (zero
 * tests is no pass: exit 2 with the reason), and every selected test's rendered manifests inside
 * the scope guard (spec/scope.ts; contextFor throws a ScopeError naming the spec and field).
 */
function checkPlan(planned: PlannedTest[], options: RunOptions, description: EnvironmentDescription): void {
  const selected = planned.filter((t) => !t.skip || t.skip.reason === 'not-supported');
  if (selected.length === 0) {
    const why: string[] = [];
    if (planned.length === 0)
      why.push(`no scenario of profile ${options.profile} (see \`egress-conformance list\`)`);
    if (options.runTests.length > 0)
      why.push(`--run-test ${options.runTests.join(', ')} with --profile ${options.profile}`);
    if (options.skipTests.length > 0) why.push(`--skip-tests ${options.skipTests.join(', ')}`);
    if (options.skipProvisional) why.push('--skip-provisional');
    if (options.shard) why.push(`--shard ${options.shard.index}/${options.shard.total} gets none`);
    throw new UsageError(`no test selected: ${why.join('; ') || 'every test was left out'}`);
  }
  for (const test of planned) if (!test.skip) contextFor(test, description, options.scopeExceptions);
}

/**
 * The report directory must be one (or not exist yet): found out after the bring-up, a file there
 * was five reporter errors and a lab brought up for nothing.
 */
async function checkReportDir(reportDir: string): Promise<void> {
  const info = await stat(reportDir).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new UsageError(
      `--report-dir ${reportDir}: not a directory; expected a directory (or a path that does not exist yet)`,
    );
  }
}

/** `auto`: kind when the host can run it, else the embedded lab, said in one banner. */
async function chooseProvider(
  options: RunOptions,
  providerOptions: ProviderOptions,
  log: Logger,
): Promise<Provider> {
  if (options.provider !== 'auto') return requireProvider(options.provider);
  const kind = await loadProvider('kind');
  if (kind) {
    const problems = await kind
      .preflight({ ...providerOptions, settings: options.providerOptions.kind })
      .catch((error: unknown) => {
        // Settings kind refuses (a combination upstream does not run): the lab can still run.
        if (error instanceof UsageError) return [{ item: 'kind settings', problem: error.message, fix: '' }];
        throw error;
      });
    if (problems.length === 0) return kind;
    log.info(
      `provider auto: kind cannot run on this host (${problems.map((p) => p.item).join(', ')}); using the embedded reference lab.`,
    );
  } else {
    log.info('provider auto: no kind provider in this build; using the embedded reference lab.');
  }
  log.info(
    'NOTE: the reference lab proves the suite on real packets; its results certify no implementation.',
  );
  return requireProvider('lab');
}

function describeStep(step: Step, values: Record<string, string | number>): string {
  return `${step.kind}: ${JSON.stringify(render(bodyAsWritten(step), values))}`;
}

function printDryRun(
  planned: PlannedTest[],
  description: EnvironmentDescription,
  log: Logger,
  exceptions: RunOptions['scopeExceptions'],
): void {
  log.info(
    `dry run on the ${description.provider} provider (planned environment ${description.id}); nothing is created.`,
  );
  for (const test of planned) {
    const { scenario } = test.loaded;
    const head = `=== ${scenario.id} [${test.family}] namespace ${test.namespace}`;
    if (test.skip) {
      log.info(`${head}: skipped (${test.skip.reason}: ${test.skip.message})`);
      continue;
    }
    const ctx = contextFor(test, description, exceptions);
    log.info(head);
    log.info(`# objects applied (in step order), rendered for ${test.family}:`);
    for (const [name, object] of Object.entries(ctx.manifests)) {
      log.info(`---\n# manifest ${name}\n${stringify(object, { lineWidth: 0 }).trimEnd()}`);
    }
    log.info('# steps:');
    scenario.steps.forEach((step, i) => {
      log.info(`${i + 1}. ${describeStep(step, ctx.values)}`);
    });
  }
}

async function timed<T>(phases: PhaseTiming[], name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    phases.push({ name, durationMs: Math.round(performance.now() - started) });
  }
}

/** The plan of a run: every scenario x family, cut to this shard's slice when sharded. */
function planFor(
  catalogue: Awaited<ReturnType<typeof loadCatalogue>>,
  options: RunOptions,
  description: EnvironmentDescription,
  runId: string,
): PlannedTest[] {
  const planned = planRun(catalogue.scenarios, options, description, runId);
  checkAddressRoom(planned, description);
  return options.shard ? selectShard(planned, options.shard, runsAlone) : planned;
}

/** Tests that could not run because the environment never came up (or the run was stopped first). */
function notRun(planned: PlannedTest[], reason: 'not-run' | 'interrupted', message: string): TestResult[] {
  return planned.map((test) =>
    test.skip
      ? { ...baseResult(test), skipReason: test.skip.reason, message: test.skip.message }
      : { ...baseResult(test), skipReason: reason, message },
  );
}

/** What the reports say of an environment that never came up: its plan, or nothing known. */
function describeWithout(provider: Provider, settings: ProviderOptions): EnvironmentDescription {
  try {
    return provider.plannedDescription(settings);
  } catch {
    return {
      provider: provider.name,
      id: 'none',
      implementation: {
        name: 'unknown (no environment)',
        version: 'unknown',
        reference: provider.name === 'lab',
      },
      families: [],
      nodes: [],
      networks: [],
      peers: [],
      features: [],
      loadBalancerRanges: {},
      metallbNamespace: '',
      images: {},
      fingerprint: {},
    };
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] as string;
}

export async function runCommand(flags: RunFlags): Promise<number> {
  const options = await resolveRunOptions(flags);
  await checkReportDir(options.reportDir);
  const catalogue = await loadCatalogue(undefined, options.suites, undefined, options.scopeExceptions);
  if (catalogue.problems.length > 0) {
    throw new UsageError('invalid scenario specs', catalogue.problems.map(formatProblem));
  }
  const unknown = unknownTestIds(catalogue.scenarios, [...options.runTests, ...options.skipTests]);
  if (unknown.length > 0) {
    throw new UsageError(
      `--run-test/--skip-tests: no scenario with id ${unknown.join(', ')}; see \`egress-conformance list\``,
    );
  }
  const reporters = new ReporterMultiplexer(
    createReporters(options.dryRun ? [] : (options.reporters ?? defaultReporters()), {
      out: process.stdout,
      err: process.stderr,
      verbose: options.verbose ?? false,
      debug: options.debug,
    }),
  );
  // A dry run prints its plan and nothing else: straight to the console.
  const log = options.dryRun ? consoleLogger(options.debug) : reporters.logger();
  const printable = redactOptions({ ...options }) as Record<string, unknown>;
  log.info(`effective options:\n${stringify(printable).trimEnd().replace(/^/gm, '  ')}`);

  const runId = newRunId();
  const controller = new AbortController();
  const providerOptions: ProviderOptions = {
    runId,
    keep: options.keep,
    settings: {},
    log,
    signal: controller.signal,
  };
  const families = familiesOf(options.family);
  if (families) providerOptions.families = families;
  const provider = await chooseProvider(options, providerOptions, log);
  const settings = { ...providerOptions, settings: options.providerOptions[provider.name] };
  checkProviderSettings(provider, settings.settings, flags.optionsFile);
  // Before anything is created: something to run, and every manifest inside the scope guard.
  const planned = provider.plannedDescription(settings);
  checkPlan(planFor(catalogue, options, planned, runId), options, planned);

  if (options.dryRun) {
    if (provider.printPlan) log.info(provider.printPlan(settings));
    const description = provider.plannedDescription(settings);
    printDryRun(planFor(catalogue, options, description, runId), description, log, options.scopeExceptions);
    return EXIT_OK;
  }

  // From here on Ctrl-C stops cleanly: preflight, bring-up, tests and teardown all watch the
  // signal, and the reports are written whatever happens (a failed bring-up or teardown, an interrupt).
  const interrupt = handleInterrupts(log, 'stopping after cleanup', controller);
  const removeHandlers = () => interrupt.dispose();
  const phases: PhaseTiming[] = [];
  const errors: RunError[] = [];
  const startedAt = new Date().toISOString();
  const reportDir = resolve(options.reportDir);
  reporters.runBegin({ runId, startedAt, reportDir, ...(options.shard ? { shard: options.shard } : {}) });
  const fail = (error: RunError) => {
    errors.push(error);
    reporters.error(error);
  };
  /** A long phase, shown by the consoles while it runs; its error is returned, not thrown. */
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<{ value?: T; error?: unknown }> => {
    reporters.phaseBegin(name);
    const started = performance.now();
    try {
      const value = await timed(phases, name, work);
      reporters.phaseEnd(name, Math.round(performance.now() - started));
      return { value };
    } catch (error) {
      reporters.phaseEnd(name, Math.round(performance.now() - started), messageOf(error));
      return { error };
    }
  };
  /** The run's result as the reports take it: the same shape on every path that ends a run. */
  const resultOf = (environment: EnvironmentDescription, tests: TestResult[]): RunResult => ({
    runId,
    toolVersion: TOOL_VERSION,
    startedAt,
    finishedAt: new Date().toISOString(),
    environment,
    options: printable,
    tests,
    phases,
    interrupted: controller.signal.aborted,
    reportDir,
    errors,
    ...(options.shard ? { shard: options.shard } : {}),
  });
  /** The reports of a run whose environment never came up: every selected test not run, with why. */
  const reportNotRun = async (reason: 'not-run' | 'interrupted', why: string): Promise<number> => {
    removeHandlers();
    const description = describeWithout(provider, settings);
    const tests = notRun(planFor(catalogue, options, description, runId), reason, why);
    for (const test of tests) reporters.testEnd(test);
    const run = resultOf(description, tests);
    await reporters.runEnd(run);
    return run.interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
  };

  // Preflight: what the host lacks. Past this point the options are accepted, so a host that
  // cannot run the environment still gets its reports (JUnit's error case says why).
  const problems: Awaited<ReturnType<Provider['preflight']>> = [];
  const checked = await phase('preflight', async () => {
    problems.push(...(await provider.preflight(settings)));
    if (problems.length > 0) throw new Error(problems.map((p) => `${p.item}: ${p.problem}`).join('; '));
  });
  if (checked.error instanceof UsageError) {
    // Settings the provider refuses: the options were not accepted after all (exit 2).
    removeHandlers();
    throw checked.error;
  }
  if (checked.error !== undefined) {
    for (const p of problems) process.stderr.write(`${p.item}: ${p.problem} (fix: ${p.fix})\n`);
    const message = `the ${provider.name} provider cannot run on this host: ${messageOf(checked.error)}`;
    if (!controller.signal.aborted) fail({ phase: 'preflight', message });
    return reportNotRun(
      controller.signal.aborted ? 'interrupted' : 'not-run',
      controller.signal.aborted ? 'the run was interrupted during preflight' : message,
    );
  }
  let env: Environment | undefined;
  let description: EnvironmentDescription | undefined;
  let tests: TestResult[] = [];
  try {
    const up = await phase('bring-up', () => provider.up(settings));
    if (up.value) {
      phases.push(...up.value.phases.map((p) => ({ ...p, name: `bring-up: ${p.name}` })));
      env = up.value.env;
      description = await env.describe();
      const parallelism = options.parallel ?? description.parallelism ?? 1;
      log.info(
        `environment ${description.id}: ${description.implementation.name} ${description.implementation.version}, ` +
          `${description.nodes.length} nodes, ${description.families.join('+')}${up.value.reused ? ' (reused)' : ''}, ` +
          `up to ${parallelism} tests side by side`,
      );
      const planned = planFor(catalogue, options, description, runId);
      reporters.environmentUp(description, planned);
      const liveEnv = env;
      // What the tests create is recorded by uid where `down` finds it (the environment's state dir).
      const ledger = await Ledger.open(runId, env.stateDir ? join(env.stateDir, 'ledger') : undefined);
      const ended = new Map<string, TestResult>();
      try {
        tests = await timed(phases, 'tests', () =>
          runTests(planned, {
            env: liveEnv,
            description: description as EnvironmentDescription,
            runId,
            reportDir,
            timeouts: options.timeouts,
            scopeExceptions: options.scopeExceptions,
            signal: controller.signal,
            log,
            parallelism,
            ledger,
            events: {
              testBegin: (t) => reporters.testBegin(t),
              stepBegin: (t, s) => reporters.stepBegin(t, s),
              stepEnd: (t, s) => reporters.stepEnd(t, s),
              testEnd: (t) => {
                ended.set(t.namespace, t);
                reporters.testEnd(t);
              },
            },
          }),
        );
      } catch (error) {
        // A bug in the runner: report what ended, the rest as not run.
        fail({ phase: 'run', message: messageOf(error) });
        tests = planned.map(
          (t) =>
            ended.get(t.namespace) ?? notRun([t], 'not-run', 'the run failed before this test ended')[0]!,
        );
      }
      await ledger.closeIfEmpty().catch(() => undefined);
      for (const test of tests.filter((t) => t.status !== 'skipped')) {
        phases.push({ name: `scenario ${test.scenarioId} [${test.family}]`, durationMs: test.durationMs });
      }
      const down = await phase('teardown', () => liveEnv.close({ keep: options.keep }));
      env = undefined;
      if (down.error !== undefined) fail({ phase: 'teardown', message: messageOf(down.error) });
    } else {
      const interrupted = controller.signal.aborted;
      const why = interrupted
        ? 'the run was interrupted during bring-up'
        : `not run: the ${provider.name} environment did not come up (${messageOf(up.error)})`;
      if (!interrupted) fail({ phase: 'bring-up', message: messageOf(up.error) });
      description = describeWithout(provider, settings);
      tests = notRun(
        planFor(catalogue, options, description, runId),
        interrupted ? 'interrupted' : 'not-run',
        why,
      );
      for (const test of tests) reporters.testEnd(test);
    }
  } finally {
    if (env) {
      await env
        .close({ keep: options.keep })
        .catch((e: Error) => fail({ phase: 'teardown', message: e.message }));
    }
    removeHandlers();
  }
  const run = resultOf(description ?? describeWithout(provider, settings), tests);
  await reporters.runEnd(run);
  if (run.interrupted) return EXIT_INTERRUPTED;
  const ran = tests.filter((t) => t.status !== 'skipped').length;
  if (ran === 0 && errors.length === 0) {
    // Nothing was checked: that is no pass. Say why (the reports are written all the same).
    const reasons = [...new Set(tests.map((t) => t.message ?? t.skipReason ?? ''))].filter(Boolean);
    throw new UsageError(`no test ran: every selected test was skipped (${reasons.slice(0, 3).join('; ')})`);
  }
  return runPassed({ ...run, errors: [...errors, ...reporters.errors] }) ? EXIT_OK : EXIT_FAILED;
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
