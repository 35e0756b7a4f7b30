/**
 * Packet and file cases shared by the oracle, damage and fuzz tests: every header shape the reader
 * claims to handle, under every link type and file format.
 */
import {
  type Bytes,
  cookedV1,
  cookedV2,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernet,
  icmp,
  ipv4,
  ipv6,
  loopback,
  pcapFile,
  pcapngFile,
  type SynthPacket,
  sctp,
  tcp,
  udp,
} from './synth.js';

export const V4A = '198.51.100.10';
export const V4B = '203.0.113.7';
export const V6A = '2001:db8::10';
export const V6B = '2001:db8:0:0:1:0:0:7';

/** Network-layer packets (IPv4 and IPv6) covering options, fragments and extension headers. */
export function ipPackets(): { name: string; packet: Bytes }[] {
  const v4 = (protocol: number, payload: Bytes, extra: Partial<Parameters<typeof ipv4>[0]> = {}) =>
    ipv4({ src: V4A, dst: V4B, protocol, payload, ...extra });
  const v6 = (protocol: number, payload: Bytes, extra: Partial<Parameters<typeof ipv6>[0]> = {}) =>
    ipv6({ src: V6A, dst: V6B, protocol, payload, ...extra });
  return [
    { name: 'v4 tcp syn', packet: v4(6, tcp(40000, 8080)) },
    { name: 'v4 tcp data', packet: v4(6, tcp(40000, 8080, { flags: 0x18, payload: 200 })) },
    {
      name: 'v4 tcp reply',
      packet: ipv4({ src: V4B, dst: V4A, protocol: 6, payload: tcp(8080, 40000, { flags: 0x12 }) }),
    },
    { name: 'v4 udp', packet: v4(17, udp(5353, 53, 30)) },
    { name: 'v4 icmp echo', packet: v4(1, icmp(8, 0)) },
    { name: 'v4 sctp', packet: v4(132, sctp(3868, 3868)) },
    { name: 'v4 gre', packet: v4(47, new Uint8Array(8)) },
    { name: 'v4 options ihl6', packet: v4(6, tcp(40001, 8080), { options: Uint8Array.of(1, 1, 1, 0) }) },
    {
      name: 'v4 options ihl15',
      packet: v4(17, udp(40002, 9000), { options: Uint8Array.of(7, 39, 4, ...new Array(36).fill(0), 0) }),
    },
    { name: 'v4 first fragment', packet: v4(17, udp(40003, 9001, 200), { moreFragments: true }) },
    { name: 'v4 later fragment', packet: v4(17, new Uint8Array(100), { fragmentOffset: 26 }) },
    {
      name: 'v4 last fragment',
      packet: v4(6, new Uint8Array(40), { fragmentOffset: 200, moreFragments: false }),
    },
    {
      name: 'v4 icmp error quoting tcp',
      packet: ipv4({
        src: '192.0.2.1',
        dst: V4A,
        protocol: 1,
        payload: icmp(3, 3, concat4(new Uint8Array(4), v4(6, tcp(40000, 8080)).subarray(0, 28))),
      }),
    },
    {
      name: 'v4 ipip tunnel',
      packet: v4(4, ipv4({ src: '192.0.2.5', dst: '192.0.2.6', protocol: 17, payload: udp(1, 2) })),
    },
    { name: 'v6 tcp', packet: v6(6, tcp(40010, 443)) },
    { name: 'v6 udp', packet: v6(17, udp(40011, 53)) },
    { name: 'v6 icmpv6', packet: v6(58, icmp(128, 0)) },
    { name: 'v6 sctp', packet: v6(132, sctp(2905, 2905)) },
    {
      name: 'v6 hop-by-hop + dstopts + routing',
      packet: v6(6, tcp(40012, 8443), { extensions: [{ type: 0 }, { type: 60, length: 1 }, { type: 43 }] }),
    },
    {
      name: 'v6 first fragment',
      packet: v6(17, udp(40013, 4789, 300), { extensions: [{ type: 44, offset: 0, more: true }] }),
    },
    {
      name: 'v6 later fragment',
      packet: v6(17, new Uint8Array(64), { extensions: [{ type: 44, offset: 39 }] }),
    },
    {
      name: 'v6 hbh then later fragment',
      packet: v6(6, new Uint8Array(32), { extensions: [{ type: 0 }, { type: 44, offset: 7 }] }),
    },
    { name: 'v6 ah', packet: v6(6, tcp(40014, 22), { extensions: [{ type: 51 }] }) },
    { name: 'v6 no next header', packet: v6(59, new Uint8Array(0)) },
    {
      name: 'v6 mapped + zero runs',
      packet: ipv6({
        src: '::ffff:198.51.100.20',
        dst: '2001:db8:0:1:1:1:1:1',
        protocol: 17,
        payload: udp(1000, 2000),
      }),
    },
    {
      name: 'v6 tie of zero runs',
      packet: ipv6({ src: '2001:0:0:1:0:0:2:3', dst: 'fe80::1', protocol: 58, payload: icmp(135, 0) }),
    },
    {
      name: 'v6 icmpv6 error quoting udp',
      packet: ipv6({
        src: '2001:db8::1',
        dst: V6A,
        protocol: 58,
        payload: icmp(1, 4, concat4(new Uint8Array(4), v6(17, udp(40011, 53)))),
      }),
    },
  ];
}

