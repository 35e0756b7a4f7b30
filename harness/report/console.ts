/** The console summary: a scenario x family table, then every failure with its reason. */
import { escapeUntrusted, escapeUntrustedLines } from '../common/escape.js';
import type { RunResult, TestFamily, TestResult } from '../run/results.js';
import { formatDuration } from '../spec/duration.js';
import { countsLine, countsOf, selectedTests, selectionOf } from './counts.js';

const FAMILIES: TestFamily[] = ['ipv4', 'ipv6', 'dual'];
const HEADER: Record<TestFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6', dual: 'dual' };

function cell(test: TestResult | undefined): string {
  if (!test) return '-';
  if (test.status === 'passed') return test.flaky ? 'flaky' : 'pass';
  if (test.status === 'failed') return test.provisional ? 'FAIL*' : 'FAIL';
  return `skip(${test.skipReason})`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - text.length));
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the summary's counts, per-family table, failures and measurements in the order they print
export function renderSummary(run: RunResult): string {
  // Tests the run left out (not selected, another shard's) are neither shown nor counted.
  const tests = selectedTests(run);
  const families = FAMILIES.filter((f) => tests.some((t) => t.family === f));
  const scenarios = [...new Map(tests.map((t) => [t.scenarioId, t])).values()];
  const rows = scenarios.map((first) => [
    first.profile,
    first.features.join(','),
    first.scenarioId,
    ...families.map((f) => cell(tests.find((t) => t.scenarioId === first.scenarioId && t.family === f))),
  ]);
  const header = ['profile', 'features', 'scenario', ...families.map((f) => HEADER[f])];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => pad(c, widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];

  const selection = selectionOf(run);
  out.push(
    '',
    `${countsLine(countsOf(run))}` +
      ` (${run.environment.provider} provider, ${formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))})`,
  );
  if (selection.scope === 'narrowed') {
    out.push(`selection: narrowed by ${selection.narrowedBy.join('; ')} (no profile result can be success)`);
  }
  if (run.tests.some((t) => t.provisional && t.status === 'failed')) {
    out.push('* provisional: reported, not counted against conformance');
  }
  const measured = tests.flatMap((t) =>
    t.evidence
      .filter((e) => e.measurements && Object.keys(e.measurements).length > 0)
      .map(
        (e) =>
          `- ${t.scenarioId} [${HEADER[t.family]}] ${e.probe}: ${Object.entries(e.measurements ?? {})
            .map(([name, value]) => `${name}=${value}`)
            .join(' ')}`,
      ),
  );
  if (measured.length > 0) out.push('', 'Measured:', ...measured);
  const failures = tests.filter((t) => t.status === 'failed');
  if (failures.length > 0) {
    out.push('', 'Failures:');
    for (const test of failures) {
      out.push(
        `- ${escapeUntrusted(test.scenarioId)} [${HEADER[test.family]}]: ${escapeUntrustedLines(test.message ?? 'failed')}`,
      );
      for (const evidence of test.evidence.filter((e) => !e.passed)) {
        out.push(`    evidence: ${escapeUntrusted(evidence.capture)}`);
      }
      if (test.diagnostics) out.push(`    diagnostics: ${escapeUntrusted(test.diagnostics)}`);
      for (const attempt of test.retries ?? []) {
        out.push(`    attempt ${attempt.attempt} also failed: ${escapeUntrustedLines(attempt.message)}`);
        if (attempt.diagnostics) out.push(`      diagnostics: ${escapeUntrusted(attempt.diagnostics)}`);
      }
    }
  }
  const flaky = tests.filter((t) => t.flaky);
  if (flaky.length > 0) {
    // A retry never hides a failure: each flaky test with what its failed attempts saw.
    out.push('', 'Flaky (passed on a retry):');
    for (const test of flaky) {
      for (const attempt of test.retries ?? []) {
        out.push(
          `- ${escapeUntrusted(test.scenarioId)} [${HEADER[test.family]}] attempt ${attempt.attempt}: ${escapeUntrustedLines(attempt.message)}`,
        );
        if (attempt.diagnostics) out.push(`    diagnostics: ${escapeUntrusted(attempt.diagnostics)}`);
      }
    }
  }
  if (run.interrupted) out.push('', 'The run was interrupted; tests after the interruption were not run.');
  if (run.environment.implementation.reference) {
    out.push('', 'Reference lab: these results exercise the suite itself; they certify no implementation.');
  }
  return out.join('\n');
}
