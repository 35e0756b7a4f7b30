/**
 * A small capture writer for tests: builds packets layer by layer and writes them as classic pcap or
 * pcapng in either byte order, so every format and header case can be made on demand and checked
 * against tshark.
 */
import { parseAddress } from '../../harness/capture/addresses.js';

export type Bytes = Uint8Array;

export function concat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function be16(value: number): Bytes {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}

function be32(value: number): Bytes {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function address(text: string, length: 4 | 16): Bytes {
  const bytes = parseAddress(text);
  if (bytes === null || bytes.length !== length) throw new Error(`bad test address ${text}`);
  return bytes;
}

function filler(length: number, seed = 0x5a): Bytes {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i * 7) & 0xff;
  return out;
}

/** Internet checksum (RFC 1071). */
function checksum(bytes: Bytes): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// --- transport -------------------------------------------------------------------------------

export function tcp(
  srcPort: number,
  dstPort: number,
  options: { flags?: number; payload?: number } = {},
): Bytes {
  const header = concat(
    be16(srcPort),
    be16(dstPort),
    be32(0x01020304),
    be32(0),
    Uint8Array.of(0x50, options.flags ?? 0x02),
    be16(65535),
    be16(0),
    be16(0),
  );
  return concat(header, filler(options.payload ?? 0));
}

export function udp(srcPort: number, dstPort: number, payload = 8): Bytes {
  return concat(be16(srcPort), be16(dstPort), be16(8 + payload), be16(0), filler(payload));
}

/** SCTP common header plus one DATA-less INIT-like chunk header. */
export function sctp(srcPort: number, dstPort: number): Bytes {
  return concat(be16(srcPort), be16(dstPort), be32(0), be32(0), Uint8Array.of(1, 0), be16(4));
}

export function icmp(type = 8, code = 0, body: Bytes = filler(8)): Bytes {
  return concat(Uint8Array.of(type, code), be16(0), body);
}

// --- network ---------------------------------------------------------------------------------

export interface Ipv4Options {
  src: string;
  dst: string;
  protocol: number;
  payload: Bytes;
  /** IP options, padded to a multiple of 4 (IHL > 5). */
  options?: Bytes;
  /** Fragment offset in 8-byte units. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** Overrides the total-length field (0 = offload-style, or bogus values). */
  totalLength?: number;
  /** Overrides the IHL nibble. */
  ihl?: number;
  version?: number;
}

export function ipv4(o: Ipv4Options): Bytes {
  const options = o.options ?? new Uint8Array(0);
  const padded = concat(options, new Uint8Array((4 - (options.length % 4)) % 4));
  const headerLength = 20 + padded.length;
  const flags = (o.moreFragments ? 0x2000 : 0) | (o.fragmentOffset ?? 0);
  const header = concat(
    Uint8Array.of(((o.version ?? 4) << 4) | (o.ihl ?? headerLength / 4), 0),
    be16(o.totalLength ?? headerLength + o.payload.length),
    be16(0x1234),
    be16(flags),
    Uint8Array.of(64, o.protocol),
    be16(0),
    address(o.src, 4),
    address(o.dst, 4),
    padded,
  );
  header.set(be16(checksum(header)), 10);
  return concat(header, o.payload);
}

export type Ipv6Extension =
  | { type: 0 | 43 | 60; length?: number }
  | { type: 44; offset: number; more?: boolean }
  | { type: 51 };

export interface Ipv6Options {
  src: string;
  dst: string;
  /** The upper-layer protocol after the extension headers. */
  protocol: number;
  payload: Bytes;
  extensions?: Ipv6Extension[];
  payloadLength?: number;
}

function extensionHeader(ext: Ipv6Extension, next: number): Bytes {
  switch (ext.type) {
    case 44:
      return concat(Uint8Array.of(next, 0), be16((ext.offset << 3) | (ext.more ? 1 : 0)), be32(0xabcd));
    case 51:
      // AH: next, payload length in 4-byte units minus 2, reserved, SPI, sequence, 12-byte ICV.
      return concat(Uint8Array.of(next, 4), be16(0), be32(0x100), be32(1), filler(12));
    default: {
      // Hop-by-hop / routing / destination options: (length+1)*8 bytes, padded with PadN.
      const units = ext.length ?? 0;
      const body = new Uint8Array((units + 1) * 8 - 2);
      // A routing header stays all zero: type 0, no segments left, no addresses.
      if (ext.type !== 43) {
        body[0] = 1; // PadN
        body[1] = body.length - 2;
      }
      return concat(Uint8Array.of(next, units), body);
    }
  }
}

