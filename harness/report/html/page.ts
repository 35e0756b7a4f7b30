/**
 * The HTML report: one self-contained page (its style, script and charts inline; it loads
 * nothing) that links to the run's artifacts beside it. Header with what was tested and the
 * profile results, a statement x family matrix, filters, and every test with its steps, probes,
 * packets per source, offenders, measurements and timeline.
 */
import { createHash } from 'node:crypto';
import type { ProbeEvidenceRecord, RunResult, TestFamily, TestResult } from '../../run/results.js';
import { testKey } from '../../run/results.js';
import { formatDuration } from '../../spec/duration.js';
import { STATEMENTS } from '../../spec/statements.js';
import { buildConformanceReport } from '../conformance.js';
import { countsLine, countsOf, selectedTests } from '../counts.js';
import { FAMILY_LABEL, quietSkip } from '../reporters/terminal.js';
import { SCRIPT, STYLE } from './assets.js';
import { esc, href } from './escape.js';
import { type ProbeRounds, renderTimeline, roundsOf, roundsSummary, seriesOf } from './timeline.js';

export interface HtmlExtras {
  /** Files of each diagnostics bundle (relative to the report dir), by bundle directory. */
  diagnostics?: Record<string, string[]>;
}

const FAMILIES: TestFamily[] = ['ipv4', 'ipv6', 'dual'];
const OFFENDERS_SHOWN = 20;

export function testAnchor(test: Pick<TestResult, 'scenarioId' | 'family'>): string {
  return `test-${test.scenarioId}-${test.family}`;
}

type Cell = 'passed' | 'failed' | 'skipped' | '';

/** One statement on one family: failed if a test failed it, passed if tests ran and none did. */
export function matrixCell(tests: TestResult[], statement: string, family: TestFamily): Cell {
  const relevant = tests.filter(
    (t) => t.family === family && t.statements.includes(statement) && !quietSkip(t),
  );
  if (relevant.length === 0) return '';
  if (relevant.some((t) => t.status === 'failed' && (t.failedStatements ?? t.statements).includes(statement)))
    return 'failed';
  if (relevant.some((t) => t.status === 'passed')) return 'passed';
  return 'skipped';
}

