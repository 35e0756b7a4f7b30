/** Writes every report of a finished run into its report directory (outside a live run: merges). */
import type { RunResult } from '../run/results.js';
import { fileReporters } from './reporters/files.js';

export { REPORT_FILES } from './reporters/files.js';

export async function writeReports(run: RunResult): Promise<string[]> {
  const files: string[] = [];
  for (const reporter of fileReporters()) files.push(...((await reporter.runEnd?.(run, files)) ?? []));
  return files;
}
