import { canonicalAddress, parseAddress } from '../capture/addresses.js';
import type { DecodedPacket } from '../capture/ip.js';
import { IpProtocol } from '../capture/ip.js';

/** The traffic a probe sends: to `targetAddress:port` over `protocol`. */
export interface ProbeFlow {
  targetAddress: string;
  port: number;
  protocol: 'tcp' | 'udp';
  family: 'ipv4' | 'ipv6';
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
  private readonly port: number;

  constructor(probe: ProbeFlow) {
    if (!Number.isInteger(probe.port) || probe.port < 0 || probe.port > 65535) {
      throw new ProbeDefinitionError(`probe port ${probe.port} is not a port number`);
    }
    const { text, bytes } = parseProbeAddress(probe.targetAddress, probe.family, 'probe target');
    this.address = bytes;
    this.family = probe.family === 'ipv4' ? 4 : 6;
    this.protocol = probe.protocol === 'tcp' ? IpProtocol.TCP : IpProtocol.UDP;
    this.port = probe.port;
    this.target = text;
    this.label = `${this.family === 6 ? `[${text}]` : text}:${probe.port}/${probe.protocol}`;
  }

  /** A packet of the probe flow: to the target address and port. */
  towardTarget(p: DecodedPacket): boolean {
    return (
      p.family === this.family &&
      p.protocol === this.protocol &&
      p.dstPort === this.port &&
      sameAddress(p.bytes, p.dstOffset, this.address)
    );
  }

  /** A reply: from the target address and port. */
  fromTarget(p: DecodedPacket): boolean {
    return (
      p.family === this.family &&
      p.protocol === this.protocol &&
      p.srcPort === this.port &&
      sameAddress(p.bytes, p.srcOffset, this.address)
    );
  }

  /** Whether the packet's source is `address` (bytes of this probe's family). */
  static sourceIs(p: DecodedPacket, address: Uint8Array): boolean {
    return sameAddress(p.bytes, p.srcOffset, address);
  }
}