function header(run: RunResult): string {
  const report = buildConformanceReport(run);
  const env = run.environment;
  const profile = report.profiles[0];
  const rows = profile
    ? [
        ['core', profile.core.result, profile.core.statistics],
        ['extended', profile.extended.result, profile.extended.statistics],
        ['provisional', '', profile.provisional.statistics],
      ]
    : [];
  const duration = formatDuration(Math.max(0, Date.parse(run.finishedAt) - Date.parse(run.startedAt)));
  const parts = [
    `<h1>egress-conformance report</h1>`,
    `<p><strong>${esc(report.implementation.name)} ${esc(report.implementation.version)}</strong> on the <strong>${esc(env.provider)}</strong> provider, environment <code>${esc(env.id)}</code> (${esc(env.families.join(', '))}, ${env.nodes.length} nodes); run <code>${esc(run.runId)}</code>, ${esc(run.startedAt)}, ${esc(duration)}; egress-conformance ${esc(run.toolVersion)}.</p>`,
  ];
  if (env.implementation.reference)
    parts.push(`<p class="note" id="reference-note">${esc(report.certification)}</p>`);
  if (run.interrupted)
    parts.push(
      '<p class="banner" id="interrupted">The run was interrupted: tests after the interruption did not run.</p>',
    );
  for (const error of run.errors ?? [])
    parts.push(
      `<p class="banner run-error"><strong>${esc(error.phase)} failed:</strong> ${esc(error.message)}</p>`,
    );
  if (run.shard)
    parts.push(
      `<p>Shard ${run.shard.index} of ${run.shard.total}: the other shards' tests are listed as skipped (other-shard).</p>`,
    );
  if (run.mergedFrom) {
    parts.push(
      `<p>Merged from ${run.mergedFrom.length} runs: ${run.mergedFrom.map((m) => `<code>${esc(m.runId)}</code>${m.shard ? ` (shard ${m.shard.index}/${m.shard.total})` : ''}`).join(', ')}.</p>`,
    );
  }
  parts.push(
    `<p id="counts">${esc(countsLine(countsOf(run)))}.</p>`,
    report.selection.scope === 'narrowed'
      ? `<p class="banner" id="selection">Selection: narrowed by ${esc(report.selection.narrowedBy.join('; '))}. A narrowed run is never a profile's success.</p>`
      : '',
    '<h2>Profile EGRESS-SERVICE-CORE</h2><table id="profiles"><tr><th>part</th><th>result</th><th>passed</th><th>failed</th><th>skipped</th></tr>',
    ...rows.map(
      ([name, result, stats]) =>
        `<tr><td>${esc(name as string)}</td><td class="${esc(result as string)}">${esc((result as string) || 'reported, not counted')}</td><td>${(stats as { passed: number }).passed}</td><td>${(stats as { failed: number }).failed}</td><td>${(stats as { skipped: number }).skipped}</td></tr>`,
    ),
    '</table>',
  );
  if (profile) {
    parts.push(
      `<p>Supported features: ${esc(profile.extended.supportedFeatures.join(', ') || 'none')}; unsupported: ${esc(profile.extended.unsupportedFeatures.join(', ') || 'none')}.</p>`,
    );
  }
  parts.push(
    '<details><summary>Environment fingerprint</summary><table id="fingerprint">',
    ...Object.entries(env.fingerprint).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`),
    '</table></details>',
  );
  return parts.join('\n');
}

function matrix(run: RunResult): string {
  const families = FAMILIES.filter((f) => run.tests.some((t) => t.family === f));
  const statements = STATEMENTS.filter((s) =>
    run.tests.some((t) => t.statements.includes(s.id) && !quietSkip(t)),
  );
  const rows = statements.map((s) => {
    const cells = families.map((family) => {
      const cell = matrixCell(run.tests, s.id, family);
      if (!cell) return '<td></td>';
      const target = `#filter:statement=${encodeURIComponent(s.id)}&family=${family}`;
      return `<td class="${cell}" data-statement="${esc(s.id)}" data-family="${family}"><a href="${esc(target)}">${cell}</a></td>`;
    });
    return `<tr><th title="${esc(s.summary)}">${esc(s.id)}${s.provisional ? ' (provisional)' : ''}</th><td class="statement-text">${esc(s.summary)}</td><td>${esc(s.feature)}</td>${cells.join('')}</tr>`;
  });
  return [
    '<h2>Statements</h2>',
    `<table class="matrix" id="matrix"><tr><th>statement</th><th>what it says</th><th>feature</th>${families.map((f) => `<th>${FAMILY_LABEL[f]}</th>`).join('')}</tr>`,
    ...rows,
    '</table>',
  ].join('\n');
}

function options(values: string[], label: string, id: string): string {
  return `<label>${label} <select id="f-${id}"><option value="">all</option>${values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('')}</select></label>`;
}

function filters(run: RunResult): string {
  const uniq = (values: string[]) => [...new Set(values)].sort();
  return [
    '<div class="filters" id="filters">',
    options(['passed', 'flaky', 'failed', 'skipped'], 'result', 'status'),
    options(uniq(run.tests.flatMap((t) => t.statements)), 'statement', 'statement'),
    options(uniq(run.tests.flatMap((t) => t.features)), 'feature', 'feature'),
    options(
      FAMILIES.filter((f) => run.tests.some((t) => t.family === f)),
      'family',
      'family',
    ),
    `<span><span id="shown">${selectedTests(run).length}</span> of ${selectedTests(run).length} tests</span>`,
    '</div>',
  ].join('');
}

function sourcesTable(record: ProbeEvidenceRecord): string {
  const expected = record.packets?.rule === 'equals' ? record.packets.expected : [];
  const forbidden = record.packets?.rule === 'not' ? record.packets.expected : [];
  const counts = { ...Object.fromEntries(expected.map((source) => [source, 0])), ...record.sources };
  const rows = Object.entries(counts).map(([source, count]) => {
    const mark = expected.includes(source)
      ? '✓ expected'
      : forbidden.includes(source)
        ? '✗ must not be'
        : record.offenders.some((o) => o.src === source)
          ? '✗ offending'
          : '';
    const sender = record.senders?.[source] ?? '';
    return `<tr class="${mark.startsWith('✓') ? 'passed' : mark ? 'failed' : ''}"><td><code>${esc(source)}</code></td><td>${esc(sender)}</td><td>${count}</td><td>${esc(mark)}</td></tr>`;
  });
  return `<table class="sources"><tr><th>source</th><th>sender</th><th>packets</th><th></th></tr>${rows.join('') || '<tr><td colspan="4">no probe packets</td></tr>'}</table>`;
}

