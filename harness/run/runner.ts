/**
 * The runner: each planned test in its own namespace, steps in order, cleanup whatever happens,
 * a result per test. It only ever talks to the Environment interface.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/log.js';
import {
  type ClusterApi,
  type Environment,
  type EnvironmentDescription,
  RUN_LABEL,
} from '../env/environment.js';
import { Ledger } from '../k8s/ledger.js';
import { formatDuration, parseDuration } from '../spec/duration.js';
import { whyRunsAlone } from '../spec/runs-alone.js';
import type { ScopeException } from '../spec/scope-reach.js';
import { resolveTimeouts, type Timeouts } from '../spec/timeouts.js';
import { CleanupStack } from './cleanup.js';
import { contextFor } from './context.js';
import { splitDetail } from './detail.js';
import { AbortedError } from './eventually.js';
import { KeyedLock } from './keyed-lock.js';
import { LedgeredCluster } from './ledgered-cluster.js';
import { type PlannedTest, testNamespaces } from './plan.js';
import type { ProbeEvidenceRecord, StepResult, TestAttempt, TestEnding, TestResult } from './results.js';
import { executionOrder } from './schedule.js';
import { performStep } from './steps/index.js';

/**
 * What the runner tells as it goes, for the reporters (report/reporter.ts): each hook gets the
 * test's result as it is at that moment.
 */
export interface RunnerEvents {
  testBegin?(test: TestResult): void;
  stepBegin?(test: TestResult, step: StepResult): void;
  stepEnd?(test: TestResult, step: StepResult): void;
  /** Every test of the plan ends once, run or skipped. */
  testEnd?(test: TestResult): void;
}

export interface RunnerOptions {
  env: Environment;
  description: EnvironmentDescription;
  runId: string;
  reportDir: string;
  /** --timeout overrides: they win over a scenario's own values. */
  timeouts: Partial<Timeouts>;
  signal: AbortSignal;
  log: Logger;
  /**
   * The run's ledger of created objects (ledger.ts): every write of a test goes through it, and
   * cleanup deletes only what it holds. Default: one in memory.
   */
  ledger?: Ledger;
  /** Set by runTests: one probe per target at a time across the tests of the run. */
  probeTargets?: KeyedLock;
  events?: RunnerEvents;
  /** The options file's `scopeExceptions`: reach rules of the scope guard allowed for named specs. */
  scopeExceptions?: readonly ScopeException[];
  /** `--retries N`: a failed test runs again up to N times; passing on a retry makes it flaky. */
  retries?: number;
  /**
   * `--max-failures N`: once N tests have failed (after their retries), no further test starts;
   * the ones running finish. 0 or undefined: no limit.
   */
  maxFailures?: number;
}

const FAMILY_LABEL = { ipv4: 'IPv4', ipv6: 'IPv6', dual: 'dual-stack' } as const;

export function baseResult(test: PlannedTest): TestResult {
  const { scenario, file } = test.loaded;
  return {
    scenarioId: scenario.id,
    title: scenario.title,
    file,
    profile: scenario.profile,
    features: scenario.features,
    statements: scenario.statements,
    provisional: scenario.provisional,
    family: test.family,
    namespace: test.namespace,
    status: 'skipped',
    durationMs: 0,
    steps: [],
    evidence: [],
  };
}

/** Defaults, then the environment's, then the scenario's own, then --timeout (most specific last). */
function scenarioTimeouts(
  test: PlannedTest,
  environment: EnvironmentDescription,
  overrides: Partial<Timeouts>,
): Timeouts {
  const own: Partial<Timeouts> = {};
  for (const [name, text] of Object.entries(test.loaded.scenario.timeouts)) {
    own[name as keyof Timeouts] = parseDuration(text as string) as number;
  }
  return resolveTimeouts(environment.timeoutDefaults as Partial<Timeouts> | undefined, own, overrides);
}

