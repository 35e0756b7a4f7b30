/**
 * The reader's memory bound: it streams through one buffer, so peak memory does not grow with the
 * number of packets, only with the number of flows the summary holds. Measured as the peak resident
 * memory of a fresh process per capture (not time: nothing here depends on the machine's speed).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFlowCapture } from './flow-capture.js';
import { scratchDir } from './helpers.js';

const run = promisify(execFile);
const dir = scratchDir('memory');
afterAll(() => dir.remove());

const PROBE = fileURLToPath(new URL('./rss-probe.ts', import.meta.url));

async function peak(
  packets: number,
  flows: number,
): Promise<{ packets: number; flows: number; maxRssKiB: number }> {
  const file = `${dir.path}/${packets}-${flows}.pcap`;
  writeFlowCapture(file, { packets, flows, small: true });
  const { stdout } = await run('node', ['--import', 'tsx', PROBE, file]);
  return JSON.parse(stdout);
}

describe('memory', () => {
  it('stays flat when the capture has 50 times the packets over the same flows', async () => {
    const small = await peak(20_000, 1_000);
    const large = await peak(1_000_000, 1_000);
    expect(large).toMatchObject({ packets: 1_000_000, flows: 1_000 });
    // 1,000,000 packets are 73 MiB of file; the reader holds one 1 MiB buffer of it.
    expect(large.maxRssKiB - small.maxRssKiB).toBeLessThan(16 * 1024);
  });
});
