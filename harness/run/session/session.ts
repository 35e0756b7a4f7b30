/**
 * A run, as ordered tasks (tasks.ts): resolve, plan, reports, preflight, bring-up, tests. Each
 * task that makes something undoes it in its own teardown: the tests task closes the ledger, the
 * bring-up task tears the environment down (the `teardown` phase), the reports task writes every
 * report, whatever happened before. Events go to the reporter multiplexer. Interrupts are handled
 * in one place (the reports task installs the handlers, the task runner stops at the next task,
 * the runner stops its tests), and the exit code is decided in one place (`exitCode`).
 *
 * Exit 0 when every counted test passed, 1 when a check failed, 2 on usage errors (thrown, as
 * UsageError, before any report), 130 when interrupted.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../../common/errors.js';
import { escapeUntrusted } from '../../common/escape.js';
import { consoleLogger, type Logger } from '../../common/log.js';
import { TOOL_VERSION } from '../../common/version.js';
import type { Environment, EnvironmentDescription, IpFamily } from '../../env/environment.js';
import type { Provider, ProviderOptions } from '../../env/provider.js';
import { Ledger } from '../../k8s/ledger.js';
import { ReporterMultiplexer } from '../../report/multiplexer.js';
import type { Reporter } from '../../report/reporter.js';
import { type Catalogue, exceptionWithoutSpec, loadCatalogue } from '../../spec/catalogue.js';
import { formatProblem } from '../../spec/loader.js';
import { checkFilterNames } from '../filters.js';
import { type RunOptions, redactOptions } from '../options.js';
import type { PlannedTest } from '../plan.js';
import { type PhaseTiming, type RunError, type RunResult, runPassed, type TestResult } from '../results.js';
import { runTests } from '../runner.js';
import { printDryRun } from './dry-run.js';
import { readLastFailed } from './last-failed.js';
import { checkPlan, checkReportDir, notRun, planFor } from './plan-check.js';
import { chooseProvider, type ProviderSource } from './provider-choice.js';
import { runTasks, type Task, type TaskOutcome } from './tasks.js';

export interface SessionInput {
  /** The options as resolved from defaults, the options file and the flags. */
  options: RunOptions;
  /** The options file's path, for errors that name it. */
  optionsFile?: string;
  /** `--last-failed`: select the tests that failed in the last report. */
  lastFailed?: boolean;
  reporters: Reporter[];
  providers: ProviderSource;
  /** The scenarios; default: loaded from `options.suites` (or the shipped suites). */
  catalogue?: Catalogue;
  /** Installs the interrupt handlers (cli/interrupt.ts); tests abort the controller themselves. */
  interrupts?: (log: Logger, controller: AbortController) => { dispose(): void };
  /** Default: a fresh random one. */
  runId?: string;
  /** Where what the host lacks is listed, one line each (default: stderr). */
  err?: { write(text: string): unknown };
}

/** What the tasks find out and hand on, one after the other. */
interface RunContext {
  readonly input: SessionInput;
  readonly options: RunOptions;
  readonly reporters: ReporterMultiplexer;
  readonly log: Logger;
  readonly runId: string;
  readonly controller: AbortController;
  readonly phases: PhaseTiming[];
  readonly errors: RunError[];
  /** The effective options as the reports record them (secrets redacted). */
  printable: Record<string, unknown>;
  catalogue?: Catalogue;
  provider?: Provider;
  /** What the provider's methods receive: its settings, parsed once in `resolve`. */
  settings?: ProviderOptions;
  /** The environment as planned, before anything exists; the reports' when it never came up. */
  plannedDescription?: EnvironmentDescription;
  /** The tests planned on that description (what a dry run prints). */
  planned?: PlannedTest[];
  startedAt?: string;
  env?: Environment;
  description?: EnvironmentDescription;
  tests?: TestResult[];
  /** Why the tests did not run, when they did not. */
  notRun?: { reason: 'not-run' | 'interrupted'; message: string };
  /** A usage error found after the run began (settings the provider refuses): no reports, exit 2. */
  usageError?: UsageError;
  /** The run as the reports took it. */
  result?: RunResult;
}

function newRunId(): string {
  return randomBytes(4).toString('hex').slice(0, 6);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] as string;
}

function familiesOf(option: RunOptions['family']): IpFamily[] | undefined {
  if (option === undefined) return undefined;
  return option === 'dual' ? ['ipv4', 'ipv6'] : [option];
}

/** Context fields a task needs from the tasks before it: set, or the task order is wrong. */
function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`run session: ${what} is not known yet (task order)`);
  return value;
}

function fail(ctx: RunContext, error: RunError): void {
  ctx.errors.push(error);
  ctx.reporters.error(error);
}

