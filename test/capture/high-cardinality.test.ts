/**
 * Many flows: the flow table grows many times over, IPv6 addresses are interned, and flows must
 * still come out in order of first appearance with exact counts. tshark is the oracle, on the same
 * generator the benchmark uses for its 50,000-flow capture.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { summariseCapture } from '../../harness/capture/summary.js';
import { writeFlowCapture } from './flow-capture.js';
import { scratchDir } from './helpers.js';
import { tsharkSummary } from './oracle.js';

const dir = scratchDir('many-flows');
afterAll(() => dir.remove());

describe('a capture with many flows', () => {
  it('agrees with tshark on 40,000 packets over 12,000 flows', async () => {
    const file = `${dir.path}/flows.pcap`;
    writeFlowCapture(file, { packets: 40_000, flows: 12_000 });
    const [ours, oracle] = await Promise.all([summariseCapture(file), tsharkSummary(file)]);
    expect(ours.packets).toBe(40_000);
    expect(ours.flows).toHaveLength(12_000);
    expect(ours.flows.some((f) => f.src.includes(':'))).toBe(true);
    expect(ours.flows.some((f) => f.protocol === 'icmp')).toBe(true);
    expect({ packets: ours.packets, flows: ours.flows }).toEqual({
      packets: oracle.packets,
      flows: oracle.flows,
    });
  });
});
