/** Builds the ConformanceReport from a run's results (see conformance-schema.ts for its shape). */

import type { EnvironmentDescription } from '../env/environment.js';
import { type RunResult, type TestResult, testKey } from '../run/results.js';
import { CORE_PROFILE, type Profile, STATEMENTS } from '../spec/statements.js';
import { type ConformanceReport, REPORT_API_VERSION } from './conformance-schema.js';
import { countsOf, leftOut, type Selection, selectedTests, selectionOf } from './counts.js';

type Section = ConformanceReport['profiles'][number]['core'];
type PartResult = Section['result'];

/** Whether the environment declares a feature supported (core features: every environment's). */
function supports(env: EnvironmentDescription, feature: string, profile: Profile): boolean {
  const declared = env.features.find((f) => f.name === feature);
  return declared ? declared.supported : profile === 'core';
}

/**
 * Gateway API's rules for a profile part: `failure` when any test failed; `not-run` when nothing
 * of it ran; `success` only when the run was whole and every statement of the part that the
 * environment supports was tested and passed; otherwise `partial` (some passed, none failed).
 */
function partResult(profile: Profile, tests: TestResult[], run: RunResult, selection: Selection): PartResult {
  if (tests.some((t) => t.status === 'failed')) return 'failure';
  const ran = tests.filter((t) => t.status === 'passed');
  if (ran.length === 0) return 'not-run';
  if (selection.scope === 'narrowed' || tests.some((t) => t.status === 'skipped')) return 'partial';
  const required = STATEMENTS.filter(
    (s) => s.profile === profile && !s.provisional && supports(run.environment, s.feature, profile),
  );
  const untested = required.filter((s) => !ran.some((t) => t.statements.includes(s.id)));
  return untested.length > 0 ? 'partial' : 'success';
}

function sectionOf(profile: Profile, tests: TestResult[], run: RunResult, selection: Selection): Section {
  const passed = tests.filter((t) => t.status === 'passed').length;
  const failed = tests.filter((t) => t.status === 'failed');
  const skipped = tests.filter((t) => t.status === 'skipped');
  return {
    result: partResult(profile, tests, run, selection),
    statistics: { passed, failed: failed.length, skipped: skipped.length },
    failedTests: failed.map(testKey),
    skippedTests: skipped.map((t) => ({
      test: testKey(t),
      reason: t.skipReason ?? 'unknown',
      message: t.message ?? '',
    })),
  };
}

/** The run as a whole: `error` when something outside the tests failed (preflight, bring-up, ...). */
function overall(run: RunResult, parts: PartResult[]): ConformanceReport['result'] {
  if ((run.errors ?? []).length > 0) return 'error';
  if (parts.includes('failure')) return 'failure';
  if (parts.every((p) => p === 'not-run')) return 'not-run';
  return parts.every((p) => p === 'success' || p === 'not-run') && parts[0] === 'success'
    ? 'success'
    : 'partial';
}

function statementResults(run: RunResult): ConformanceReport['statements'] {
  return STATEMENTS.map((statement) => {
    const tests = run.tests.filter((t) => t.statements.includes(statement.id) && t.status !== 'skipped');
    const failed = tests.some(
      (t) => t.status === 'failed' && (t.failedStatements ?? t.statements).includes(statement.id),
    );
    return {
      id: statement.id,
      summary: statement.summary,
      feature: statement.feature,
      profile: statement.profile,
      result: tests.length === 0 ? 'not-tested' : failed ? 'failed' : 'passed',
      tests: tests.map(testKey),
    };
  });
}