function concat4(a: Bytes, b: Bytes): Bytes {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function ethertypeOf(packet: Bytes): number {
  return packet[0]! >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
}

/** An ARP request: a frame that is not IP. */
export function arp(): Bytes {
  return ethernet(ETHERTYPE_ARP, new Uint8Array(28).fill(1), { pad: true });
}

export interface LinkCase {
  name: string;
  linkType: number;
  frame: (ip: Bytes) => Bytes;
  /** Only IPv4 or only IPv6 fits this link type. */
  only?: 4 | 6;
  /** Frames that carry no IP under this link type (counted, no flow). */
  extra?: Bytes[];
}

/** Every link type, framing the same IP packets. */
export function linkCases(): LinkCase[] {
  const tag = (tpid: number, vid: number) => ({ tpid, vid });
  return [
    {
      name: 'ethernet',
      linkType: 1,
      frame: (p) => ethernet(ethertypeOf(p), p, { pad: true }),
      extra: [arp()],
    },
    {
      name: 'ethernet 802.1Q',
      linkType: 1,
      frame: (p) => ethernet(ethertypeOf(p), p, { vlans: [tag(0x8100, 7)] }),
    },
    {
      name: 'ethernet 802.1ad QinQ',
      linkType: 1,
      frame: (p) => ethernet(ethertypeOf(p), p, { vlans: [tag(0x88a8, 100), tag(0x8100, 7)] }),
    },
    {
      name: 'ethernet 0x9100 QinQ x3',
      linkType: 1,
      frame: (p) => ethernet(ethertypeOf(p), p, { vlans: [tag(0x9100, 1), tag(0x88a8, 2), tag(0x8100, 3)] }),
    },
    { name: 'ethernet LLC/SNAP', linkType: 1, frame: (p) => ethernet(ethertypeOf(p), p, { llcSnap: true }) },
    {
      name: 'linux cooked v1',
      linkType: 113,
      frame: (p) => cookedV1(ethertypeOf(p), p),
      extra: [cookedV1(ETHERTYPE_ARP, new Uint8Array(28))],
    },
    {
      name: 'linux cooked v2',
      linkType: 276,
      frame: (p) => cookedV2(ethertypeOf(p), p),
      extra: [cookedV2(ETHERTYPE_ARP, new Uint8Array(28)), cookedV2(0x0010, new Uint8Array(20), 824)],
    },
    { name: 'raw ip (101)', linkType: 101, frame: (p) => p },
    { name: 'raw ip (12)', linkType: 12, frame: (p) => p },
    { name: 'raw ip (14)', linkType: 14, frame: (p) => p },
    { name: 'ipv4 (228)', linkType: 228, frame: (p) => p, only: 4 },
    { name: 'ipv6 (229)', linkType: 229, frame: (p) => p, only: 6 },
    { name: 'null, little-endian host', linkType: 0, frame: (p) => loopback(family(p, 24), p, true) },
    { name: 'null, big-endian host', linkType: 0, frame: (p) => loopback(family(p, 28), p, false) },
    { name: 'loop (108), darwin AF_INET6', linkType: 108, frame: (p) => loopback(family(p, 30), p, false) },
  ];
}

function family(packet: Bytes, inet6: number): number {
  return packet[0]! >> 4 === 6 ? inet6 : 2;
}

/** The frames of a link case: each IP packet that fits, then the non-IP extras. */
export function framesFor(link: LinkCase): Bytes[] {
  const fits = ipPackets().filter((c) => link.only === undefined || c.packet[0]! >> 4 === link.only);
  return [...fits.map((c) => link.frame(c.packet)), ...(link.extra ?? [])];
}

export function asPackets(frames: Bytes[]): SynthPacket[] {
  return frames.map((data, i) => ({
    data,
    seconds: 1_700_000_000 + i,
    nanoseconds: (i * 123_456_789) % 1e9,
  }));
}

export interface FileCase {
  name: string;
  bytes: Bytes;
}

/** Every file format variant, each holding a mix of link cases. */
export function fileCases(): FileCase[] {
  const links = linkCases();
  const eth = links[0]!;
  const sll2 = links.find((l) => l.linkType === 276)!;
  const raw = links.find((l) => l.linkType === 101)!;
  const ethPackets = asPackets(framesFor(eth));
  const cases: FileCase[] = [];
  for (const littleEndian of [true, false]) {
    for (const nano of [false, true]) {
      cases.push({
        name: `pcap ${littleEndian ? 'LE' : 'BE'} ${nano ? 'ns' : 'us'}`,
        bytes: pcapFile({ littleEndian, nano, linkType: 1 }, ethPackets),
      });
    }
    cases.push({
      name: `pcapng ${littleEndian ? 'LE' : 'BE'} three interfaces, resolutions, EPB/PB/SPB, other blocks`,
      bytes: pcapngFile([
        {
          littleEndian,
          interfaces: [
            { linkType: 1 },
            { linkType: 276, tsresol: 9 },
            { linkType: 101, tsresol: 0x80 | 20, tsoffset: 1_000 },
          ],
          blocks: [
            { kind: 'other', type: 4, body: Uint8Array.of(0, 0, 0, 0) },
            ...framesFor(sll2).map((data, i) => ({
              kind: 'epb' as const,
              interfaceId: 1,
              packet: { data, seconds: 1_700_000_100 + i, nanoseconds: 987_654_321 },
            })),
            ...ethPackets.slice(0, 5).map((packet) => ({ kind: 'epb' as const, interfaceId: 0, packet })),
            { kind: 'other', type: 0x80000001, body: new Uint8Array(13).fill(7) },
            ...framesFor(raw).map((data, i) => ({
              kind: 'pb' as const,
              interfaceId: 2,
              packet: { data, seconds: 1_700_000_200 + i, nanoseconds: 500_000_000 },
            })),
            ...ethPackets.slice(5, 9).map((packet) => ({ kind: 'spb' as const, packet })),
            { kind: 'other', type: 5, body: new Uint8Array(12) },
          ],
        },
      ]),
    });
  }
  cases.push({
    name: 'pcapng two sections, LE then BE, interfaces renumbered',
    bytes: pcapngFile([
      {
        littleEndian: true,
        interfaces: [{ linkType: 101 }, { linkType: 1 }],
        blocks: ethPackets.slice(0, 6).map((packet) => ({ kind: 'epb' as const, interfaceId: 1, packet })),
      },
      {
        littleEndian: false,
        interfaces: [{ linkType: 276, tsresol: 9 }],
        blocks: asPackets(framesFor(sll2)).map((packet) => ({
          kind: 'epb' as const,
          interfaceId: 0,
          packet,
        })),
      },
    ]),
  });
  cases.push({
    name: 'pcapng SPB cut by the interface snap length',
    bytes: pcapngFile([
      {
        // Cuts inside payloads only: the header-cut cases are compared one by one elsewhere.
        interfaces: [{ linkType: 1, snapLength: 96 }],
        blocks: ethPackets.map((packet) => ({ kind: 'spb' as const, packet })),
      },
    ]),
  });
  return cases;
}
