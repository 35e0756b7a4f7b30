import { u16be } from './bytes.js';
import { Network } from './link-layer.js';

/** IP protocol numbers the reader names or looks inside. */
export const IpProtocol = {
  HOP_BY_HOP: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ROUTING: 43,
  FRAGMENT: 44,
  AH: 51,
  ICMPV6: 58,
  DESTINATION_OPTIONS: 60,
  SCTP: 132,
} as const;

/** Sentinel for "no port" in the numeric fields (a real port is 0..65535). */
export const NO_PORT = -1;

/** Sentinel for "not an ICMP message" (or one cut inside its header) in `icmpType`. */
export const NO_ICMP_TYPE = -1;

/**
 * An ICMP or ICMPv6 header, echo's included: type, code, checksum and four bytes (identifier
 * and sequence number for echo). A message cut inside it is not read as one: its type alone could
 * not be told from a fragment of something else (tshark leaves an IPv4 one cut there untyped too).
 */
const ICMP_HEADER_BYTES = 8;

/** The echo message types: ICMP (RFC 792) and ICMPv6 (RFC 4443). */
export const IcmpType = {
  ECHO_REPLY: 0,
  ECHO_REQUEST: 8,
  ECHOV6_REQUEST: 128,
  ECHOV6_REPLY: 129,
} as const;

/**
 * The flow fields of one packet, as offsets into the packet's buffer plus numbers. Reused across
 * packets: decoding allocates nothing.
 */
export class DecodedPacket {
  bytes: Uint8Array = new Uint8Array(0);
  /** 4 or 6. */
  family = 4;
  srcOffset = 0;
  dstOffset = 0;
  /** The upper-layer protocol: after IPv6 extension headers, or the next header of a later fragment. */
  protocol = 0;
  srcPort = NO_PORT;
  dstPort = NO_PORT;
  /**
   * The message type of an ICMP packet over IPv4 or an ICMPv6 packet over IPv6 (the family's own
   * ICMP only, only in the first fragment, and only with its whole header captured);
   * NO_ICMP_TYPE otherwise.
   */
  icmpType = NO_ICMP_TYPE;
}

/** TCP, UDP and SCTP all start with source port then destination port. */
function hasPorts(protocol: number): boolean {
  return protocol === IpProtocol.TCP || protocol === IpProtocol.UDP || protocol === IpProtocol.SCTP;
}

/**
 * Decodes the IP header at `start` (bytes up to `end` were captured). Returns false when there is no
 * usable IP header: too short for its fixed part, wrong version, bogus lengths.
 */
export function decodeIp(
  b: Uint8Array,
  start: number,
  end: number,
  kind: number,
  out: DecodedPacket,
): boolean {
  if (end - start < 1) return false;
  const version = b[start]! >> 4;
  if (version === 4 && kind !== Network.IPV6) return decodeIpv4(b, start, end, out);
  if (version === 6 && kind !== Network.IPV4) return decodeIpv6(b, start, end, out);
  return false;
}

function decodeIpv4(b: Uint8Array, start: number, end: number, out: DecodedPacket): boolean {
  if (end - start < 20) return false;
  const headerLength = (b[start]! & 0x0f) * 4;
  if (headerLength < 20) return false;
  const totalLength = u16be(b, start + 2);
  // 0 is what segmentation offload leaves before the NIC fills it in: the frame is the packet.
  if (totalLength !== 0 && totalLength < headerLength) return false;
  out.bytes = b;
  out.family = 4;
  out.srcOffset = start + 12;
  out.dstOffset = start + 16;
  const protocol = b[start + 9]!;
  out.protocol = protocol;
  out.srcPort = NO_PORT;
  out.dstPort = NO_PORT;
  out.icmpType = NO_ICMP_TYPE;
  // Ethernet pads short frames: bytes past the IP total length are not the packet's.
  const limit = totalLength === 0 ? end : Math.min(end, start + totalLength);
  const fragmentOffset = u16be(b, start + 6) & 0x1fff;
  const transport = start + headerLength;
  if (fragmentOffset === 0 && hasPorts(protocol) && limit - transport >= 4) {
    out.srcPort = u16be(b, transport);
    out.dstPort = u16be(b, transport + 2);
  }
  if (fragmentOffset === 0 && protocol === IpProtocol.ICMP && limit - transport >= ICMP_HEADER_BYTES) {
    out.icmpType = b[transport]!;
  }
  return true;
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one pass over IPv6's extension-header chain; split, the hot loop would allocate per packet
function decodeIpv6(b: Uint8Array, start: number, end: number, out: DecodedPacket): boolean {
  if (end - start < 40) return false;
  out.bytes = b;
  out.family = 6;
  out.srcOffset = start + 8;
  out.dstOffset = start + 24;
  out.srcPort = NO_PORT;
  out.dstPort = NO_PORT;
  out.icmpType = NO_ICMP_TYPE;
  // Unlike IPv4's total length, a payload length of 0 is taken at its word (as Wireshark does):
  // jumbograms are not seen on the links this reader is for.
  const limit = Math.min(end, start + 40 + u16be(b, start + 4));
  let next = b[start + 6]!;
  let p = start + 40;
  // Walk the extension headers to the upper layer. Each step advances by at least 8 bytes, and a
  // header cut before its Next Header and length fields (or a fragment header cut anywhere) ends
  // the walk: the protocol is then the last Next Header value that could be read.
  for (;;) {
    if (
      next === IpProtocol.HOP_BY_HOP ||
      next === IpProtocol.ROUTING ||
      next === IpProtocol.DESTINATION_OPTIONS
    ) {
      if (limit - p < 2) break;
      const length = (b[p + 1]! + 1) * 8;
      next = b[p]!;
      p += length;
    } else if (next === IpProtocol.AH) {
      if (limit - p < 2) break;
      const length = (b[p + 1]! + 2) * 4;
      next = b[p]!;
      p += length;
    } else if (next === IpProtocol.FRAGMENT) {
      // The fragment header is 8 fixed bytes; one not wholly captured says nothing reliable.
      if (limit - p < 8) break;
      const fragmentOffset = u16be(b, p + 2) >> 3;
      next = b[p]!;
      p += 8;
      // Only the first fragment holds the upper-layer header.
      if (fragmentOffset !== 0) {
        out.protocol = next;
        return true;
      }
    } else {
      break;
    }
  }
  out.protocol = next;
  if (hasPorts(next) && limit - p >= 4) {
    out.srcPort = u16be(b, p);
    out.dstPort = u16be(b, p + 2);
  }
  if (next === IpProtocol.ICMPV6 && limit - p >= ICMP_HEADER_BYTES) out.icmpType = b[p]!;
  return true;
}
