/** `report open [DIR]`: serves a report (default: the newest under test-results/) on localhost. */
import type { Command } from 'commander';
import { EXIT_OK, UsageError } from '../../common/errors.js';
import { latestReportDir, notAReport, serveReport } from '../../report/serve.js';

export async function openReport(dir: string | undefined, options: { port?: string }): Promise<number> {
  const chosen = dir ?? (await latestReportDir('test-results'));
  if (!chosen) throw new UsageError('report open: no report under test-results/; name a report directory');
  const why = await notAReport(chosen);
  if (why) throw new UsageError(`report open ${chosen}: ${why}; expected a report directory`);
  const port = options.port === undefined ? 0 : Number(options.port);
  // Decimal digits only: Number() also reads 0x50 and 1e3.
  if (!/^\d+$/.test(String(options.port ?? '0')) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${options.port}: expected a port number (0 picks a free one)`);
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