function offendersTable(record: ProbeEvidenceRecord): string {
  if (record.offenders.length === 0) return '';
  const shown = record.offenders.slice(0, OFFENDERS_SHOWN);
  const more =
    record.offenders.length > shown.length
      ? `<p>and ${record.offenders.length - shown.length} more (in the capture)</p>`
      : '';
  return `<h4>Offending packets (${record.offenders.length})</h4><table class="offenders"><tr><th>time</th><th>source</th><th>destination</th></tr>${shown
    .map(
      (o) =>
        `<tr><td>${esc(o.time)}</td><td>${esc(o.src)}${o.srcPort === null ? '' : `:${o.srcPort}`}</td><td>${esc(o.dst)}${o.dstPort === null ? '' : `:${o.dstPort}`}</td></tr>`,
    )
    .join('')}</table>${more}`;
}

function probe(record: ProbeEvidenceRecord): string {
  const measurements = Object.entries(record.measurements ?? {});
  return [
    `<div class="probe ${record.passed ? 'passed' : 'failed'}"><h4>${record.passed ? '✓' : '✗'} probe ${esc(record.probe)}${record.family ? ` (${esc(record.family)})` : ''}: ${record.matchedPackets}/${record.totalPackets} packets to ${esc(record.target)}/${esc(record.protocol)}, expected ${esc(record.expected)}</h4>`,
    `<p class="message">${esc(record.message)}</p>`,
    sourcesTable(record),
    offendersTable(record),
    measurements.length > 0
      ? `<p class="measurements">Measured: ${measurements.map(([k, v]) => `<strong>${esc(k)}</strong> ${esc(v)}`).join(', ')}</p>`
      : '',
    `<p>${record.attemptsOk}/${record.attempts} attempts answered; capture: <a class="artifact" href="${href(record.capture)}">${esc(record.capture)}</a></p>`,
    '</div>',
  ].join('');
}

/** Diagnostics files a failed step links to directly: the bundle's indexes and its ovn-traces. */
const STEP_LINKED = /^(INDEX\.txt|OVN-INDEX\.txt|ovn-trace-.*)$/;

/**
 * The failed step's links into its test's diagnostics bundle: the indexes and every ovn-trace by
 * name, and the whole list (the Diagnostics block under the test).
 */
function failedStepLinks(test: TestResult, extras: HtmlExtras, block: string): string {
  const dir = test.diagnostics;
  if (!dir) return '';
  const files = extras.diagnostics?.[dir] ?? [];
  const direct = files
    .filter((f) => STEP_LINKED.test(f.slice(dir.length + 1)))
    .map((f) => `<a class="artifact" href="${href(f)}">${esc(f.slice(dir.length + 1))}</a>`);
  const all = `<a href="#${esc(block)}">diagnostics (${files.length} files)</a>`;
  return `<div class="step-diagnostics">${[...direct, all].join(' ')}</div>`;
}

function stepsTable(test: TestResult, extras: HtmlExtras = {}, block = ''): string {
  if (test.steps.length === 0) return '';
  return `<table class="steps"><tr><th>#</th><th>step</th><th>line</th><th>result</th><th>time</th><th>detail</th></tr>${test.steps
    .map(
      (s) =>
        `<tr class="${s.status === 'not-run' ? 'skipped' : s.status}"><td>${s.index + 1}</td><td>${esc(s.kind)}</td><td>${s.line}</td><td>${esc(s.status)}</td><td>${s.status === 'not-run' ? '' : esc(formatDuration(s.durationMs))}</td><td class="message">${esc(s.detail)}${s.status === 'failed' ? failedStepLinks(test, extras, block) : ''}</td></tr>`,
    )
    .join('')}</table>`;
}

