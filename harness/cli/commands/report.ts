/** `report open [DIR]`: serves a report (default: the newest under test-results/) on localhost. */
import type { Command } from 'commander';
import { EXIT_OK, UsageError } from '../../common/errors.js';
import { expectedWholeNumber, parseWholeNumber, shownValue } from '../../common/numbers.js';
import { latestReportDir, notAReport, serveReport } from '../../report/serve.js';

export async function openReport(dir: string | undefined, options: { port?: string }): Promise<number> {
  const chosen = dir ?? (await latestReportDir('test-results'));
  if (!chosen) throw new UsageError('report open: no report under test-results/; name a report directory');
  const why = await notAReport(chosen);
  if (why) throw new UsageError(`report open ${chosen}: ${why}; expected a report directory`);
  // Decimal digits only (common/numbers.ts): Number() also reads 0x50, 1e3 and ' 80'.
  const port = options.port === undefined ? 0 : parseWholeNumber(options.port, 0, 65535);
  if (port === undefined) {
    throw new UsageError(
      `--port ${shownValue(options.port ?? '')}: ${expectedWholeNumber(0, 65535)}; 0 picks a free port`,
    );
  }
  const served = await serveReport(chosen, port);
  process.stdout.write(`serving ${chosen} at ${served.url} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await served.close();
  return EXIT_OK;
}

export function registerReportCommand(program: Command): void {
  const report = program.command('report').description('look at reports');
  report
    .command('open [dir]')
    .description('serve a report directory (default: the newest under test-results/) on 127.0.0.1')
    .option('--port <port>', 'port to listen on (default: a free one)')
    .action(async (dir: string | undefined, options: { port?: string }) => {
      process.exitCode = await openReport(dir, options);
    });
}