/** A long phase, shown by the consoles while it runs and timed; throws what the work threw. */
async function phase<T>(ctx: RunContext, name: string, work: () => Promise<T>): Promise<T> {
  ctx.reporters.phaseBegin(name);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const value = await work();
    ctx.phases.push({ name, durationMs: elapsed() });
    ctx.reporters.phaseEnd(name, elapsed());
    return value;
  } catch (error) {
    ctx.phases.push({ name, durationMs: elapsed() });
    ctx.reporters.phaseEnd(name, elapsed(), messageOf(error));
    throw error;
  }
}

/** Options, scenarios, names the filters use, the provider and its settings: usage errors only. */
const resolveTask: Task<RunContext> = {
  title: 'resolve',
  async setup(ctx) {
    const { options, input } = ctx;
    await checkReportDir(options.reportDir);
    const catalogue =
      input.catalogue ?? (await loadCatalogue(undefined, options.suites, undefined, options.scopeExceptions));
    if (catalogue.problems.length > 0) {
      throw new UsageError('invalid scenario specs', catalogue.problems.map(formatProblem));
    }
    const unknown = exceptionWithoutSpec(catalogue, options.scopeExceptions ?? []);
    if (unknown) {
      throw new UsageError(
        `--options-file ${input.optionsFile ?? ''}: scopeExceptions: no spec with id '${unknown.spec}' (rule ${unknown.rule})`,
      );
    }
    checkFilterNames(catalogue.scenarios, options);
    if (input.lastFailed) {
      const last = await readLastFailed(options.reportDir);
      options.lastFailed = last.failed;
      ctx.log.info(`--last-failed: ${last.failed.length} test(s) failed in ${last.reportDir}`);
      ctx.printable = redactOptions({ ...options }) as Record<string, unknown>;
    }
    ctx.catalogue = catalogue;
    // Every exception to the scope guard, on the console of every run, not only in the reports.
    for (const e of options.scopeExceptions ?? []) {
      ctx.log.info(escapeUntrusted(`scope exception: ${e.rule} allowed for ${e.spec} (${e.reason})`));
    }
    if (options.verbose || options.debug) {
      ctx.log.info(`effective options:\n${stringify(ctx.printable).trimEnd().replace(/^/gm, '  ')}`);
    }
    const base: Omit<ProviderOptions, 'settings'> = {
      runId: ctx.runId,
      keep: options.keep,
      log: ctx.log,
      signal: ctx.controller.signal,
    };
    const families = familiesOf(options.family);
    if (families) base.families = families;
    // The chosen provider's section of the options file is parsed here, once (provider-choice.ts).
    const chosen = await chooseProvider(
      input.providers,
      options.provider,
      options.providerOptions,
      base,
      ctx.log,
      input.optionsFile,
    );
    ctx.provider = chosen.provider;
    ctx.settings = chosen.options;
  },
};

/** Before anything is created: something to run, and every manifest inside the scope guard. */
const planTask: Task<RunContext> = {
  title: 'plan',
  async setup(ctx) {
    const provider = need(ctx.provider, 'the provider');
    const settings = need(ctx.settings, 'the provider settings');
    const description = provider.plannedDescription(settings);
    const planned = planFor(need(ctx.catalogue, 'the catalogue'), ctx.options, description, ctx.runId);
    checkPlan(planned, ctx.options, description);
    ctx.plannedDescription = description;
    ctx.planned = planned;
  },
};

/** A dry run prints its plan and nothing else. */
const dryRunTask: Task<RunContext> = {
  title: 'dry run',
  async setup(ctx) {
    const provider = need(ctx.provider, 'the provider');
    const settings = need(ctx.settings, 'the provider settings');
    if (provider.printPlan) ctx.log.info(provider.printPlan(settings));
    const description = need(ctx.plannedDescription, 'the planned environment');
    printDryRun(need(ctx.planned, 'the plan'), description, ctx.log, ctx.options.scopeExceptions);
  },
};

/** The tests of the plan that never ran, each with why, as every report shows them. */
function testsNotRun(ctx: RunContext, why: NonNullable<RunContext['notRun']>): TestResult[] {
  const description = ctx.description ?? need(ctx.plannedDescription, 'the planned environment');
  const planned = planFor(need(ctx.catalogue, 'the catalogue'), ctx.options, description, ctx.runId);
  const tests = notRun(planned, why.reason, why.message);
  for (const test of tests) ctx.reporters.testEnd(test);
  return tests;
}

/**
 * The run begins for the reporters and from here Ctrl-C stops cleanly; its teardown writes every
 * report, whatever happened in the tasks after it (a failed bring-up or teardown, an interrupt).
 */
