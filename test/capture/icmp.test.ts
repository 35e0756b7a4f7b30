/**
 * ICMP and ICMPv6 echo as the probe verdicts need them: the reader gives each packet's message
 * type for the family's own ICMP (ICMP on IPv4, ICMPv6 on IPv6, first fragments only), checked
 * against tshark's dissection of the same files, whole and cut at every length.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readPackets } from '../../harness/capture/reader.js';
import { ipPackets, V4A, V4B, V6A, V6B } from './cases.js';
import { scratchDir } from './helpers.js';
import { tsharkIcmpTypes } from './oracle.js';
import {
  type Bytes,
  concat,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernet,
  type Ipv4Options,
  type Ipv6Options,
  icmp,
  ipv4,
  ipv6,
  pcapFile,
  udp,
} from './synth.js';

const dir = scratchDir('icmp');
afterAll(() => dir.remove());

/** Echo request (8 bytes of header: type, code, checksum, identifier, sequence) with a payload. */
const echo = (type: number) => icmp(type, 0, Uint8Array.of(0x12, 0x34, 0, 1, ...new Array(24).fill(0x61)));

interface IcmpCase {
  name: string;
  packet: Bytes;
  /** Bytes of the ICMP message (the packet's tail). */
  icmp: number;
}

function v4(name: string, message: Bytes, extra: Partial<Ipv4Options> = {}): IcmpCase {
  return {
    name,
    packet: ipv4({ src: V4A, dst: V4B, protocol: 1, payload: message, ...extra }),
    icmp: message.length,
  };
}

function v6(name: string, message: Bytes, extra: Partial<Ipv6Options> = {}): IcmpCase {
  return {
    name,
    packet: ipv6({ src: V6A, dst: V6B, protocol: 58, payload: message, ...extra }),
    icmp: message.length,
  };
}

function icmpPackets(): IcmpCase[] {
  const quoted = ipv4({ src: V4A, dst: V4B, protocol: 1, payload: echo(8) });
  return [
    v4('v4 echo request', echo(8)),
    v4('v4 echo reply', echo(0), { src: V4B, dst: V4A }),
    v4('v4 echo request, first fragment', echo(8), { moreFragments: true }),
    v4('v4 destination unreachable quoting an echo request', icmp(3, 1, concat(new Uint8Array(4), quoted)), {
      src: '192.0.2.1',
      dst: V4A,
    }),
    v6('v6 echo request', echo(128)),
    v6('v6 echo reply', echo(129), { src: V6B, dst: V6A }),
    v6('v6 echo request behind hop-by-hop and destination options', echo(128), {
      extensions: [{ type: 0 }, { type: 60, length: 1 }],
    }),
    v6('v6 echo request, first fragment', echo(128), { extensions: [{ type: 44, offset: 0, more: true }] }),
    v6('v6 neighbor solicitation', icmp(135, 0, new Uint8Array(20)), { dst: 'ff02::1:ff00:7' }),
    // Later fragments: their first byte is data, not a type.
    v4('v4 echo, later fragment', Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0), { fragmentOffset: 3 }),
    v6('v6 echo, later fragment', Uint8Array.of(128, 0, 0, 0, 0, 0, 0, 0), {
      extensions: [{ type: 44, offset: 5 }],
    }),
    // The other family's ICMP is not the probe's: ICMPv6 on IPv4, ICMP on IPv6.
    v4('v4 carrying icmpv6', echo(128), { protocol: 58 }),
    v6('v6 carrying icmp', echo(8), { protocol: 1 }),
    v4('v4 udp', udp(40000, 8080), { protocol: 17 }),
  ];
}

function frame(packet: Bytes): Bytes {
  return ethernet(packet[0]! >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, packet);
}

async function ourTypes(file: string): Promise<(number | null)[]> {
  const types: (number | null)[] = [];
  for await (const record of readPackets(file)) types.push(record.icmpType);
  return types;
}

describe('ICMP message types against tshark', () => {
  const cases: Array<{ name: string; packet: Bytes }> = [...icmpPackets(), ...ipPackets()];

  it('gives every packet the type tshark gives it, and only the echo cases a type of 8/0/128/129', async () => {
    const file = dir.write(
      'whole.pcap',
      pcapFile(
        { linkType: 1 },
        cases.map((c, i) => ({ data: frame(c.packet), seconds: i, nanoseconds: 0 })),
      ),
    );
    const [ours, theirs] = await Promise.all([ourTypes(file), tsharkIcmpTypes(file)]);
    expect(ours).toEqual(theirs);
    // The oracle is not trivially null: the echo cases carry their types.
    const named = Object.fromEntries(cases.map((c, i) => [c.name, ours[i]]));
    expect(named).toMatchObject({
      'v4 echo request': 8,
      'v4 echo reply': 0,
      'v4 echo request, first fragment': 8,
      'v4 echo, later fragment': null,
      'v4 destination unreachable quoting an echo request': 3,
      'v6 echo request': 128,
      'v6 echo reply': 129,
      'v6 echo request behind hop-by-hop and destination options': 128,
      'v6 echo request, first fragment': 128,
      'v6 echo, later fragment': null,
      'v4 carrying icmpv6': null,
      'v6 carrying icmp': null,
      'v4 udp': null,
    });
  });

  it('agrees with tshark on packets cut by the snap length, once the 8-byte ICMP header is whole', async () => {
    // The echo cases, each with where its ICMP message starts in the frame.
    const echoes = icmpPackets()
      .slice(0, 8)
      .map((c) => {
        const data = frame(c.packet);
        return { ...c, data, icmpStart: data.length - c.icmp };
      });
    const packets = echoes.flatMap((c) =>
      Array.from({ length: c.data.length + 1 }, (_, cut) => ({ ...c, captureLimit: cut })),
    );
    const file = dir.write('cut.pcap', pcapFile({ linkType: 1 }, packets));
    const [ours, theirs] = await Promise.all([ourTypes(file), tsharkIcmpTypes(file)]);
    expect(ours).toHaveLength(packets.length);
    const differ = packets.flatMap((p, i) => {
      const whole = p.captureLimit - p.icmpStart >= 8;
      // Cut inside the header: no type (tshark types some of these, from the first byte).
      const expected = whole ? theirs[i] : null;
      return ours[i] === expected
        ? []
        : [`${p.name} cut at ${p.captureLimit}: ${ours[i]}, expected ${expected}`];
    });
    expect(differ).toEqual([]);
    // tshark does type the echo cases once their header is whole (the comparison is not null = null).
    const typedByTshark = packets.filter(
      (p, i) => p.captureLimit - p.icmpStart >= 8 && !p.name.includes('later') && theirs[i] !== null,
    );
    expect(typedByTshark.length).toBe(
      packets.filter((p) => p.captureLimit - p.icmpStart >= 8 && !p.name.includes('later')).length,
    );
  });
});
