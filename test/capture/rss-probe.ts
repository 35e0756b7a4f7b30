/**
 * Summarises the capture named on the command line in a fresh process and prints the process's
 * peak resident memory in KiB: what the memory-bound test compares across capture sizes.
 */
import { summariseCapture } from '../../harness/capture/summary.js';

const summary = await summariseCapture(process.argv[2]!);
process.stdout.write(
  `${JSON.stringify({ packets: summary.packets, flows: summary.flows.length, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
);
