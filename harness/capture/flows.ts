import { formatAddress } from './addresses.js';
import { IpProtocol } from './ip.js';

/** One flow of a summary: packets sharing source, destination, protocol and ports. */
export interface Flow {
  src: string;
  dst: string;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `sctp`, or the protocol number as a string. */
  protocol: string;
  srcPort: number | null;
  dstPort: number | null;
  packets: number;
}

const PROTOCOL_NAMES = new Map<number, string>([
  [IpProtocol.TCP, 'tcp'],
  [IpProtocol.UDP, 'udp'],
  [IpProtocol.ICMP, 'icmp'],
  [IpProtocol.ICMPV6, 'icmpv6'],
  [IpProtocol.SCTP, 'sctp'],
]);

export function protocolName(protocol: number): string {
  return PROTOCOL_NAMES.get(protocol) ?? String(protocol);
}

/** Reads 4 bytes big-endian as a word (for building keys from packet bytes). */
function word(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Writes the 4 or 16 address bytes at `o` into key words `at..at+3` (zero-filled for IPv4). */
export function writeAddressKey(
  key: Uint32Array,
  at: number,
  b: Uint8Array,
  o: number,
  family: number,
): void {
  key[at] = word(b, o);
  if (family === 4) {
    key[at + 1] = 0;
    key[at + 2] = 0;
    key[at + 3] = 0;
  } else {
    key[at + 1] = word(b, o + 4);
    key[at + 2] = word(b, o + 8);
    key[at + 3] = word(b, o + 12);
  }
}

/** Formats the address stored by `writeAddressKey` in words `at..at+3`. */
export function addressFromKey(key: Uint32Array, at: number, family: 4 | 6): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = key[at + i]!;
    bytes[i * 4] = w >>> 24;
    bytes[i * 4 + 1] = (w >>> 16) & 0xff;
    bytes[i * 4 + 2] = (w >>> 8) & 0xff;
    bytes[i * 4 + 3] = w & 0xff;
  }
  return formatAddress(bytes, 0, family);
}
