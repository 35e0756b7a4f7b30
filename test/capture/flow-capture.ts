/**
 * Large captures with a chosen number of flows, for the benchmark and the tests that need many
 * packets or many flows: a classic little-endian microsecond pcap of Ethernet frames, written in
 * blocks (never held in memory whole), byte-for-byte the same for the same options.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ethernet, icmp, ipv4, ipv6, tcp, udp } from './synth.js';

export interface FlowCaptureOptions {
  packets: number;
  /** Distinct flows (src, dst, protocol, ports); at most 131,072. Every one appears at least once. */
  flows: number;
  /** Only minimum-size frames (ACKs, 8-byte UDP, small pings): small files with many packets. */
  small?: boolean;
}

/** The most flows the address plan gives distinct address pairs (512 clients x 256 servers). */
export const MAX_FLOWS = 131_072;

/**
 * One frame per flow, flow `i` shaped by `i % 20`: TCP ACKs (8 in 20), full-size TCP data back
 * (6), DNS-sized UDP (4), IPv6 TCP (1), ICMP echo (1), like a busy link's mix. Each flow has its own
 * client/server address pair, so flows stay distinct even without ports (ICMP).
 */
function flowFrame(i: number, small: boolean): Uint8Array {
  const client = `${i < 65_536 ? '198.51.100' : '192.0.2'}.${i & 0xff}`;
  const server = `203.0.113.${(i >>> 8) & 0xff}`;
  const port = 32768 + (i % 28_000);
  const kind = i % 20;
  if (kind < 8 || (small && kind < 14)) {
    const payload = tcp(port, 443, { flags: 0x10 });
    return ethernet(ETHERTYPE_IPV4, ipv4({ src: client, dst: server, protocol: 6, payload }), { pad: true });
  }
  if (kind < 14) {
    const payload = tcp(443, port, { flags: 0x18, payload: 1460 });
    return ethernet(ETHERTYPE_IPV4, ipv4({ src: server, dst: client, protocol: 6, payload }));
  }
  if (kind < 18) {
    const payload = udp(port, 53, small ? 8 : 60);
    return ethernet(ETHERTYPE_IPV4, ipv4({ src: client, dst: server, protocol: 17, payload }), { pad: true });
  }
  if (kind < 19) {
    const payload = tcp(port, 8080, { flags: 0x18, payload: small ? 0 : 520 });
    const src = `2001:db8::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
    return ethernet(ETHERTYPE_IPV6, ipv6({ src, dst: '2001:db8:1::10', protocol: 6, payload }));
  }
  const payload = icmp(8, 0, new Uint8Array(small ? 8 : 56));
  return ethernet(ETHERTYPE_IPV4, ipv4({ src: client, dst: server, protocol: 1, payload }), { pad: true });
}

/**
 * Writes the capture: packet `i` belongs to flow `i` for the first `flows` packets (so each flow
 * appears, in order), then to a flow picked by an xorshift generator, so flows interleave as on a
 * real link. Returns the file's size in bytes.
 */
export function writeFlowCapture(file: string, options: FlowCaptureOptions): number {
  const { packets, flows } = options;
  if (!Number.isInteger(flows) || flows < 1 || flows > MAX_FLOWS || flows > packets) {
    throw new Error(`flows must be 1..${MAX_FLOWS} and at most the packet count, got ${flows}`);
  }
  const frames = Array.from({ length: flows }, (_, i) => flowFrame(i, options.small ?? false));
  const fd = openSync(file, 'w');
  try {
    const block = Buffer.alloc(8 << 20);
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262_144, 16);
    header.writeUInt32LE(1, 20); // Ethernet
    writeSync(fd, header);
    let size = header.length;
    let used = 0;
    let state = 0x9e3779b9 | 0;
    for (let i = 0; i < packets; i++) {
      let flow = i;
      if (i >= flows) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        flow = (state >>> 0) % flows;
      }
      const frame = frames[flow]!;
      if (used + 16 + frame.length > block.length) {
        writeSync(fd, block, 0, used);
        used = 0;
      }
      // 10 µs apart, starting 2023-11-14.
      block.writeUInt32LE(1_700_000_000 + Math.floor(i / 100_000), used);
      block.writeUInt32LE((i * 10) % 1_000_000, used + 4);
      block.writeUInt32LE(frame.length, used + 8);
      block.writeUInt32LE(frame.length, used + 12);
      block.set(frame, used + 16);
      used += 16 + frame.length;
      size += 16 + frame.length;
    }
    writeSync(fd, block, 0, used);
    return size;
  } finally {
    closeSync(fd);
  }
}
