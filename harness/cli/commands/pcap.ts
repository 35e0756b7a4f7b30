import type { Command } from 'commander';
import { CaptureError, CaptureFileError, NotACaptureError } from '../../capture/errors.js';
import type { Flow } from '../../capture/flows.js';
import { type CaptureSummary, summariseCapture } from '../../capture/summary.js';
import { EXIT_FAILED, EXIT_USAGE } from '../../common/errors.js';
import { escapeControl } from '../../common/escape.js';

const PROGRAM = 'egress-conformance';

function table(summary: CaptureSummary): string {
  const headers = ['SRC', 'DST', 'PROTO', 'SPORT', 'DPORT', 'PACKETS'];
  const rows = summary.flows.map((f: Flow) => [
    f.src,
    f.dst,
    f.protocol,
    f.srcPort === null ? '-' : String(f.srcPort),
    f.dstPort === null ? '-' : String(f.dstPort),
    String(f.packets),
  ]);
  // A loop, not Math.max(...column): spreading one argument per flow overflows the stack at ~125k flows.
  const widths = headers.map((h) => h.length);
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i]!, row[i]!.length);
  }
  // Numbers right-aligned, text left-aligned.
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const flowWord = summary.flows.length === 1 ? 'flow' : 'flows';
  const head = `${summary.packets} packets, ${summary.flows.length} IP ${flowWord}${
    summary.truncated ? ' (truncated: the file ends inside a record)' : ''
  }`;
  return [head, ...(rows.length > 0 ? [line(headers), ...rows.map(line)] : [])].join('\n');
}

/** One line, no stack: capture errors carry their own (escaped) message; anything else briefly. */
function describe(err: unknown): string {
  if (err instanceof CaptureError) return err.message;
  return escapeControl(err instanceof Error ? err.message.split('\n')[0]! : String(err));
}

/**
 * `pcap summary FILE [--json]`: packets, truncation and flows of a capture. Exit code 0 for any
 * readable capture (truncated too); 2 with one line on stderr when FILE is missing, unreadable,
 * not a regular file or not a capture at all (empty, text); 1 with one line when it is a corrupt
 * capture or fails to read.
 */
export function registerPcapCommand(program: Command): void {
  const pcap = program.command('pcap').description('read packet captures (pcap, pcapng)');
  pcap
    .command('summary')
    .description('count the packets of a capture per flow (src, dst, protocol, ports)')
    .argument('<file>', 'a pcap or pcapng file')
    .option('--json', 'print one JSON object: {packets, truncated, flows}')
    .action(async (file: string, options: { json?: boolean }) => {
      try {
        const summary = await summariseCapture(file);
        process.stdout.write(`${options.json ? JSON.stringify(summary) : table(summary)}\n`);
      } catch (err) {
        process.stderr.write(`${PROGRAM}: ${describe(err)}\n`);
        // A file that is no capture at all (empty, text) is the wrong input, as a missing one is.
        process.exitCode =
          err instanceof CaptureFileError || err instanceof NotACaptureError ? EXIT_USAGE : EXIT_FAILED;
      }
    });
}