export function ipv6(o: Ipv6Options): Bytes {
  const extensions = o.extensions ?? [];
  const chain: Bytes[] = [];
  for (let i = extensions.length - 1; i >= 0; i--) {
    const next = i === extensions.length - 1 ? o.protocol : extensions[i + 1]!.type;
    chain.unshift(extensionHeader(extensions[i]!, next));
  }
  const body = concat(...chain, o.payload);
  const first = extensions[0]?.type ?? o.protocol;
  const header = concat(
    be32(0x60000000),
    be16(o.payloadLength ?? body.length),
    Uint8Array.of(first, 64),
    address(o.src, 16),
    address(o.dst, 16),
  );
  return concat(header, body);
}

// --- link layer ------------------------------------------------------------------------------

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_ARP = 0x0806;

export interface EthernetOptions {
  /** Tags outermost first: TPID (0x8100, 0x88a8, 0x9100) and VLAN id. */
  vlans?: { tpid: number; vid: number }[];
  /** Wrap the payload in 802.3 length + LLC/SNAP instead of an Ethernet II type. */
  llcSnap?: boolean;
  /** Pad to the 60-byte minimum as a NIC would. */
  pad?: boolean;
}

export function ethernet(ethertype: number, payload: Bytes, o: EthernetOptions = {}): Bytes {
  const macs = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01);
  let inner: Bytes;
  let type: number;
  if (o.llcSnap) {
    inner = concat(Uint8Array.of(0xaa, 0xaa, 0x03, 0, 0, 0), be16(ethertype), payload);
    type = inner.length;
  } else {
    inner = payload;
    type = ethertype;
  }
  // Each tag is TPID + TCI; the EtherType of what the innermost tag carries follows the tags.
  const tags = (o.vlans ?? []).map((tag) => concat(be16(tag.tpid), be16(tag.vid)));
  const frame = concat(macs, ...tags, be16(type), inner);
  if (o.pad && frame.length < 60) return concat(frame, new Uint8Array(60 - frame.length));
  return frame;
}

/** Linux cooked v1 (LINKTYPE_LINUX_SLL): what `tcpdump -i any -y LINUX_SLL` writes. */
export function cookedV1(protocol: number, payload: Bytes, hatype = 1): Bytes {
  return concat(
    be16(0),
    be16(hatype),
    be16(6),
    Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 0),
    be16(protocol),
    payload,
  );
}

/** Linux cooked v2 (LINKTYPE_LINUX_SLL2): what `tcpdump -i any` writes. */
export function cookedV2(protocol: number, payload: Bytes, hatype = 1): Bytes {
  return concat(
    be16(protocol),
    be16(0),
    be32(2),
    be16(hatype),
    Uint8Array.of(4, 6),
    Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 0),
    payload,
  );
}

/** BSD loopback header: the address family as 4 bytes in the capturing host's byte order. */
export function loopback(family: number, payload: Bytes, littleEndian: boolean): Bytes {
  const header = littleEndian
    ? Uint8Array.of(family & 0xff, (family >>> 8) & 0xff, (family >>> 16) & 0xff, family >>> 24)
    : be32(family);
  return concat(header, payload);
}

// --- files -----------------------------------------------------------------------------------

export interface SynthPacket {
  data: Bytes;
  /** Seconds and nanoseconds since the epoch. */
  seconds?: number;
  nanoseconds?: number;
  /** Cut the stored bytes to this many (snap length); the original length stays the full one. */
  captureLimit?: number;
}

class Writer {
  private readonly parts: Bytes[] = [];
  constructor(private readonly littleEndian: boolean) {}
  u8(v: number): this {
    this.parts.push(Uint8Array.of(v));
    return this;
  }
  u16(v: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, this.littleEndian);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, this.littleEndian);
    this.parts.push(b);
    return this;
  }
  u64(v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, this.littleEndian);
    this.parts.push(b);
    return this;
  }
  bytes(b: Bytes): this {
    this.parts.push(b);
    return this;
  }
  pad4(length: number): this {
    this.parts.push(new Uint8Array((4 - (length % 4)) % 4));
    return this;
  }
  done(): Bytes {
    return concat(...this.parts);
  }
}

function stored(p: SynthPacket, snapLength = 0): Bytes {
  const limit = Math.min(p.captureLimit ?? p.data.length, snapLength === 0 ? p.data.length : snapLength);
  return p.data.subarray(0, limit);
}

export interface PcapOptions {
  littleEndian?: boolean;
  nano?: boolean;
  linkType: number;
  snapLength?: number;
}

