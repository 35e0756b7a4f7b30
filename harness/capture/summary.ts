import { PacketDecoder } from './decode.js';
import { FlowTable } from './flow-table.js';
import type { Flow } from './flows.js';
import { type ReadOptions, scanCapture } from './reader.js';

/** What `pcap summary --json` prints. */
export interface CaptureSummary {
  /** Every record read, IP or not. */
  packets: number;
  /** The file ended inside a record. */
  truncated: boolean;
  /** One entry per distinct (src, dst, protocol, srcPort, dstPort), in order of first appearance. */
  flows: Flow[];
}

/** Counts the packets of a capture per flow, in one streaming pass with no per-packet allocation. */
export async function summariseCapture(file: string, options: ReadOptions = {}): Promise<CaptureSummary> {
  const decoder = new PacketDecoder();
  const flows = new FlowTable();
  const { packets, truncated } = await scanCapture(
    file,
    (packet) => {
      const decoded = decoder.decode(packet);
      if (decoded !== null) flows.add(decoded);
    },
    options,
  );
  return { packets, truncated, flows: flows.list() };
}