export function buildConformanceReport(run: RunResult): ConformanceReport {
  const env = run.environment;
  const selection = selectionOf(run);
  // Tests the run left out (not selected, another shard's) are no part of its counts.
  const counted = selectedTests(run).filter((t) => !t.provisional);
  const provisional = selectedTests(run).filter((t) => t.provisional);
  // Scenarios skipped because the environment lacks a feature are not held against the
  // extended result: they are listed as unsupported features instead.
  const extendedTests = counted.filter((t) => t.profile === 'extended' && t.skipReason !== 'not-supported');
  const core = sectionOf(
    'core',
    counted.filter((t) => t.profile === 'core'),
    run,
    selection,
  );
  const extended = sectionOf('extended', extendedTests, run, selection);
  const counts = countsOf(run);
  const implementation: ConformanceReport['implementation'] = {
    ...env.implementation,
    ...(run.options.implementation as object | undefined),
    reference: env.implementation.reference,
  };
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'ConformanceReport',
    date: run.finishedAt,
    runId: run.runId,
    egressConformanceVersion: run.toolVersion,
    implementation,
    certification: env.implementation.reference
      ? 'Reference lab: these results exercise the suite against its own reference implementation. They certify no implementation.'
      : `Results of ${implementation.name} ${implementation.version} on the ${env.provider} provider.`,
    provider: env.provider,
    environment: {
      id: env.id,
      families: env.families,
      nodes: env.nodes.length,
      networks: env.networks.map((n) => n.name),
      fingerprint: env.fingerprint,
    },
    options: run.options,
    result: overall(run, [core.result, extended.result]),
    selection: {
      ...selection,
      plannedTests: counts.planned,
      selectedTests: counts.selected,
      tests: selectedTests(run).map(testKey),
    },
    statistics: {
      passed: counts.passed,
      failed: counts.failed,
      skipped: counts.skipped,
      ...(counts.flaky > 0 ? { flaky: counts.flaky } : {}),
    },
    profiles: [
      {
        name: CORE_PROFILE,
        core,
        extended: {
          ...extended,
          supportedFeatures: env.features.filter((f) => f.supported).map((f) => f.name),
          unsupportedFeatures: env.features.filter((f) => !f.supported).map((f) => f.name),
        },
        provisional: {
          statistics: {
            passed: provisional.filter((t) => t.status === 'passed').length,
            failed: provisional.filter((t) => t.status === 'failed').length,
            skipped: provisional.filter((t) => t.status === 'skipped').length,
          },
          failedTests: provisional.filter((t) => t.status === 'failed').map(testKey),
        },
      },
    ],
    statements: statementResults(run),
    tests: run.tests
      .filter((t) => !leftOut(t))
      .map((t) => ({
        name: testKey(t),
        scenario: t.scenarioId,
        title: t.title,
        family: t.family,
        profile: t.profile,
        features: t.features,
        statements: t.statements,
        provisional: t.provisional,
        status: t.status,
        ...(t.flaky ? { flaky: true } : {}),
        ...(t.retries
          ? {
              retries: t.retries.map((a) => ({
                attempt: a.attempt,
                message: a.message,
                captures: a.evidence.map((e) => e.capture),
                ...(a.diagnostics ? { diagnostics: a.diagnostics } : {}),
              })),
            }
          : {}),
        ...(t.skipReason ? { reason: t.skipReason } : {}),
        ...(t.message ? { message: t.message } : {}),
        durationMs: t.durationMs,
        evidence: t.evidence.map((e) => ({
          probe: e.probe,
          capture: e.capture,
          expected: e.expected,
          totalPackets: e.totalPackets,
          matchedPackets: e.matchedPackets,
          passed: e.passed,
          ...(e.measurements ? { measurements: e.measurements } : {}),
        })),
        ...(t.diagnostics ? { diagnostics: t.diagnostics } : {}),
      })),
    phases: run.phases,
    interrupted: run.interrupted,
    ...(run.errors && run.errors.length > 0 ? { errors: run.errors } : {}),
    ...(run.shard ? { shard: run.shard } : {}),
    ...(run.mergedFrom ? { mergedFrom: run.mergedFrom.map((m) => m.runId) } : {}),
  };
}
