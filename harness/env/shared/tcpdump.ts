/**
 * tcpdump as the capture sites drive it: the filter for one probe flow, the line that says the
 * capture is armed, and the counters it prints when it stops.
 */
import type { ProbeProtocol } from '../environment.js';

/**
 * The flow a probe's capture keeps: to and from `address` on `port` over TCP or UDP, or for ICMP
 * every ICMP (ICMPv6) message to and from `address`, with no port; the judge picks the echo
 * requests and replies out of them. The filter does not read ICMP types: `icmp6[0]` needs
 * libpcap 1.9 (a peer host's tcpdump may be older) and sees only ICMPv6 right after the fixed
 * header, while `ip6 protochain 58` also follows extension headers, as the capture reader does.
 */
export function captureFilter(address: string, port: number, protocol: ProbeProtocol): string {
  if (protocol !== 'icmp') return `host ${address} and ${protocol} port ${port}`;
  return address.includes(':') ? `host ${address} and ip6 protochain 58` : `host ${address} and icmp`;
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
