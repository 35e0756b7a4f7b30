/** Writes every report of a run into the report directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RunResult } from '../run/results.js';
import { buildConformanceReport } from './conformance.js';
import { conformanceReportSchema } from './conformance-schema.js';
import { renderSummary } from './console.js';
import { renderJunit } from './junit.js';

export const REPORT_FILES = {
  junit: 'junit.xml',
  conformanceYaml: 'conformance-report.yaml',
  conformanceJson: 'conformance-report.json',
  summary: 'summary.txt',
} as const;

export async function writeReports(run: RunResult): Promise<string[]> {
  await mkdir(run.reportDir, { recursive: true });
  const report = conformanceReportSchema.parse(buildConformanceReport(run));
  const files: Array<[string, string]> = [
    [REPORT_FILES.junit, renderJunit(run)],
    [REPORT_FILES.conformanceYaml, stringify(report, { lineWidth: 0 })],
    [REPORT_FILES.conformanceJson, `${JSON.stringify(report, null, 2)}\n`],
    [REPORT_FILES.summary, `${renderSummary(run)}\n`],
  ];
  await Promise.all(files.map(([name, text]) => writeFile(join(run.reportDir, name), text)));
  return files.map(([name]) => join(run.reportDir, name));
}
