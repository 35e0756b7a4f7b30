/**
 * The reports written into the report directory, each a reporter that writes at the end of the
 * run: junit.xml, the ConformanceReport (YAML and JSON), summary.txt, index.html, and
 * results.json (the whole run, every test's steps and packets: what `merge-reports` reads).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { escapeUntrustedDeep, jsonWithoutControls } from '../../common/escape.js';
import { redact, redactStrings } from '../../common/secrets.js';
import type { RunResult } from '../../run/results.js';
import { buildConformanceReport } from '../conformance.js';
import { conformanceReportSchema } from '../conformance-schema.js';
import { renderSummary } from '../console.js';
import { renderHtmlReport } from '../html/page.js';
import { renderJunit } from '../junit.js';
import type { Reporter } from '../reporter.js';

export const REPORT_FILES = {
  junit: 'junit.xml',
  conformanceYaml: 'conformance-report.yaml',
  conformanceJson: 'conformance-report.json',
  summary: 'summary.txt',
  html: 'index.html',
  results: 'results.json',
} as const;

/**
 * Every report is rendered from the run with its strings redacted (a secret in an error message
 * or a fingerprint stays out), so redaction works on values, never on a format's escapes; the
 * rendered text passes through `redact` once more, as everything printed does.
 */
function shown(run: RunResult): RunResult {
  return redactStrings(run);
}

async function write(run: RunResult, files: Array<[string, string]>): Promise<string[]> {
  await mkdir(run.reportDir, { recursive: true });
  await Promise.all(files.map(([name, text]) => writeFile(join(run.reportDir, name), redact(text))));
  return files.map(([name]) => join(run.reportDir, name));
}

export class JunitReporter implements Reporter {
  readonly name = 'junit';
  runEnd(run: RunResult): Promise<string[]> {
    return write(run, [[REPORT_FILES.junit, renderJunit(shown(run))]]);
  }
}

export class ConformanceReporter implements Reporter {
  readonly name = 'conformance';
  runEnd(run: RunResult): Promise<string[]> {
    const report = conformanceReportSchema.parse(buildConformanceReport(shown(run)));
    return write(run, [
      // YAML shows strings raw (folded over lines, bidi controls kept): the one escaping rule first.
      [REPORT_FILES.conformanceYaml, stringify(escapeUntrustedDeep(report), { lineWidth: 0 })],
      // JSON keeps the text exact, with bidi and C1 controls as \\u escapes (never raw).
      [REPORT_FILES.conformanceJson, `${jsonWithoutControls(report, 2)}\n`],
    ]);
  }
}

export class SummaryReporter implements Reporter {
  readonly name = 'summary';
  runEnd(run: RunResult): Promise<string[]> {
    return write(run, [[REPORT_FILES.summary, `${renderSummary(shown(run))}\n`]]);
  }
}

export class ResultsReporter implements Reporter {
  readonly name = 'results';
  runEnd(run: RunResult): Promise<string[]> {
    // As conformance-report.json: bidi and C1 controls as \u escapes, the text read back exact.
    return write(run, [[REPORT_FILES.results, `${jsonWithoutControls(shown(run))}\n`]]);
  }
}

/** Files under `dir` (relative to `root`), sorted; none when it does not exist. */
async function filesUnder(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

export class HtmlReporter implements Reporter {
  readonly name = 'html';
  async runEnd(run: RunResult): Promise<string[]> {
    const diagnostics: Record<string, string[]> = {};
    for (const test of run.tests) {
      if (test.diagnostics) diagnostics[test.diagnostics] = await filesUnder(run.reportDir, test.diagnostics);
    }
    return write(run, [[REPORT_FILES.html, renderHtmlReport(shown(run), { diagnostics })]]);
  }
}

/** Every file reporter, in the order they write. */
export function fileReporters(): Reporter[] {
  return [
    new ResultsReporter(),
    new JunitReporter(),
    new ConformanceReporter(),
    new SummaryReporter(),
    new HtmlReporter(),
  ];
}
