import { canonicalAddress, parseAddress } from '../capture/addresses.js';
import type { DecodedPacket } from '../capture/ip.js';
import { IcmpType, IpProtocol } from '../capture/ip.js';

/** TCP and UDP to a port, or ICMP echo (ICMPv6 for IPv6). */
export type FlowProtocol = 'tcp' | 'udp' | 'icmp';

/**
 * The traffic a probe sends: to `targetAddress:port` over TCP or UDP, or ICMP echo requests to
 * `targetAddress` (ICMPv6 for IPv6; `port` is not used).
 */
export interface ProbeFlow {
  targetAddress: string;
  port: number;
  protocol: FlowProtocol;
  family: 'ipv4' | 'ipv6';
}

/** How a probe flow reads in messages: `address:port/protocol`, or `address/icmp`. */
export function flowLabel(address: string, port: number, protocol: FlowProtocol): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return protocol === 'icmp' ? `${address}/icmp` : `${host}:${port}/${protocol}`;
}

/** A probe description that cannot match anything (bad address, family mismatch, bad port). */
export class ProbeDefinitionError extends Error {
  override name = 'ProbeDefinitionError';
}

/** Parses an address given in a probe or expectation, in canonical text and bytes. */
export function parseProbeAddress(
  text: string,
  family: 'ipv4' | 'ipv6',
  what: string,
): { text: string; bytes: Uint8Array } {
  const bytes = parseAddress(text);
  const expectedLength = family === 'ipv4' ? 4 : 16;
  if (bytes === null) throw new ProbeDefinitionError(`${what} ${JSON.stringify(text)} is not an IP address`);
  if (bytes.length !== expectedLength) {
    throw new ProbeDefinitionError(
      `${what} ${text} is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`,
    );
  }
  return { text: canonicalAddress(text)!, bytes };
}

function sameAddress(b: Uint8Array, o: number, address: Uint8Array): boolean {
  for (let i = 0; i < address.length; i++) if (b[o + i] !== address[i]) return false;
  return true;
}

/**
 * A probe compiled for matching decoded packets by their bytes: no formatting per packet, so a verdict
 * over a large capture costs what the summary costs.
 */
export class ProbeMatcher {
  readonly target: string;
  readonly label: string;
  private readonly address: Uint8Array;
  private readonly family: 4 | 6;
  private readonly protocol: number;
  /** TCP and UDP: the target's port. */
  private readonly port: number;
  /** ICMP: the echo request and reply types of the family's ICMP; -1 for TCP and UDP. */
  private readonly echoRequest: number;
  private readonly echoReply: number;

  constructor(probe: ProbeFlow) {
    const icmp = probe.protocol === 'icmp';
    if (!icmp && (!Number.isInteger(probe.port) || probe.port < 0 || probe.port > 65535)) {
      throw new ProbeDefinitionError(`probe port ${probe.port} is not a port number`);
    }
    const { text, bytes } = parseProbeAddress(probe.targetAddress, probe.family, 'probe target');
    this.address = bytes;
    this.family = probe.family === 'ipv4' ? 4 : 6;
    this.protocol = icmp
      ? this.family === 4
        ? IpProtocol.ICMP
        : IpProtocol.ICMPV6
      : probe.protocol === 'tcp'
        ? IpProtocol.TCP
        : IpProtocol.UDP;
    this.port = icmp ? -1 : probe.port;
    this.echoRequest = !icmp ? -1 : this.family === 4 ? IcmpType.ECHO_REQUEST : IcmpType.ECHOV6_REQUEST;
    this.echoReply = !icmp ? -1 : this.family === 4 ? IcmpType.ECHO_REPLY : IcmpType.ECHOV6_REPLY;
    this.target = text;
    this.label = flowLabel(text, probe.port, probe.protocol);
  }

  /**
   * A packet of the probe flow: to the target address and port, or for ICMP an echo request to
   * the target address (other ICMP messages to it, such as errors, are not the probe's).
   */
  towardTarget(p: DecodedPacket): boolean {
    return (
      p.family === this.family &&
      p.protocol === this.protocol &&
      (this.echoRequest < 0 ? p.dstPort === this.port : p.icmpType === this.echoRequest) &&
      sameAddress(p.bytes, p.dstOffset, this.address)
    );
  }

  /** A reply: from the target address and port, or for ICMP an echo reply from the target address. */
  fromTarget(p: DecodedPacket): boolean {
    return (
      p.family === this.family &&
      p.protocol === this.protocol &&
      (this.echoReply < 0 ? p.srcPort === this.port : p.icmpType === this.echoReply) &&
      sameAddress(p.bytes, p.srcOffset, this.address)
    );
  }

  /** Whether the packet's source is `address` (bytes of this probe's family). */
  static sourceIs(p: DecodedPacket, address: Uint8Array): boolean {
    return sameAddress(p.bytes, p.srcOffset, address);
  }
}
