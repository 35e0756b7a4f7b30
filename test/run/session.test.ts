/**
 * The run session (run/session/session.ts) on a fake provider and the recording environment,
 * without Docker: the task order and teardowns, interrupts, a failed preflight, bring-up or
 * teardown, retries and flaky tests, --max-failures, --last-failed and the filters, with the
 * reports the real file reporters write.
 */

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../../harness/common/errors.js';
import type { KubeObject } from '../../harness/env/environment.js';
import type { Provider, UpResult } from '../../harness/env/provider.js';
import { PROVIDERS } from '../../harness/env/providers.js';
import { conformanceReportSchema } from '../../harness/report/conformance-schema.js';
import { selectedTests } from '../../harness/report/counts.js';
import type { Reporter } from '../../harness/report/reporter.js';
import {
  ConformanceReporter,
  JunitReporter,
  ResultsReporter,
  SummaryReporter,
} from '../../harness/report/reporters/files.js';
import type { RunOptions } from '../../harness/run/options.js';
import type { RunResult, TestResult } from '../../harness/run/results.js';
import { runSession, type SessionInput } from '../../harness/run/session/session.js';
import { type LoadedScenario, parseScenario } from '../../harness/spec/loader.js';
import { RecordingEnvironment, testDescription } from '../support/recording-environment.js';