function reportsTask(): Task<RunContext> {
  let interrupts: { dispose(): void } | undefined;
  return {
    title: 'reports',
    async setup(ctx) {
      ctx.startedAt = new Date().toISOString();
      const shard = ctx.options.shard;
      ctx.reporters.runBegin({
        runId: ctx.runId,
        startedAt: ctx.startedAt,
        reportDir: resolve(ctx.options.reportDir),
        ...(shard ? { shard } : {}),
      });
      interrupts = ctx.input.interrupts?.(ctx.log, ctx.controller);
    },
    async teardown(ctx) {
      interrupts?.dispose();
      if (ctx.usageError) return;
      const stopped: NonNullable<RunContext['notRun']> = ctx.controller.signal.aborted
        ? { reason: 'interrupted', message: 'the run was interrupted before its tests' }
        : { reason: 'not-run', message: 'the run stopped before its tests' };
      const tests = ctx.tests ?? testsNotRun(ctx, ctx.notRun ?? stopped);
      const shard = ctx.options.shard;
      ctx.result = {
        runId: ctx.runId,
        toolVersion: TOOL_VERSION,
        startedAt: need(ctx.startedAt, 'the start time'),
        finishedAt: new Date().toISOString(),
        environment: ctx.description ?? need(ctx.plannedDescription, 'the planned environment'),
        options: ctx.printable,
        tests,
        phases: ctx.phases,
        interrupted: ctx.controller.signal.aborted,
        reportDir: resolve(ctx.options.reportDir),
        errors: ctx.errors,
        ...(shard ? { shard } : {}),
      };
      await ctx.reporters.runEnd(ctx.result);
    },
  };
}

/**
 * What the host lacks. Past this point the options are accepted, so a host that cannot run the
 * environment still gets its reports (JUnit's error case says why); settings the provider refuses
 * are a usage error after all (exit 2, no reports).
 */
const preflightTask: Task<RunContext> = {
  title: 'preflight',
  async setup(ctx) {
    const provider = need(ctx.provider, 'the provider');
    const settings = need(ctx.settings, 'the provider settings');
    try {
      await phase(ctx, 'preflight', async () => {
        const problems = await provider.preflight(settings);
        const err = ctx.input.err ?? process.stderr;
        for (const p of problems) err.write(`${p.item}: ${p.problem} (fix: ${p.fix})\n`);
        if (problems.length > 0) throw new Error(problems.map((p) => `${p.item}: ${p.problem}`).join('; '));
      });
    } catch (error) {
      if (error instanceof UsageError) {
        ctx.usageError = error;
        throw error;
      }
      const message = `the ${provider.name} provider cannot run on this host: ${messageOf(error)}`;
      if (ctx.controller.signal.aborted) {
        ctx.notRun = { reason: 'interrupted', message: 'the run was interrupted during preflight' };
      } else {
        fail(ctx, { phase: 'preflight', message });
        ctx.notRun = { reason: 'not-run', message };
      }
      throw error;
    }
  },
};

/** The environment comes up; its teardown (the `teardown` phase) takes it down, or keeps it. */
const bringUpTask: Task<RunContext> = {
  title: 'bring-up',
  async setup(ctx) {
    const provider = need(ctx.provider, 'the provider');
    const settings = need(ctx.settings, 'the provider settings');
    try {
      const up = await phase(ctx, 'bring-up', () => provider.up(settings));
      ctx.env = up.env;
      ctx.phases.push(...up.phases.map((p) => ({ ...p, name: `bring-up: ${p.name}` })));
      const description = await up.env.describe();
      ctx.description = description;
      const parallelism = ctx.options.parallel ?? description.parallelism ?? 1;
      ctx.log.info(
        `environment ${description.id}: ${description.implementation.name} ${description.implementation.version}, ` +
          `${description.nodes.length} nodes, ${description.families.join('+')}${up.reused ? ' (reused)' : ''}, ` +
          `up to ${parallelism} tests side by side`,
      );
    } catch (error) {
      if (ctx.controller.signal.aborted) {
        ctx.notRun = { reason: 'interrupted', message: 'the run was interrupted during bring-up' };
      } else {
        fail(ctx, { phase: 'bring-up', message: messageOf(error) });
        ctx.notRun = {
          reason: 'not-run',
          message: `not run: the ${provider.name} environment did not come up (${messageOf(error)})`,
        };
      }
      throw error;
    }
  },
  async teardown(ctx) {
    const env = ctx.env;
    if (!env) return;
    ctx.env = undefined;
    await phase(ctx, 'teardown', () => env.close({ keep: ctx.options.keep })).catch((error: unknown) =>
      fail(ctx, { phase: 'teardown', message: messageOf(error) }),
    );
  },
};