/** The environment with another cluster API in front of it (the test's ledgered one). */
function withCluster(env: Environment, cluster: ClusterApi): Environment {
  return {
    cluster,
    describe: () => env.describe(),
    probe: (request) => env.probe(request),
    ingress: (request) => env.ingress(request),
    bgpRoutes: (peer, family) => env.bgpRoutes(peer, family),
    failNode: (node) => env.failNode(node),
    restoreNode: (node) => env.restoreNode(node),
    stopController: () => env.stopController(),
    startController: () => env.startController(),
    collectDiagnostics: (namespace, dir, failedFlows) => env.collectDiagnostics(namespace, dir, failedFlows),
    close: (closeOptions) => env.close(closeOptions),
  };
}

/** Where an attempt's files go: the first attempt's under the namespace, a retry's beside them. */
function attemptPath(root: 'artifacts' | 'diagnostics', namespace: string, attempt: number): string {
  return join(root, attempt === 1 ? namespace : `${namespace}-retry${attempt - 1}`);
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one test's steps, timeouts, evidence and cleanup
async function runOne(test: PlannedTest, options: RunnerOptions, attempt = 1): Promise<TestResult> {
  const { description, log } = options;
  const ledger = options.ledger ?? (await Ledger.open(options.runId));
  const env = withCluster(options.env, new LedgeredCluster(options.env.cluster, ledger, test.namespace));
  const result = baseResult(test);
  const { scenario } = test.loaded;
  const timeouts = scenarioTimeouts(test, description, options.timeouts);
  const started = performance.now();
  result.startedAt = new Date().toISOString();
  const artifactPath = attemptPath('artifacts', test.namespace, attempt);
  const artifactDir = join(options.reportDir, artifactPath);
  await mkdir(artifactDir, { recursive: true });
  const cleanup = new CleanupStack();
  const testSignal = AbortSignal.any([options.signal, AbortSignal.timeout(timeouts.scenario)]);
  const ctx = contextFor(test, description, options.scopeExceptions);
  const evidence: ProbeEvidenceRecord[] = [];
  const steps: StepResult[] = scenario.steps.map((step, index) => ({
    index,
    kind: step.kind,
    line: test.loaded.stepLines[index] ?? 0,
    status: 'not-run',
    durationMs: 0,
    detail: '',
  }));
  result.steps = steps;
  const events = options.events ?? {};
  log.debug(`▶ ${scenario.id} [${FAMILY_LABEL[test.family]}] namespace ${test.namespace}`);
  // A retry is the same test to the reporters: it began once.
  if (attempt === 1) events.testBegin?.(result);
  let ending: TestEnding = { outcome: 'passed' };
  try {
    // The test's namespace and any further ones it declares, each recorded in the ledger; each
    // is deleted last (the cleanup stack unwinds newest first).
    for (const { namespace } of testNamespaces(test)) {
      await env.cluster.createNamespace(namespace, {
        [RUN_LABEL]: options.runId,
        'egress-conformance.io/scenario': scenario.id,
      });
      cleanup.push(`delete namespace ${namespace}`, () =>
        env.cluster.deleteNamespace(namespace, timeouts.namespace),
      );
    }
    for (const [index, scenarioStep] of scenario.steps.entries()) {
      const step = steps[index] as StepResult;
      const stepStarted = performance.now();
      step.startedAtMs = Date.now();
      events.stepBegin?.(result, step);
      let outcome: Awaited<ReturnType<typeof performStep>>;
      try {
        outcome = await performStep(scenarioStep, {
          env,
          ctx,
          timeouts,
          cleanup,
          signal: testSignal,
          artifactDir,
          artifactPath,
          probeTargets: options.probeTargets ?? new KeyedLock(),
        });
      } catch (error) {
        if (error instanceof AbortedError && !options.signal.aborted) {
          outcome = { ok: false, detail: `scenario timeout of ${formatDuration(timeouts.scenario)} passed` };
        } else if (error instanceof AbortedError) {
          throw error;
        } else {
          outcome = { ok: false, detail: `error: ${(error as Error).message}` };
        }
      }
      step.durationMs = Math.round(performance.now() - stepStarted);
      step.status = outcome.ok ? 'passed' : 'failed';
      step.detail = outcome.detail;
      evidence.push(...(outcome.evidence ?? []));
      if (outcome.earlierEvidence) {
        result.earlierEvidence = [...(result.earlierEvidence ?? []), ...outcome.earlierEvidence];
      }
      if (outcome.events) result.events = [...(result.events ?? []), ...outcome.events];
      events.stepEnd?.(result, step);
      log.debug(
        `  ${outcome.ok ? '✓' : '✗'} ${index + 1}. ${step.kind}: ${outcome.detail} (${formatDuration(step.durationMs)})`,
      );
      if (!outcome.ok) {
        // First line: the statements, what was expected and what was seen; then where, and details.
        const { head, rest } = splitDetail(outcome.detail);
        ending = {
          outcome: 'failed',
          message: `${scenario.statements.join(', ')}: ${head}\n  at step ${index + 1} (${step.kind}, ${test.loaded.file}:${step.line})${rest}`,
        };
        break;
      }
    }
  } catch (error) {
    ending =
      error instanceof AbortedError
        ? { outcome: 'interrupted' }
        : { outcome: 'failed', message: `error: ${(error as Error).message}` };
  }
  result.evidence = evidence;
  if (ending.outcome === 'interrupted') {
    result.status = 'skipped';
    result.skipReason = 'interrupted';
    result.message = 'interrupted';
  } else if (ending.outcome === 'failed') {
    result.status = 'failed';
    result.failedStatements = scenario.statements;
    result.message = ending.message;
    const dir = attemptPath('diagnostics', test.namespace, attempt);
    try {
      const failedFlows = evidence.flatMap((e) => (!e.passed && e.flow ? [e.flow] : []));
      await env.collectDiagnostics(test.namespace, join(options.reportDir, dir), failedFlows);
      result.diagnostics = dir;
    } catch (error) {
      log.warn(`diagnostics for ${test.namespace} failed: ${(error as Error).message}`);
    }
  } else {
    result.status = 'passed';
  }
  const cleanupErrors = await cleanup.unwind();
  for (const error of cleanupErrors) log.warn(`cleanup of ${test.namespace}: ${error}`);
  result.durationMs = Math.round(performance.now() - started);
  const mark = result.status === 'passed' ? 'PASS' : result.status === 'failed' ? 'FAIL' : 'SKIP';
  log.debug(`${mark} ${scenario.id} [${FAMILY_LABEL[test.family]}] in ${formatDuration(result.durationMs)}`);
  return result;
}

/**
 * A test runs alone when it changes what every test shares (node labels, node failure) or
 * takes a node-wide resource (a host-network pod's ports): the step and manifest registries say.
 */
export function runsAlone(test: PlannedTest): boolean {
  return whyRunsAlone(test.loaded.scenario) !== undefined;
}

/** Prefixes every line of one test's log when tests run side by side. */
function prefixed(log: Logger, prefix: string): Logger {
  return {
    info: (line) => log.info(`${prefix} ${line.trimStart()}`),
    warn: (line) => log.warn(`${prefix} ${line}`),
    debug: (line) => log.debug(`${prefix} ${line}`),
  };
}

/** A failed attempt as the final result keeps it. */
function attemptOf(result: TestResult, attempt: number): TestAttempt {
  return {
    attempt,
    message: result.message ?? 'failed',
    ...(result.failedStatements ? { failedStatements: result.failedStatements } : {}),
    ...(result.startedAt ? { startedAt: result.startedAt } : {}),
    durationMs: result.durationMs,
    steps: result.steps,
    evidence: result.evidence,
    ...(result.diagnostics ? { diagnostics: result.diagnostics } : {}),
  };
}

/**
 * One test with its retries (Playwright's meaning): a failed attempt runs again, up to
 * `retries` more times, unless the run is stopping. The result is the last attempt's, holding the
 * failed ones before it; passing after a failure is flaky. An interrupted retry leaves the failure
 * standing: an interrupt never turns a failed test into a skipped one.
 */
async function runWithRetries(
  test: PlannedTest,
  options: RunnerOptions,
  stopping: () => boolean,
): Promise<TestResult> {
  const failed: TestResult[] = [];
  for (let attempt = 1; ; attempt++) {
    const result = await runOne(test, options, attempt);
    const last = failed.at(-1);
    if (result.skipReason === 'interrupted' && last) {
      return { ...last, retries: failed.slice(0, -1).map((r, i) => attemptOf(r, i + 1)) };
    }
    const done = result.status !== 'failed' || attempt > (options.retries ?? 0) || stopping();
    if (done) {
      if (failed.length === 0) return result;
      const retries = failed.map((r, i) => attemptOf(r, i + 1));
      return { ...result, retries, ...(result.status === 'passed' ? { flaky: true } : {}) };
    }
    failed.push(result);
    options.log.info(
      `retry ${attempt} of ${options.retries} for ${test.loaded.scenario.id} [${FAMILY_LABEL[test.family]}]: attempt ${attempt} failed: ${(result.message ?? '').split('\n')[0]}`,
    );
  }
}

/**
 * Runs the planned tests, up to `parallelism` at a time (each in its own namespace with its own
 * LoadBalancer addresses); a test that changes shared node state runs alone. They start in the
 * order of schedule.ts (longest waits first, the lone tests together at the end); results come
 * back in plan order. Skipped tests are recorded without touching the cluster. With
 * `maxFailures`, the tests not started once that many failed are reported not run.
 */
export async function runTests(
  planned: PlannedTest[],
  options: RunnerOptions & { parallelism?: number },
): Promise<TestResult[]> {
  const parallelism = Math.max(1, options.parallelism ?? 1);
  const probeTargets = new KeyedLock();
  const results = new Array<TestResult>(planned.length);
  const running = new Set<Promise<void>>();
  let failures = 0;
  const maxFailures = options.maxFailures ?? 0;
  const stopped = () => maxFailures > 0 && failures >= maxFailures;
  const start = (test: PlannedTest, index: number) => {
    const log =
      parallelism > 1 ? prefixed(options.log, `[${test.loaded.scenario.id}/${test.family}]`) : options.log;
    const work = runWithRetries(test, { ...options, log, probeTargets }, stopped).then((result) => {
      results[index] = result;
      if (result.status === 'failed' && !stopped()) {
        failures++;
        if (stopped()) options.log.warn(`stopping: --max-failures ${maxFailures} reached`);
      }
      options.events?.testEnd?.(result);
    });
    const tracked = work.finally(() => running.delete(tracked));
    running.add(tracked);
  };
  const notStarted = (
    test: PlannedTest,
    index: number,
    reason: 'interrupted' | 'not-run',
    message: string,
  ) => {
    results[index] = { ...baseResult(test), skipReason: reason, message };
    options.events?.testEnd?.(results[index]);
  };
  const order = executionOrder(planned, runsAlone, (test) =>
    scenarioTimeouts(test, options.description, options.timeouts),
  );
  for (const index of order) {
    const test = planned[index] as PlannedTest;
    if (test.skip) {
      results[index] = { ...baseResult(test), skipReason: test.skip.reason, message: test.skip.message };
      options.events?.testEnd?.(results[index]);
      continue;
    }
    const alone = runsAlone(test);
    while (running.size >= parallelism || (alone && running.size > 0)) await Promise.race(running);
    if (options.signal.aborted) {
      notStarted(test, index, 'interrupted', 'the run was interrupted before it');
      continue;
    }
    if (stopped()) {
      notStarted(test, index, 'not-run', `not run: --max-failures ${maxFailures} reached before it`);
      continue;
    }
    start(test, index);
    if (alone) await Promise.all(running);
  }
  await Promise.all(running);
  return results;
}
