/**
 * tcpdump as the capture sites drive it: the filter for one probe flow, the line that says the
 * capture is armed, and the counters it prints when it stops.
 */
import type { ProbeProtocol } from '../environment.js';

export function captureFilter(address: string, port: number, protocol: ProbeProtocol): string {
  return `host ${address} and ${protocol} port ${port}`;
}

/** tcpdump prints "listening on ..." to stderr once the capture is armed. */
export function captureListening(logs: string): boolean {
  return /listening on /.test(logs);
}

export interface TcpdumpCounters {
  captured?: number;
  receivedByFilter?: number;
  droppedByKernel?: number;
}

export function parseTcpdumpCounters(logs: string): TcpdumpCounters {
  const value = (label: string) => {
    const match = new RegExp(`(\\d+) packets? ${label}`).exec(logs);
    return match ? Number(match[1]) : undefined;
  };
  const counters: TcpdumpCounters = {};
  const captured = value('captured');
  const received = value('received by filter');
  const dropped = value('dropped by kernel');
  if (captured !== undefined) counters.captured = captured;
  if (received !== undefined) counters.receivedByFilter = received;
  if (dropped !== undefined) counters.droppedByKernel = dropped;
  return counters;
}