export function pcapFile(o: PcapOptions, packets: SynthPacket[]): Bytes {
  const le = o.littleEndian ?? true;
  const w = new Writer(le)
    .u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(o.snapLength ?? 262144)
    .u32(o.linkType);
  packets.forEach((p, i) => {
    const data = stored(p);
    const nanos = p.nanoseconds ?? i * 1000;
    w.u32(p.seconds ?? 1_700_000_000)
      .u32(o.nano ? nanos : Math.floor(nanos / 1000))
      .u32(data.length)
      .u32(p.data.length)
      .bytes(data);
  });
  return w.done();
}

export interface SynthInterface {
  linkType: number;
  snapLength?: number;
  /** if_tsresol byte (default: none, i.e. microseconds). */
  tsresol?: number;
  tsoffset?: number;
}

export type SynthBlock =
  | { kind: 'epb'; interfaceId: number; packet: SynthPacket }
  | { kind: 'pb'; interfaceId: number; packet: SynthPacket }
  | { kind: 'spb'; packet: SynthPacket }
  | { kind: 'other'; type: number; body: Bytes };

export interface SynthSection {
  littleEndian?: boolean;
  interfaces: SynthInterface[];
  blocks: SynthBlock[];
}

function block(le: boolean, type: number, body: Bytes): Bytes {
  const length = 12 + body.length;
  return new Writer(le).u32(type).u32(length).bytes(body).u32(length).done();
}

function option(le: boolean, code: number, value: Bytes): Bytes {
  return new Writer(le).u16(code).u16(value.length).bytes(value).pad4(value.length).done();
}

/** The raw 64-bit timestamp count of a packet in an interface's unit. */
function timestampUnits(iface: SynthInterface, p: SynthPacket, index: number): bigint {
  const seconds = BigInt((p.seconds ?? 1_700_000_000) - (iface.tsoffset ?? 0));
  const nanos = BigInt(p.nanoseconds ?? index * 1000);
  const r = iface.tsresol ?? 6;
  if ((r & 0x80) === 0) {
    const per = 10n ** BigInt(r);
    return seconds * per + (r >= 9 ? nanos * 10n ** BigInt(r - 9) : nanos / 10n ** BigInt(9 - r));
  }
  const bits = BigInt(r & 0x7f);
  return (seconds << bits) + (nanos << bits) / 1_000_000_000n;
}

export function pcapngFile(sections: SynthSection[]): Bytes {
  const parts: Bytes[] = [];
  for (const section of sections) {
    const le = section.littleEndian ?? true;
    const shbBody = new Writer(le).u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn).done();
    parts.push(block(le, 0x0a0d0d0a, concat(shbBody, option(le, 0, new Uint8Array(0)))));
    for (const iface of section.interfaces) {
      const options: Bytes[] = [];
      if (iface.tsresol !== undefined) options.push(option(le, 9, Uint8Array.of(iface.tsresol)));
      if (iface.tsoffset !== undefined) {
        options.push(option(le, 14, new Writer(le).u64(BigInt(iface.tsoffset)).done()));
      }
      options.push(option(le, 2, new TextEncoder().encode(`synth${parts.length}`)));
      if (options.length > 0) options.push(new Uint8Array(4));
      const body = new Writer(le)
        .u16(iface.linkType)
        .u16(0)
        .u32(iface.snapLength ?? 0)
        .bytes(concat(...options))
        .done();
      parts.push(block(le, 1, body));
    }
    section.blocks.forEach((b, index) => {
      if (b.kind === 'other') {
        parts.push(block(le, b.type, concat(b.body, new Uint8Array((4 - (b.body.length % 4)) % 4))));
        return;
      }
      // A simple packet block holds no captured length: readers take the snap length of interface 0.
      const data = stored(b.packet, b.kind === 'spb' ? section.interfaces[0]?.snapLength : 0);
      if (b.kind === 'spb') {
        parts.push(
          block(le, 3, new Writer(le).u32(b.packet.data.length).bytes(data).pad4(data.length).done()),
        );
        return;
      }
      const units = timestampUnits(section.interfaces[b.interfaceId]!, b.packet, index);
      const w = new Writer(le);
      if (b.kind === 'epb') w.u32(b.interfaceId);
      else w.u16(b.interfaceId).u16(0);
      w.u32(Number(units >> 32n))
        .u32(Number(units & 0xffffffffn))
        .u32(data.length)
        .u32(b.packet.data.length)
        .bytes(data)
        .pad4(data.length);
      parts.push(block(le, b.kind === 'epb' ? 6 : 2, w.done()));
    });
  }
  return concat(...parts);
}
