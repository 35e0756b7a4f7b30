/**
 * tcpdump as the capture sites drive it: the filter for one probe flow, the line that says the
 * capture is armed, and the counters it prints when it stops.
 */
import type { ProbeProtocol } from '../environment.js';

/**
 * The flow a probe's capture keeps: to and from `address` on `port` over TCP or UDP, or for ICMP
 * the echo requests and replies to and from `address` (ICMP types 8 and 0 over IPv4, ICMPv6
 * types 128 and 129 over IPv6), with no port. `icmp6[0]` reads the type only where ICMPv6
 * follows the fixed IPv6 header; echo messages carry no extension headers, so that is where it is.
 */
export function captureFilter(address: string, port: number, protocol: ProbeProtocol): string {
  if (protocol !== 'icmp') return `host ${address} and ${protocol} port ${port}`;
  return address.includes(':')
    ? `host ${address} and icmp6 and (icmp6[0] == 128 or icmp6[0] == 129)`
    : `host ${address} and icmp and (icmp[0] == 8 or icmp[0] == 0)`;
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
