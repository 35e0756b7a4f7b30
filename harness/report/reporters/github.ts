/**
 * `github`: on GitHub Actions, an `::error` annotation for every failure, at the file and line of
 * the failing step (so it shows on the pull request's diff), and the summary table appended to
 * the job's step summary ($GITHUB_STEP_SUMMARY). Workflow-command syntax and escaping as GitHub
 * documents them: data escapes %, CR and LF; properties also `:` and `,`.
 */

import { appendFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { escapeUntrusted } from '../../common/escape.js';
import {
  type RunError,
  type RunResult,
  type TestFamily,
  type TestResult,
  testKey,
} from '../../run/results.js';
import { formatDuration } from '../../spec/duration.js';
import { countsLine, countsOf, leftOut, selectionOf } from '../counts.js';
import type { Reporter } from '../reporter.js';
import { type ConsoleStream, FAMILY_LABEL, testName } from './terminal.js';

export function escapeData(text: string): string {
  // Line by line: a line break stays one (%0A, %0D), the rest of each line is escapeUntrusted.
  return text
    .split('\n')
    .map((line) =>
      line
        .split('\r')
        .map((part) => escapeUntrusted(part).replace(/%/g, '%25'))
        .join('%0D'),
    )
    .join('%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(
  name: string,
  properties: Record<string, string | number | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export interface GithubOptions {
  out: ConsoleStream;
  /** Paths in annotations are relative to this (the checkout: $GITHUB_WORKSPACE). */
  workspace: string;
  /** The job's step summary file ($GITHUB_STEP_SUMMARY); none: no summary. */
  stepSummary?: string | undefined;
}

/** The annotation of a failed test: at its failing step, titled with the statements and test. */
export function failureAnnotation(test: TestResult, workspace: string): string {
  const failing = test.steps.find((s) => s.status === 'failed');
  const line = failing?.line ?? test.steps[0]?.line;
  const statements = (test.failedStatements ?? test.statements).join(', ');
  return command(
    test.provisional ? 'warning' : 'error',
    {
      file: relative(workspace, test.file),
      ...(line ? { line } : {}),
      title: `${statements}: ${testName(test)}${test.provisional ? ' (provisional)' : ''}`,
    },
    // The message already begins with the statements: the same first line as every report.
    test.message ?? `${statements}: failed`,
  );
}

/**
 * Untrusted text in the step summary (GitHub renders it as Markdown with HTML): one line
 * (escapeUntrusted), no HTML (entities), no table cell break (`|`), no Markdown link or emphasis
 * syntax that could dress it up as the tool's own words.
 */
export function markdownText(text: string): string {
  return escapeUntrusted(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[|\\`*_[\]()!]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CELL: Record<TestResult['status'], string> = {
  passed: '✅ pass',
  failed: '❌ FAIL',
  skipped: '⏭️ skip',
};

/** The step summary: results per scenario x family, then the failures (Markdown). */
export function stepSummaryMarkdown(run: RunResult): string {
  const tests = run.tests.filter((t) => !leftOut(t));
  const selection = selectionOf(run);
  const families = (['ipv4', 'ipv6', 'dual'] as TestFamily[]).filter((f) =>
    tests.some((t) => t.family === f),
  );
  const scenarios = [...new Set(tests.map((t) => t.scenarioId))];
  const env = run.environment;
  const lines = [
    `### egress-conformance: ${markdownText(`${env.implementation.name} ${env.implementation.version}`)} (${env.provider} provider)`,
    '',
    `${countsLine(countsOf(run))} in ${formatDuration(
      Math.max(0, Date.parse(run.finishedAt) - Date.parse(run.startedAt)),
    )}${run.shard ? ` (shard ${run.shard.index}/${run.shard.total})` : ''}${run.interrupted ? '; interrupted' : ''}`,
    '',
    ...(selection.scope === 'narrowed'
      ? [`Selection: narrowed by ${selection.narrowedBy.join('; ')} (no profile result can be success).`, '']
      : []),
    `| scenario | ${families.map((f) => FAMILY_LABEL[f]).join(' | ')} |`,
    `| --- | ${families.map(() => '---').join(' | ')} |`,
    ...scenarios.map((id) => {
      const cells = families.map((f) => {
        const test = tests.find((t) => t.scenarioId === id && t.family === f);
        return test
          ? `${CELL[test.status]}${test.provisional && test.status === 'failed' ? ' (provisional)' : ''}`
          : '';
      });
      return `| ${markdownText(id)} | ${cells.join(' | ')} |`;
    }),
  ];
  const failures = tests.filter((t) => t.status === 'failed');
  if (failures.length > 0) {
    lines.push('', '#### Failures', '');
    for (const test of failures)
      lines.push(`- **${markdownText(testName(test))}**: ${markdownText(test.message ?? 'failed')}`);
  }
  for (const error of run.errors ?? [])
    lines.push('', `**${error.phase} failed**: ${markdownText(error.message)}`);
  if (env.implementation.reference) {
    lines.push(
      '',
      '_Reference lab: these results exercise the suite itself; they certify no implementation._',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Annotations are written as tests fail and errors happen (a live run), and at the run's end for
 * any not written yet: `merge-reports` plays no test, it hands over the finished run, and its
 * failures got the step summary but no annotation (hostile round 5). One set of keys, so a run's
 * failure is annotated once.
 */
export class GithubReporter implements Reporter {
  readonly name = 'github';
  private readonly annotated = new Set<string>();

  constructor(private readonly options: GithubOptions) {}

  private annotate(key: string, line: string): void {
    if (this.annotated.has(key)) return;
    this.annotated.add(key);
    this.options.out.write(`${line}\n`);
  }

  testEnd(test: TestResult): void {
    if (test.status !== 'failed') return;
    this.annotate(`test ${testKey(test)}`, failureAnnotation(test, this.options.workspace));
  }

  error(error: RunError): void {
    this.annotate(
      `error ${error.phase}\n${error.message}`,
      command('error', { title: `egress-conformance ${error.phase}` }, error.message),
    );
  }

  async runEnd(run: RunResult): Promise<undefined> {
    for (const test of run.tests) this.testEnd(test);
    for (const error of run.errors ?? []) this.error(error);
    if (this.options.stepSummary) await appendFile(this.options.stepSummary, stepSummaryMarkdown(run));
    return undefined;
  }
}
