/**
 * What the reports claim, by Gateway API's rules: a profile part is success only when the run was
 * whole and every statement of it the environment supports was tested and passed; partial when
 * some passed and none failed; failure when any failed; not-run when nothing of it ran. A
 * narrowed run says so and is never success; tests it left out are in no count, and every format
 * counts the same.
 */
import { describe, expect, it } from 'vitest';
import { buildConformanceReport } from '../../harness/report/conformance.js';
import { conformanceReportSchema } from '../../harness/report/conformance-schema.js';
import { renderSummary } from '../../harness/report/console.js';
import { renderHtmlReport } from '../../harness/report/html/page.js';
import { renderJunit } from '../../harness/report/junit.js';
import { stepSummaryMarkdown } from '../../harness/report/reporters/github.js';
import type { RunResult, TestResult } from '../../harness/run/results.js';
import { STATEMENTS } from '../../harness/spec/statements.js';
import { testDescription } from '../support/recording-environment.js';
import { countsByFormat } from '../support/report-counts.js';

const CORE = STATEMENTS.filter((s) => s.profile === 'core').map((s) => s.id);

function test(id: string, statements: string[], overrides: Partial<TestResult> = {}): TestResult {
  return {
    scenarioId: id,
    title: id,
    file: `suites/core/${id}.yaml`,
    profile: 'core',
    features: ['SourceIPLoadBalancer'],
    statements,
    provisional: false,
    family: 'ipv4',
    namespace: `ec-r1-${id}-v4`,
    status: 'passed',
    durationMs: 10,
    steps: [],
    evidence: [],
    ...overrides,
  };
}

/** One passing core test per core statement, plus whatever else the case adds. */
function run(tests: TestResult[], options: Record<string, unknown> = {}, extra: Partial<RunResult> = {}) {
  const result: RunResult = {
    runId: 'r1',
    toolVersion: '0.1.0',
    startedAt: '2026-12-07T10:00:00.000Z',
    finishedAt: '2026-12-07T10:01:00.000Z',
    environment: testDescription(),
    options: { provider: 'lab', profile: 'core', runTests: [], skipTests: [], ...options },
    tests,
    phases: [],
    interrupted: false,
    reportDir: '/nonexistent',
    ...extra,
  };
  return { result, report: conformanceReportSchema.parse(buildConformanceReport(result)) };
}

const everyCore = () => CORE.map((id, i) => test(`core-${i}`, [id]));