/** A scenario whose Service must get an ingress address (the environment's hook decides). */
function scenario(id: string, title = id, statements = '[ES-LIFE-2]'): LoadedScenario {
  const parsed = parseScenario(
    `id: ${id}
title: ${title}
statements: ${statements}
profile: core
features: [Lifecycle]
manifests:
  service:
    apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: "\${namespace}", annotations: { metallb.io/address-pool: "\${uid}-pool" } }
    spec: { type: LoadBalancer, ipFamilies: ["\${ipFamily}"] }
steps:
  - apply: [service]
  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }
`,
    `${id}.yaml`,
  );
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.field} ${p.message}`).join('\n'));
  return parsed.loaded;
}

/** Plays MetalLB: a Service gets an address when `assign` says so for its namespace. */
function controller(env: RecordingEnvironment, assign: (namespace: string) => boolean): void {
  env.onChange = (_env, object: KubeObject) => {
    if (object.kind !== 'Service' || !assign(object.metadata.namespace ?? '')) return;
    object.status = { loadBalancer: { ingress: [{ ip: '203.0.113.1' }] } };
    env.objects.set(`Service/${object.metadata.namespace}/${object.metadata.name}`, object);
  };
}

interface FakeProvider extends Provider {
  ups: number;
  env: RecordingEnvironment;
}

function fakeProvider(
  env: RecordingEnvironment,
  behaviour: { up?: () => Promise<UpResult>; preflight?: string } = {},
): FakeProvider {
  const provider: FakeProvider = {
    name: 'lab',
    ups: 0,
    env,
    plannedDescription: () => env.description,
    preflight: async () =>
      behaviour.preflight ? [{ item: 'docker', problem: behaviour.preflight, fix: 'install it' }] : [],
    up: async () => {
      provider.ups++;
      return behaviour.up ? behaviour.up() : { env, phases: [], reused: false };
    },
    down: async () => ({ removed: [], kept: [] }),
    status: async () => [],
  };
  return provider;
}

/** Records every event the session sends the reporters. */
class EventLog implements Reporter {
  readonly name = 'events';
  readonly events: string[] = [];
  readonly lines: string[] = [];
  run: RunResult | undefined;
  phaseBegin = (name: string) => this.events.push(`phaseBegin ${name}`);
  phaseEnd = (name: string, _ms: number, error?: string) =>
    this.events.push(`phaseEnd ${name}${error ? ` (${error})` : ''}`);
  testBegin = (t: TestResult) => this.events.push(`testBegin ${t.scenarioId}/${t.family}`);
  testEnd = (t: TestResult) => this.events.push(`testEnd ${t.scenarioId}/${t.family} ${t.status}`);
  error = (e: { phase: string }) => this.events.push(`error ${e.phase}`);
  output = (_level: string, line: string) => this.lines.push(line);
  runBegin = () => this.events.push('runBegin');
  runEnd = (run: RunResult) => {
    this.run = run;
    this.events.push('runEnd');
    return undefined;
  };
}

describe('run session', () => {
  let root: string;
  let reportDir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ec-session-'));
    reportDir = join(root, 'run-2');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function options(more: Partial<RunOptions> = {}): RunOptions {
    return {
      provider: 'lab',
      profile: 'core',
      runTests: [],
      skipTests: [],
      family: 'ipv4',
      reportDir,
      timeouts: { ingress: 300, negativeWindow: 100 },
      keep: false,
      parallel: 1,
      dryRun: false,
      debug: false,
      skipProvisional: false,
      providerOptions: { lab: {}, kind: {}, existing: {} },
      ...more,
    };
  }

  async function run(
    provider: FakeProvider,
    specs: LoadedScenario[],
    more: Partial<RunOptions> = {},
    input: Partial<SessionInput> = {},
  ) {
    const log = new EventLog();
    let disposed = false;
    const code = await runSession({
      options: options(more),
      reporters: [
        log,
        new ResultsReporter(),
        new JunitReporter(),
        new ConformanceReporter(),
        new SummaryReporter(),
      ],
      providers: {
        load: async () => provider,
        available: () => ['lab'],
        settings: (name) => PROVIDERS[name].settings,
      },
      catalogue: { scenarios: specs, problems: [] },
      runId: 'abc123',
      ...input,
      // Whatever the test does with the controller, the session must remove the handlers.
      interrupts: (logger, controller) => {
        input.interrupts?.(logger, controller);
        return {
          dispose: () => {
            disposed = true;
          },
        };
      },
    });
    expect(disposed, 'the interrupt handlers are removed').toBe(true);
    const result = log.run as RunResult;
    return {
      code,
      log,
      run: result,
      // The tests the run selected: the plan also lists the families the environment offers
      // but --family left out (not selected), which no report counts.
      tests: selectedTests(result),
      junit: await readFile(join(reportDir, 'junit.xml'), 'utf8'),
    };
  }

  it('runs the tasks in order and tears down in reverse: tests, environment, reports', async () => {
    const env = new RecordingEnvironment(testDescription());
    controller(env, () => true);
    const { code, log, tests } = await run(fakeProvider(env), [scenario('one'), scenario('two')]);
    expect(code).toBe(EXIT_OK);
    expect(tests.map((t) => `${t.scenarioId} ${t.status}`)).toEqual(['one passed', 'two passed']);
    // The IPv6 tests --family ipv4 left out end as not selected; no reporter counts them.
    expect(log.events.filter((e) => !e.endsWith('/ipv6 skipped'))).toEqual([
      'runBegin',
      'phaseBegin preflight',
      'phaseEnd preflight',
      'phaseBegin bring-up',
      'phaseEnd bring-up',
      'testBegin one/ipv4',
      'testEnd one/ipv4 passed',
      'testBegin two/ipv4',
      'testEnd two/ipv4 passed',
      'phaseBegin teardown',
      'phaseEnd teardown',
      'runEnd',
    ]);
    expect(env.closed).toEqual({ keep: false });
    // The options dump is for --verbose and --debug only.
    expect(log.lines.some((l) => l.startsWith('effective options'))).toBe(false);
  });

  it('a failed bring-up: every test not run with why, the error reported, exit 1', async () => {
    const env = new RecordingEnvironment(testDescription());
    const provider = fakeProvider(env, {
      up: async () => {
        throw new Error('lab image missing');
      },
    });
    const { code, log, tests, run: result, junit } = await run(provider, [scenario('one')]);
    expect(code).toBe(EXIT_FAILED);
    expect(result.errors).toEqual([{ phase: 'bring-up', message: 'lab image missing' }]);
    expect(tests.map((t) => [t.status, t.skipReason, t.message])).toEqual([
      ['skipped', 'not-run', 'not run: the lab environment did not come up (lab image missing)'],
    ]);
    expect(log.events).not.toContain('phaseBegin teardown');
    expect(env.calls).toEqual([]);
    expect(junit).toContain('<error message="lab image missing" type="bring-up">');
  });

  it('a failed preflight: nothing brought up, the problem reported, exit 1', async () => {
    const env = new RecordingEnvironment(testDescription());
    const provider = fakeProvider(env, { preflight: 'not installed' });
    const err: string[] = [];
    const { code, run: result } = await run(
      provider,
      [scenario('one')],
      {},
      { err: { write: (t: string) => err.push(t) } },
    );
    expect(err).toEqual(['docker: not installed (fix: install it)\n']);
    expect(code).toBe(EXIT_FAILED);
    expect(provider.ups).toBe(0);
    expect(result.errors?.[0]?.phase).toBe('preflight');
    expect(result.tests[0]?.skipReason).toBe('not-run');
  });

  it('a failed teardown is the run error of its own task: the tests passed, the run did not', async () => {
    const env = new RecordingEnvironment(testDescription());
    controller(env, () => true);
    env.close = async () => {
      throw new Error('container busy');
    };
    const { code, run: result } = await run(fakeProvider(env), [scenario('one')]);
    expect(code).toBe(EXIT_FAILED);
    expect(result.tests[0]?.status).toBe('passed');
    expect(result.errors).toEqual([{ phase: 'teardown', message: 'container busy' }]);
  });

  it('an interrupt during bring-up: no test runs, the environment that came up is torn down, exit 130', async () => {
    const env = new RecordingEnvironment(testDescription());
    let abort: AbortController | undefined;
    const provider = fakeProvider(env, {
      up: async () => {
        abort?.abort();
        return { env, phases: [], reused: false };
      },
    });
    const { code, tests } = await run(
      provider,
      [scenario('one')],
      {},
      {
        interrupts: (_log, controller) => {
          abort = controller;
          return { dispose: () => undefined };
        },
      },
    ).catch(async (e) => {
      throw e;
    });
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(tests.map((t) => t.skipReason)).toEqual(['interrupted']);
    expect(env.closed).toEqual({ keep: false });
    expect(env.calls).toEqual([]);
  });

  it('an interrupt during the tests: the running test is cleaned up, the rest interrupted, exit 130', async () => {
    const env = new RecordingEnvironment(testDescription());
    let abort: AbortController | undefined;
    env.onChange = () => abort?.abort();
    const { code, tests } = await run(
      fakeProvider(env),
      [scenario('one'), scenario('two')],
      {},
      {
        interrupts: (_log, controller) => {
          abort = controller;
          return { dispose: () => undefined };
        },
      },
    );
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(tests.map((t) => `${t.scenarioId} ${t.skipReason}`)).toEqual([
      'one interrupted',
      'two interrupted',
    ]);
    expect(env.namespaces.size).toBe(0);
    expect(env.closed).toEqual({ keep: false });
  });

  it('--retries: a test passing on a retry is flaky in every report, with the failed attempt kept', async () => {
    const env = new RecordingEnvironment(testDescription());
    let applies = 0;
    // The first attempt's Service never gets an address; the retry's does.
    controller(env, () => ++applies > 1);
    const { code, tests, junit } = await run(fakeProvider(env), [scenario('one')], { retries: 2 });
    expect(code).toBe(EXIT_OK);
    const [test] = tests;
    expect(test?.status).toBe('passed');
    expect(test?.flaky).toBe(true);
    expect(test?.retries?.map((a) => [a.attempt, a.diagnostics])).toEqual([
      [1, 'diagnostics/ec-abc123-one-v4'],
    ]);
    expect(test?.retries?.[0]?.message).toMatch(/^ES-LIFE-2: /);
    expect(env.calls.filter((c) => c.startsWith('collectDiagnostics'))).toEqual([
      'collectDiagnostics ec-abc123-one-v4',
    ]);
    expect(junit).toContain('<property name="flaky" value="true"/>');
    expect(junit).toContain('attempt 1 failed: ES-LIFE-2');
    expect(junit).not.toContain('<failure');
    const lint = await execa(
      'xmllint',
      ['--noout', '--schema', resolve('schemas/junit.xsd'), join(reportDir, 'junit.xml')],
      {
        reject: false,
      },
    );
    expect(lint.stderr).toContain('validates');
    const conformance = conformanceReportSchema.parse(
      JSON.parse(await readFile(join(reportDir, 'conformance-report.json'), 'utf8')),
    );
    expect(conformance.statistics).toEqual({ passed: 0, failed: 0, skipped: 0, flaky: 1 });
    expect(conformance.tests[0]?.flaky).toBe(true);
    expect(conformance.tests[0]?.retries?.[0]?.diagnostics).toBe('diagnostics/ec-abc123-one-v4');
    const summary = await readFile(join(reportDir, 'summary.txt'), 'utf8');
    expect(summary).toContain('0 passed, 0 failed, 0 skipped, 1 flaky');
  });

  it('--retries: a test failing every attempt fails, each attempt with its own diagnostics', async () => {
    const env = new RecordingEnvironment(testDescription());
    controller(env, () => false);
    const { code, tests } = await run(fakeProvider(env), [scenario('one')], { retries: 1 });
    expect(code).toBe(EXIT_FAILED);
    expect(tests[0]?.status).toBe('failed');
    expect(tests[0]?.flaky).toBeUndefined();
    expect(tests[0]?.diagnostics).toBe('diagnostics/ec-abc123-one-v4-retry1');
    expect(tests[0]?.retries?.map((a) => a.diagnostics)).toEqual(['diagnostics/ec-abc123-one-v4']);
  });

  it('--retries: an interrupt during a retry leaves the failure standing, exit 130', async () => {
    const env = new RecordingEnvironment(testDescription());
    let abort: AbortController | undefined;
    let applies = 0;
    // The first attempt fails (no address); the retry is interrupted at its first apply.
    env.onChange = () => {
      if (++applies === 2) abort?.abort();
    };
    const { code, tests } = await run(
      fakeProvider(env),
      [scenario('one')],
      { retries: 2 },
      {
        interrupts: (_log, controller) => {
          abort = controller;
          return { dispose: () => undefined };
        },
      },
    );
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(tests[0]?.status).toBe('failed');
    expect(tests[0]?.message).toMatch(/^ES-LIFE-2: /);
    expect(applies).toBe(2);
  });

  it('without --retries a failure is not retried', async () => {
    const env = new RecordingEnvironment(testDescription());
    let applies = 0;
    controller(env, () => ++applies > 1);
    const { code, tests } = await run(fakeProvider(env), [scenario('one')]);
    expect(code).toBe(EXIT_FAILED);
    expect(tests[0]?.retries).toBeUndefined();
    expect(applies).toBe(1);
  });

  it('--max-failures: no test starts once that many failed; the rest are not run, saying why', async () => {
    const env = new RecordingEnvironment(testDescription());
    controller(env, () => false);
    const specs = [scenario('one'), scenario('two'), scenario('three')];
    const { code, tests } = await run(fakeProvider(env), specs, { maxFailures: 1 });
    expect(code).toBe(EXIT_FAILED);
    expect(tests.map((t) => `${t.scenarioId} ${t.status} ${t.skipReason ?? ''}`.trim())).toEqual([
      'one failed',
      'two skipped not-run',
      'three skipped not-run',
    ]);
    expect(tests[1]?.message).toBe('not run: --max-failures 1 reached before it');
  });

  it('--last-failed: only the tests that failed in the newest report run', async () => {
    const env = new RecordingEnvironment(testDescription());
    controller(env, () => true);
    const earlier = join(root, 'run-1');
    await mkdir(earlier);
    const last = (id: string, status: string) => ({ scenarioId: id, family: 'ipv4', status });
    await writeFile(
      join(earlier, 'results.json'),
      JSON.stringify({ tests: [last('one', 'passed'), last('two', 'failed')] }),
    );
    const { code, run: result } = await run(
      fakeProvider(env),
      [scenario('one'), scenario('two')],
      {},
      { lastFailed: true },
    );
    expect(code).toBe(EXIT_OK);
    // Every planned IPv4 test, the one --last-failed left out included (it is not selected).
    const tests = result.tests.filter((t) => t.family === 'ipv4');
    expect(tests.map((t) => `${t.scenarioId} ${t.status}`)).toEqual(['one skipped', 'two passed']);
    expect(tests[0]?.message).toContain('--last-failed');
  });

  it('--last-failed without an earlier report is a usage error', async () => {
    const env = new RecordingEnvironment(testDescription());
    await expect(
      runSession({
        options: options(),
        lastFailed: true,
        reporters: [],
        providers: {
          load: async () => fakeProvider(env),
          available: () => ['lab'],
          settings: (name) => PROVIDERS[name].settings,
        },
        catalogue: { scenarios: [scenario('one')], problems: [] },
      }),
    ).rejects.toThrow(/--last-failed: no earlier report/);
  });

  it('filters: --grep over id and title, --grep-invert, --statement', async () => {
    const env = new RecordingEnvironment(testDescription());
    controller(env, () => true);
    const specs = [
      scenario('snat-one', 'source IP is the LoadBalancer', '[ES-SNAT-1]'),
      scenario('life-two', 'deleting restores', '[ES-LIFE-2]'),
    ];
    const ran = async (more: Partial<RunOptions>) =>
      (await run(fakeProvider(env), specs, more)).tests
        .filter((t) => t.status === 'passed')
        .map((t) => t.scenarioId);
    expect(await ran({ grep: 'LoadBalancer' })).toEqual(['snat-one']);
    expect(await ran({ grep: '^life' })).toEqual(['life-two']);
    expect(await ran({ grepInvert: 'snat' })).toEqual(['life-two']);
    expect(await ran({ statements: ['ES-LIFE-2'] })).toEqual(['life-two']);
  });

  /** A session over one spec, `snat-one`, without reporters: for what is refused before bring-up. */
  function onOneSpec(provider: FakeProvider, more: Partial<RunOptions>, input: Partial<SessionInput> = {}) {
    return runSession({
      options: options(more),
      reporters: [],
      providers: {
        load: async () => provider,
        available: () => ['lab'],
        settings: (name) => PROVIDERS[name].settings,
      },
      catalogue: { scenarios: [scenario('snat-one')], problems: [] },
      ...input,
    });
  }

  it('an unknown id or statement is a usage error with a "did you mean" before anything runs', async () => {
    const provider = fakeProvider(new RecordingEnvironment(testDescription()));
    const attempt = (more: Partial<RunOptions>) => onOneSpec(provider, more);
    await expect(attempt({ runTests: ['snat-on'] })).rejects.toThrow(
      new UsageError(
        '--run-test: no scenario with id snat-on; did you mean snat-one? (see `egress-conformance list`)',
      ),
    );
    await expect(attempt({ statements: ['ES-SANT-1'] })).rejects.toThrow(/did you mean ES-SNAT-1\?/);
    await expect(attempt({ grep: '(' })).rejects.toThrow(/--grep \(: not a regular expression/);
    await expect(attempt({ grep: 'nothing-matches' })).rejects.toThrow(
      /no test selected: .*--grep nothing-matches/,
    );
    expect(provider.ups).toBe(0);
  });

  it('a scope exception naming no spec of the catalogue is a usage error, as validate says', async () => {
    const provider = fakeProvider(new RecordingEnvironment(testDescription()));
    const attempt = (spec: string) =>
      onOneSpec(
        provider,
        { scopeExceptions: [{ rule: 'external-ips', spec, reason: 'routers expect it' }] },
        { optionsFile: 'opts.yaml' },
      );
    await expect(attempt('snat-onee')).rejects.toThrow(
      new UsageError(
        "--options-file opts.yaml: scopeExceptions: no spec with id 'snat-onee' (rule external-ips)",
      ),
    );
    expect(provider.ups).toBe(0);
    // The same exception naming a spec that exists is accepted and the run goes on.
    await expect(attempt('snat-one')).resolves.toBeTypeOf('number');
    expect(provider.ups).toBe(1);
  });
});