/** Node names by address (every family, every network), for the timeline's lanes. */
function addressNames(run: RunResult): Map<string, string> {
  const names = new Map<string, string>();
  for (const node of run.environment.nodes) {
    for (const address of Object.values(node.addresses ?? {})) if (address) names.set(address, node.name);
    for (const [network, addresses] of Object.entries(node.networkAddresses ?? {})) {
      for (const address of Object.values(addresses))
        if (address) names.set(address, `${node.name} (${network})`);
    }
  }
  return names;
}

/** Every round of a probe that tried more than once, as a table (collapsed under the chart). */
function roundsTable(probe: ProbeRounds): string {
  const first = Math.min(...probe.rounds.map((r) => r.packets?.startMs ?? Number.POSITIVE_INFINITY));
  const rows = probe.rounds.map((record, i) => {
    const at =
      record.packets && Number.isFinite(first)
        ? `${((record.packets.startMs - first) / 1000).toFixed(1)} s`
        : '';
    const senders = Object.entries(record.sources)
      .map(
        ([address, n]) => `${record.senders?.[address] ? `${record.senders[address]} ` : ''}${address}: ${n}`,
      )
      .join(', ');
    return `<tr class="${record.passed ? 'passed' : 'failed'}"><td>${i + 1}</td><td>${esc(at)}</td><td>${record.passed ? 'passed' : 'failed'}</td><td>${record.matchedPackets}/${record.totalPackets}</td><td>${esc(senders)}</td></tr>`;
  });
  return `<details class="rounds"><summary>${esc(roundsSummary(probe))}</summary><table class="rounds"><tr><th>round</th><th>from</th><th>verdict</th><th>kept the rule</th><th>packets per sender</th></tr>${rows.join('')}</table></details>`;
}

function timelineBlock(test: TestResult, names: Map<string, string>): string {
  const chart = renderTimeline(test, names);
  if (!chart) return '';
  const notes = seriesOf(test)
    .filter(({ series }) => series.sampling)
    .map(({ record, series }) => `<li>${esc(record.probe)}: ${esc(series.sampling)}</li>`);
  const earlier = test.earlierEvidence?.length ?? 0;
  // A probe that tried again and again: its rounds summarised, and the judged round up close.
  const retried = roundsOf(test).filter((p) => p.rounds.length > 1);
  const judged = retried.length > 0 ? renderTimeline(test, names, 'judged') : '';
  return [
    '<h4>Timeline</h4>',
    ...retried.map((p) => `<p class="rounds-summary">${esc(roundsSummary(p))}</p>`),
    chart,
    judged
      ? `<details class="judged"${test.status === 'failed' ? ' open' : ''}><summary>The judged round up close</summary>${judged}</details>`
      : '',
    ...retried.map(roundsTable),
    `<p class="legend">Every probe packet toward the target, one lane per sender (node or pod, and its address), coloured by source: filled = kept the rule, red ring = offending, hollow = sent before the judged moment (not judged). Top band: the steps${retried.length > 0 ? '; under it, each probe round (red = failed; hover for its counts)' : ''}; dashed lines: changes the test made (end of the step); green line: status.host first seen. Times on the capture host's clock.${earlier > 0 ? ` Includes ${earlier} probe captures of earlier rounds that a later round replaced.` : ''}</p>`,
    notes.length > 0 ? `<ul class="legend sampling">${notes.join('')}</ul>` : '',
  ].join('');
}

/** The id of a diagnostics block (a failed step links to it). */
function diagnosticsId(test: TestResult, attempt?: number): string {
  return `${testAnchor(test)}-diagnostics${attempt === undefined ? '' : `-${attempt}`}`;
}

function diagnosticsBlock(test: TestResult, extras: HtmlExtras, id = diagnosticsId(test)): string {
  const dir = test.diagnostics;
  if (!dir) return '';
  const files = extras.diagnostics?.[dir] ?? [];
  const links = files.map(
    (f) => `<li><a class="artifact" href="${href(f)}">${esc(f.slice(dir.length + 1))}</a></li>`,
  );
  return `<h4 id="${esc(id)}">Diagnostics</h4><p><code>${esc(dir)}</code></p>${links.length > 0 ? `<ul class="diagnostics">${links.join('')}</ul>` : ''}`;
}