/** The tests, with what they create recorded by uid where `down` finds it (the ledger). */
function testsTask(): Task<RunContext> {
  let ledger: Ledger | undefined;
  return {
    title: 'tests',
    async setup(ctx) {
      const env = need(ctx.env, 'the environment');
      const description = need(ctx.description, 'the environment description');
      const { options, reporters } = ctx;
      const planned = planFor(need(ctx.catalogue, 'the catalogue'), options, description, ctx.runId);
      reporters.environmentUp(description, planned);
      ledger = await Ledger.open(ctx.runId, env.stateDir ? join(env.stateDir, 'ledger') : undefined);
      const ended = new Map<string, TestResult>();
      const started = performance.now();
      try {
        ctx.tests = await runTests(planned, {
          env,
          description,
          runId: ctx.runId,
          reportDir: resolve(options.reportDir),
          timeouts: options.timeouts,
          scopeExceptions: options.scopeExceptions,
          signal: ctx.controller.signal,
          log: ctx.log,
          parallelism: options.parallel ?? description.parallelism ?? 1,
          ledger,
          retries: options.retries ?? 0,
          maxFailures: options.maxFailures ?? 0,
          events: {
            testBegin: (t) => reporters.testBegin(t),
            stepBegin: (t, s) => reporters.stepBegin(t, s),
            stepEnd: (t, s) => reporters.stepEnd(t, s),
            testEnd: (t) => {
              ended.set(t.namespace, t);
              reporters.testEnd(t);
            },
          },
        });
      } catch (error) {
        // A bug in the runner: report what ended, the rest as not run.
        fail(ctx, { phase: 'run', message: messageOf(error) });
        ctx.tests = planned.map(
          (t) =>
            ended.get(t.namespace) ??
            (notRun([t], 'not-run', 'the run failed before this test ended')[0] as TestResult),
        );
      }
      ctx.phases.push({ name: 'tests', durationMs: Math.round(performance.now() - started) });
      for (const test of ctx.tests.filter((t) => t.status !== 'skipped')) {
        ctx.phases.push({
          name: `scenario ${test.scenarioId} [${test.family}]`,
          durationMs: test.durationMs,
        });
      }
    },
    async teardown() {
      await ledger?.closeIfEmpty().catch(() => undefined);
    },
  };
}

/** The tasks of a run, in order. */
export function sessionTasks(options: Pick<RunOptions, 'dryRun'>): Task<RunContext>[] {
  if (options.dryRun) return [resolveTask, planTask, dryRunTask];
  return [resolveTask, planTask, reportsTask(), preflightTask, bringUpTask, testsTask()];
}

/** The one place that turns how the tasks ended into the process's exit code. */
function exitCode(ctx: RunContext, outcome: TaskOutcome): number {
  if (outcome.error instanceof UsageError) throw outcome.error;
  if (outcome.status === 'failed' && !ctx.result) throw outcome.error;
  const run = ctx.result;
  if (!run) return outcome.status === 'interrupted' ? EXIT_INTERRUPTED : EXIT_OK;
  if (run.interrupted) return EXIT_INTERRUPTED;
  const ran = run.tests.filter((t) => t.status !== 'skipped').length;
  if (ran === 0 && ctx.errors.length === 0) {
    // Nothing was checked: that is no pass. Say why (the reports are written all the same).
    const reasons = [...new Set(run.tests.map((t) => t.message ?? t.skipReason ?? ''))].filter(Boolean);
    throw new UsageError(`no test ran: every selected test was skipped (${reasons.slice(0, 3).join('; ')})`);
  }
  return runPassed({ ...run, errors: [...ctx.errors, ...ctx.reporters.errors] }) ? EXIT_OK : EXIT_FAILED;
}

/** Runs a session: the tasks in order, each task's teardown whatever happened, then the exit code. */
export async function runSession(input: SessionInput): Promise<number> {
  const options = input.options;
  const reporters = new ReporterMultiplexer(input.reporters);
  const ctx: RunContext = {
    input,
    options,
    reporters,
    // A dry run prints its plan and nothing else: straight to the console.
    log: options.dryRun ? consoleLogger(options.debug) : reporters.logger(),
    runId: input.runId ?? newRunId(),
    controller: new AbortController(),
    phases: [],
    errors: [],
    printable: redactOptions({ ...options }) as Record<string, unknown>,
  };
  const outcome = await runTasks(sessionTasks(options), ctx, ctx.controller.signal);
  return exitCode(ctx, outcome);
}
