/**
 * junit.xml: one testsuite per profile, one testcase per scenario x family. Failure messages say
 * what was expected and what was seen; the body carries every step and the probe evidence.
 */
import { hostname } from 'node:os';
import type { RunResult, TestResult } from '../run/results.js';
import { countsLine, countsOf, leftOut } from './counts.js';
import { attributes, escapeXml } from './xml.js';

const FAMILY_NAME = { ipv4: 'IPv4', ipv6: 'IPv6', dual: 'dual-stack' } as const;

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export function testcaseName(test: TestResult): string {
  return `${test.scenarioId} [${FAMILY_NAME[test.family]}]`;
}

function stepLog(test: TestResult): string {
  const lines = [
    `${test.title}`,
    `statements: ${test.statements.join(', ')}`,
    `namespace: ${test.namespace}`,
  ];
  for (const step of test.steps) {
    if (step.status === 'not-run') continue;
    lines.push(
      `${step.status === 'passed' ? 'ok  ' : 'FAIL'} step ${step.index + 1} ${step.kind} (${test.file}:${step.line}, ${step.durationMs}ms): ${step.detail}`,
    );
  }
  for (const evidence of test.evidence) {
    const sources = Object.entries(evidence.sources)
      .map(([src, n]) => `${src}=${n}`)
      .join(' ');
    lines.push(
      `evidence ${evidence.probe}: ${evidence.matchedPackets}/${evidence.totalPackets} packets to ${evidence.target}/${evidence.protocol} matched ${evidence.expected}; sources: ${sources || 'none'}; capture: ${evidence.capture}`,
    );
    const measured = Object.entries(evidence.measurements ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    if (measured) lines.push(`measured ${evidence.probe}: ${measured}`);
  }
  if (test.diagnostics) lines.push(`diagnostics: ${test.diagnostics}`);
  return lines.join('\n');
}

/** The failed attempts before a retry, in full: a retry never hides a failure's evidence. */
function attemptsLog(test: TestResult): string {
  return (test.retries ?? [])
    .map((attempt) =>
      [
        `attempt ${attempt.attempt} failed: ${attempt.message}`,
        stepLog({
          ...test,
          steps: attempt.steps,
          evidence: attempt.evidence,
          diagnostics: attempt.diagnostics,
        }),
      ].join('\n'),
    )
    .join('\n\n');
}

function testcase(test: TestResult): string {
  const head = `    <testcase${attributes({
    name: testcaseName(test),
    classname: `egress-conformance.${test.profile}.${test.scenarioId}`,
    time: seconds(test.durationMs),
  })}>`;
  const body: string[] = [];
  if (test.status === 'failed') {
    const type = test.provisional ? 'provisional' : (test.failedStatements ?? test.statements).join(',');
    body.push(
      `      <failure${attributes({ message: test.message ?? 'failed', type })}>${escapeXml(stepLog(test))}</failure>`,
    );
  } else if (test.status === 'skipped') {
    body.push(
      `      <skipped${attributes({ message: `${test.skipReason}: ${test.message ?? ''}`, type: test.skipReason })}/>`,
    );
  }
  if (test.flaky) {
    // Passed on a retry: a passed testcase marked flaky, carrying the failed attempts' output.
    body.push(
      '      <properties>',
      `        <property${attributes({ name: 'flaky', value: 'true' })}/>`,
      `        <property${attributes({ name: 'attempts', value: String((test.retries?.length ?? 0) + 1) })}/>`,
      '      </properties>',
    );
  }
  if (test.status !== 'skipped') {
    const retried = test.retries?.length
      ? `${attemptsLog(test)}\n\nattempt ${test.retries.length + 1}:\n`
      : '';
    body.push(`      <system-out>${escapeXml(retried + stepLog(test))}</system-out>`);
  }
  return [head, ...body, '    </testcase>'].join('\n');
}

function suite(name: string, tests: TestResult[], run: RunResult): string {
  const failures = tests.filter((t) => t.status === 'failed').length;
  const skipped = tests.filter((t) => t.status === 'skipped').length;
  const properties = [
    ['provider', run.environment.provider],
    ['implementation', `${run.environment.implementation.name} ${run.environment.implementation.version}`],
    ['reference-implementation', String(run.environment.implementation.reference)],
    ['run-id', run.runId],
    // The run's counts line, as every other report says it ("1 of 42 tests selected: ...").
    ['counts', countsLine(countsOf(run))],
  ]
    .map(([k, v]) => `      <property${attributes({ name: k, value: v })}/>`)
    .join('\n');
  return [
    `  <testsuite${attributes({
      name: `egress-conformance ${name}`,
      tests: tests.length,
      failures,
      errors: 0,
      skipped,
      time: seconds(tests.reduce((sum, t) => sum + t.durationMs, 0)),
      timestamp: run.startedAt,
      hostname: hostname(),
      package: 'egress-conformance',
    })}>`,
    '    <properties>',
    properties,
    '    </properties>',
    ...tests.map(testcase),
    '  </testsuite>',
  ].join('\n');
}

/**
 * Bring-up, teardown and reporter errors: one testcase each with an `<error>`, so that a CI
 * reading only junit.xml sees why the tests did not run (or what failed after them).
 */
function errorSuite(run: RunResult): string[] {
  const errors = run.errors ?? [];
  if (errors.length === 0) return [];
  return [
    `  <testsuite${attributes({ name: 'egress-conformance run', tests: errors.length, failures: 0, errors: errors.length, skipped: 0, time: '0', timestamp: run.startedAt, hostname: hostname(), package: 'egress-conformance' })}>`,
    ...errors.map((error) =>
      [
        `    <testcase${attributes({ name: error.phase, classname: 'egress-conformance.run', time: '0' })}>`,
        `      <error${attributes({ message: error.message, type: error.phase })}>${escapeXml(error.message)}</error>`,
        '    </testcase>',
      ].join('\n'),
    ),
    '  </testsuite>',
  ];
}

export function renderJunit(run: RunResult): string {
  const profiles = ['core', 'extended'] as const;
  // Only the tests the run selected: not-selected tests and other shards' are no part of it.
  const own = run.tests.filter((t) => !leftOut(t));
  const suites = profiles
    .map((p) => [p, own.filter((t) => t.profile === p)] as const)
    .filter(([, tests]) => tests.length > 0);
  const failures = own.filter((t) => t.status === 'failed').length;
  const errors = run.errors?.length ?? 0;
  const totalMs = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'egress-conformance', tests: own.length + errors, failures, errors, time: seconds(Math.max(0, totalMs)) })}>`,
    ...suites.map(([name, tests]) => suite(name, tests, run)),
    ...errorSuite(run),
    '</testsuites>',
    '',
  ].join('\n');
}