/** The failed attempts before a retry, each with its steps, evidence and diagnostics. */
function attemptsBlock(test: TestResult, extras: HtmlExtras): string[] {
  return (test.retries ?? []).map((attempt) => {
    const id = diagnosticsId(test, attempt.attempt);
    const tried = { ...test, steps: attempt.steps, diagnostics: attempt.diagnostics };
    return [
      `<details class="attempt"><summary>attempt ${attempt.attempt}: failed</summary>`,
      `<p class="message">${esc(attempt.message)}</p>`,
      stepsTable(tried, extras, id),
      ...attempt.evidence.map(probe),
      attempt.diagnostics ? diagnosticsBlock(tried, extras, id) : '',
      '</details>',
    ].join('\n');
  });
}

function testSection(test: TestResult, extras: HtmlExtras, names: Map<string, string>): string {
  // Passed only on a retry: flaky, never plain passed.
  const status = test.flaky ? 'flaky' : test.status;
  const label = test.flaky
    ? 'FLAKY'
    : test.status === 'passed'
      ? 'PASS'
      : test.status === 'failed'
        ? 'FAIL'
        : 'SKIP';
  const statements = test.statements.join(' ');
  const skip = test.status === 'skipped' ? ` (${esc(test.skipReason)})` : '';
  return [
    `<section class="test" id="${esc(testAnchor(test))}" data-key="${esc(testKey(test))}" data-status="${status}" data-statement="${esc(statements)}" data-feature="${esc(test.features.join(' '))}" data-family="${test.family}">`,
    `<details${test.status === 'failed' ? ' open' : ''}><summary><span class="badge ${status}">${label}</span> <strong>${esc(test.scenarioId)}</strong> [${FAMILY_LABEL[test.family]}]${skip} — ${esc(test.title)} <small>(${esc(formatDuration(test.durationMs))}; ${esc(test.statements.join(', '))}${test.provisional ? '; provisional' : ''})</small></summary>`,
    test.message ? `<p class="message">${esc(test.message)}</p>` : '',
    `<p>namespace <code>${esc(test.namespace)}</code>; spec <code>${esc(test.file)}</code></p>`,
    stepsTable(test, extras, diagnosticsId(test)),
    ...test.evidence.map(probe),
    timelineBlock(test, names),
    diagnosticsBlock(test, extras),
    ...attemptsBlock(test, extras),
    '</details></section>',
  ].join('\n');
}

/** Tests left out of this run (not selected, another shard's): named, never counted. */
function leftOutTests(run: RunResult): string {
  const quiet = run.tests.filter(quietSkip);
  if (quiet.length === 0) return '';
  return `<details id="not-run-here"><summary>${quiet.length} tests left out of this run (not selected, or another shard's); not counted</summary><p>${quiet.map((t) => `<code>${esc(testKey(t))}</code>`).join(', ')}</p></details>`;
}

function phases(run: RunResult): string {
  if (run.phases.length === 0) return '';
  return `<h2>Phases</h2><table id="phases">${run.phases.map((p) => `<tr><td>${esc(p.name)}</td><td>${esc(formatDuration(p.durationMs))}</td></tr>`).join('')}</table>`;
}

/** The CSP source of the page's one script: `sha256-` and its digest (CSP Level 2 hash source). */
const SCRIPT_HASH = `sha256-${createHash('sha256').update(SCRIPT, 'utf8').digest('base64')}`;

export function renderHtmlReport(run: RunResult, extras: HtmlExtras = {}): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // No network: nothing but what is inline and the artifacts beside the page. Script only the
    // page's own, by its hash: text a report carries can never run, even if it escaped escaping.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '${SCRIPT_HASH}'; img-src 'self' data:">`,
    `<title>egress-conformance: ${esc(run.environment.implementation.name)} (${esc(run.runId)})</title>`,
    `<style>${STYLE}</style></head><body>`,
    header(run),
    matrix(run),
    '<h2 id="tests">Tests</h2>',
    filters(run),
    ...run.tests.filter((t) => !quietSkip(t)).map((t) => testSection(t, extras, addressNames(run))),
    leftOutTests(run),
    phases(run),
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