describe('conformance claims', () => {
  it('core is success only when every core statement was tested and passed on a whole run', () => {
    const { report } = run(everyCore());
    expect(report.profiles[0]?.core.result).toBe('success');
    expect(report.selection).toMatchObject({ scope: 'full', narrowedBy: [] });
    expect(report.result).toBe('success');
    // Nothing extended ran (the environment supports no extended feature): not run, not partial.
    expect(report.profiles[0]?.extended).toMatchObject({
      result: 'not-run',
      statistics: { passed: 0, failed: 0, skipped: 0 },
    });
  });

  it('core is partial when one supported core statement was never tested', () => {
    const { report } = run(everyCore().slice(1));
    expect(report.profiles[0]?.core.result).toBe('partial');
    expect(report.statements.find((s) => s.id === CORE[0])?.result).toBe('not-tested');
    expect(report.result).toBe('partial');
  });

  it('core is partial when a selected core test was skipped, with its reason', () => {
    const skipped = test('needs-more', [CORE[0] as string], {
      status: 'skipped',
      skipReason: 'not-supported',
      message: 'needs 4 nodes, the environment has 3',
    });
    const { report } = run([...everyCore(), skipped]);
    expect(report.profiles[0]?.core.result).toBe('partial');
    expect(report.profiles[0]?.core.skippedTests).toEqual([
      { test: 'needs-more/ipv4', reason: 'not-supported', message: 'needs 4 nodes, the environment has 3' },
    ]);
  });

  it('core is failure when any core test failed', () => {
    const tests = everyCore();
    tests[2] = { ...(tests[2] as TestResult), status: 'failed', message: 'boom' };
    expect(run(tests).report.profiles[0]?.core.result).toBe('failure');
  });

  it('a run narrowed by --run-test is never success, and says what it selected', () => {
    const tests = everyCore().map((t, i) =>
      i === 0
        ? t
        : {
            ...t,
            status: 'skipped' as const,
            skipReason: 'not-selected' as const,
            message: 'not named by --run-test',
          },
    );
    const { report } = run(tests, { runTests: ['core-0'] });
    expect(report.selection).toEqual({
      scope: 'narrowed',
      narrowedBy: ['--run-test core-0'],
      plannedTests: CORE.length,
      selectedTests: 1,
      tests: ['core-0/ipv4'],
    });
    expect(report.profiles[0]?.core).toMatchObject({
      result: 'partial',
      statistics: { passed: 1, failed: 0, skipped: 0 },
      skippedTests: [],
    });
    // Not-selected tests are no part of the report's tests.
    expect(report.tests.map((t) => t.name)).toEqual(['core-0/ipv4']);
    expect(report.result).toBe('partial');
  });

  it('even a narrowed run covering every statement is partial (--suites)', () => {
    const { report } = run(everyCore(), { suites: 'my-suites' });
    expect(report.selection.narrowedBy).toEqual(['--suites my-suites']);
    expect(report.profiles[0]?.core.result).toBe('partial');
  });

  it('a single --family is narrowed where the environment supports the other family', () => {
    const withIpv6 = testDescription({
      features: ['SourceIPLoadBalancer', 'NodeLabel', 'Lifecycle', 'IPv6', 'DualStack'].map((name) => ({
        name,
        supported: true,
        source: 'provider' as const,
      })),
    });
    const narrowed = run(everyCore(), { family: 'ipv4' }, { environment: withIpv6 }).report;
    expect(narrowed.selection.narrowedBy).toEqual(['--family ipv4']);
    expect(narrowed.profiles[0]?.core.result).toBe('partial');
    // An environment that offers IPv4 only is whole with --family ipv4.
    expect(run(everyCore(), { family: 'ipv4' }).report.selection.scope).toBe('full');
  });

  it('a run that could not start says error, every part not run', () => {
    const tests = everyCore().map((t) => ({
      ...t,
      status: 'skipped' as const,
      skipReason: 'not-run' as const,
      message: 'not run: the lab environment did not come up (no engine)',
    }));
    const { report } = run(tests, {}, { errors: [{ phase: 'preflight', message: 'docker: no engine' }] });
    expect(report.result).toBe('error');
    expect(report.profiles[0]?.core.result).toBe('not-run');
    expect(report.profiles[0]?.extended.result).toBe('not-run');
  });

  it('every format counts the same selected tests, and none of the left-out ones', () => {
    const tests = [
      test('a', [CORE[0] as string]),
      test('b', [CORE[1] as string], { status: 'failed', message: 'ES-SNAT-2: no' }),
      test('c', [CORE[2] as string], {
        status: 'skipped',
        skipReason: 'not-supported',
        message: 'needs 9 nodes',
      }),
      test('d', [CORE[3] as string], { status: 'skipped', skipReason: 'not-selected', message: 'not named' }),
      test('e', [CORE[4] as string], { status: 'skipped', skipReason: 'other-shard', message: 'shard 2/2' }),
    ];
    const { result, report } = run(tests, { runTests: ['a', 'b', 'c'] });
    const counts = countsByFormat({
      console: renderSummary(result),
      stepSummary: stepSummaryMarkdown(result),
      junit: renderJunit(result),
      conformance: JSON.stringify(report),
      html: renderHtmlReport(result),
    });
    const expected = { planned: 5, selected: 3, passed: 1, failed: 1, skipped: 1 };
    for (const format of Object.values(counts)) expect(format).toEqual(expected);
    expect(renderSummary(result)).toContain('3 of 5 tests selected: 1 passed, 1 failed, 1 skipped');
    expect(renderJunit(result)).not.toMatch(/name="[de] /);
  });
});
