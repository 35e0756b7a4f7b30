/** Builds the ConformanceReport from a run's results (see conformance-schema.ts for its shape). */

import { type RunResult, type TestResult, testKey } from '../run/results.js';
import { CORE_PROFILE, STATEMENTS } from '../spec/statements.js';
import { type ConformanceReport, REPORT_API_VERSION } from './conformance-schema.js';

type Section = ConformanceReport['profiles'][number]['core'];

function sectionOf(tests: TestResult[]): Section {
  const passed = tests.filter((t) => t.status === 'passed').length;
  const failed = tests.filter((t) => t.status === 'failed');
  const skipped = tests.filter((t) => t.status === 'skipped');
  return {
    // Gateway API's reading: any failure fails; anything left untested makes it partial.
    result: failed.length > 0 ? 'failure' : skipped.length > 0 || passed === 0 ? 'partial' : 'success',
    statistics: { passed, failed: failed.length, skipped: skipped.length },
    failedTests: failed.map(testKey),
    skippedTests: skipped.map((t) => ({
      test: testKey(t),
      reason: t.skipReason ?? 'unknown',
      message: t.message ?? '',
    })),
  };
}

function statementResults(run: RunResult): ConformanceReport['statements'] {
  return STATEMENTS.map((statement) => {
    const tests = run.tests.filter((t) => t.statements.includes(statement.id) && t.status !== 'skipped');
    const failed = tests.some(
      (t) => t.status === 'failed' && (t.failedStatements ?? t.statements).includes(statement.id),
    );
    return {
      id: statement.id,
      feature: statement.feature,
      profile: statement.profile,
      result: tests.length === 0 ? 'not-tested' : failed ? 'failed' : 'passed',
      tests: tests.map(testKey),
    };
  });
}

export function buildConformanceReport(run: RunResult): ConformanceReport {
  const env = run.environment;
  const counted = run.tests.filter((t) => !t.provisional);
  const provisional = run.tests.filter((t) => t.provisional);
  // Scenarios skipped because the environment lacks a feature are not held against the
  // extended result: they are listed as unsupported features instead.
  const extendedTests = counted.filter((t) => t.profile === 'extended' && t.skipReason !== 'not-supported');
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
    profiles: [
      {
        name: CORE_PROFILE,
        core: sectionOf(counted.filter((t) => t.profile === 'core')),
        extended: {
          ...sectionOf(extendedTests),
          supportedFeatures: env.features.filter((f) => f.supported).map((f) => f.name),
          unsupportedFeatures: env.features.filter((f) => !f.supported).map((f) => f.name),
        },
        provisional: {
          statistics: sectionOf(provisional).statistics,
          failedTests: provisional.filter((t) => t.status === 'failed').map(testKey),
        },
      },
    ],
    statements: statementResults(run),
    tests: run.tests.map((t) => ({
      name: testKey(t),
      scenario: t.scenarioId,
      title: t.title,
      family: t.family,
      profile: t.profile,
      features: t.features,
      statements: t.statements,
      provisional: t.provisional,
      status: t.status,
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
