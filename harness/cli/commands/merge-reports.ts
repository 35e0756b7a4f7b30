/**
 * `merge-reports DIR...`: one report from the report directories of a run's shards (or of
 * separate runs of one environment): junit.xml, the ConformanceReport, summary.txt, index.html
 * and results.json, with the shards' artifacts copied beside them.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from '../../common/errors.js';
import { escapeControl } from '../../common/escape.js';
import { copyArtifacts, mergeRuns, readRunResult } from '../../report/merge.js';
import { checkAgainstCatalogue, checkDistinctInputs, checkOutputNotInput } from '../../report/merge-input.js';
import { ReporterMultiplexer } from '../../report/multiplexer.js';
import { createReporters, parseReporterNames } from '../../report/select.js';
import { defaultReportDir } from '../../run/options.js';
import { runPassed } from '../../run/results.js';

interface MergeFlags {
  reportDir?: string;
  reporter?: string;
}

export async function mergeReportsCommand(dirs: string[], flags: MergeFlags): Promise<number> {
  const names = flags.reporter ? parseReporterNames(flags.reporter, '--reporter') : ['list'];
  const reportDir = resolve(flags.reportDir ?? defaultReportDir().replace(/\/([^/]+)$/, '/merged-$1'));
  await checkDistinctInputs(dirs);
  await checkOutputNotInput(reportDir, dirs);
  const runs = await Promise.all(dirs.map(readRunResult));
  const merged = mergeRuns(runs, reportDir);
  await checkAgainstCatalogue(runs, dirs);
  for (const { path, reason } of await copyArtifacts(runs, reportDir)) {
    process.stderr.write(`merge-reports: left out ${escapeControl(path)}: ${reason}\n`);
  }
  const reporters = new ReporterMultiplexer(
    createReporters(names, { out: process.stdout, err: process.stderr, verbose: false, debug: false }),
  );
  await reporters.runEnd(merged);
  if (merged.interrupted) return EXIT_INTERRUPTED;
  return runPassed({ ...merged, errors: [...(merged.errors ?? []), ...reporters.errors] })
    ? EXIT_OK
    : EXIT_FAILED;
}

export function registerMergeReportsCommand(program: Command): void {
  program
    .command('merge-reports')
    .description("merge the report directories of a run's shards into one report")
    .argument('<dirs...>', 'report directories (each written by `run`, e.g. with --shard I/N)')
    .option('--report-dir <dir>', 'where the merged reports go (default: test-results/merged-<timestamp>)')
    .option('--reporter <names>', 'console reporters: list (default), line, dot, github')
    .action(async (dirs: string[], flags: MergeFlags) => {
      process.exitCode = await mergeReportsCommand(dirs, flags);
    });
}
