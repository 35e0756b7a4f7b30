import { formatAddress } from './addresses.js';
import { hexOf, u32le } from './bytes.js';
import { PacketDecoder } from './decode.js';
import { CorruptCaptureError, NotACaptureError } from './errors.js';
import { FileSource } from './file-source.js';
import { protocolName } from './flows.js';
import { NO_ICMP_TYPE, NO_PORT } from './ip.js';
import type { PacketView, PacketVisitor } from './packet-view.js';
import { PcapParser, pcapVariant } from './pcap.js';
import { PcapngParser, sectionByteOrder } from './pcapng.js';
import type { RecordParser } from './record-parser.js';
import type { PacketTime } from './timestamps.js';

export interface ReadOptions {
  /** Bytes per read; the buffer grows beyond it only for a record that does not fit. */
  chunkSize?: number;
}

export interface ScanResult {
  format: 'pcap' | 'pcapng';
  /** Records read (every packet record, IP or not). */
  packets: number;
  /** The file ended inside a record (or inside its header). */
  truncated: boolean;
}

/**
 * Largest record the reader will buffer. Real records are at most a few hundred KiB (pcapng readers
 * commonly cap blocks at 16 MiB); a larger length that the file does contain means corruption.
 */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const PCAPNG_MAGIC = 0x0a0d0d0a;

/** Reads the start of the file and picks the format parser, or says why this is not a capture. */
async function openParser(source: FileSource): Promise<RecordParser> {
  await source.fill(12);
  const { bytes, start, available } = source;
  if (available < 4) {
    const what = available === 0 ? 'empty file' : `only ${available} bytes`;
    throw new NotACaptureError(source.file, `not a pcap or pcapng capture (${what})`);
  }
  const magic = u32le(bytes, start);
  const variant = pcapVariant(magic);
  if (variant !== null) return new PcapParser(variant);
  if (magic === PCAPNG_MAGIC) {
    // A section header starts with the same four bytes as much else; its byte-order magic settles it.
    if (available < 12 || sectionByteOrder(bytes, start) !== null) return new PcapngParser(source.file);
    throw new NotACaptureError(
      source.file,
      `not a pcap or pcapng capture (pcapng section header with byte-order magic 0x${hexOf(bytes, start + 8, 4)})`,
    );
  }
  throw new NotACaptureError(source.file, `not a pcap or pcapng capture (magic 0x${hexOf(bytes, start, 4)})`);
}

type PumpState = 'more' | 'end' | 'truncated';

/**
 * One round: visit every whole record buffered, then make the next record available (read, or step
 * over it). Buffering happens here, parsing in the parser, so the per-record loop never awaits.
 */
async function pumpOnce(source: FileSource, parser: RecordParser, visit: PacketVisitor): Promise<PumpState> {
  source.start = parser.parse(source.bytes, source.start, source.end, source.offset - source.start, visit);
  const need = parser.need;
  // Compare with what the file still holds before buffering anything: a length the file cannot
  // contain means it was cut inside this record (or the length is garbage), and must not make the
  // buffer grow.
  if (need > source.knownRemaining) {
    const remaining = await source.remaining();
    if (need > remaining) return remaining > 0 ? 'truncated' : 'end';
  }
  if (parser.skippable && need > source.bytes.length) {
    source.skip(need);
    return 'more';
  }
  if (need > MAX_RECORD_BYTES) {
    throw new CorruptCaptureError(
      source.file,
      source.offset,
      `record of ${need} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`,
    );
  }
  if (await source.fill(need)) return 'more';
  // The file shrank under us after the size check.
  return source.available > 0 ? 'truncated' : 'end';
}

/**
 * Reads a capture, calling `visit` for every packet record in file order. The view passed to `visit`
 * is reused: copy what you keep. Throws CaptureError subclasses only (file, format, corruption).
 */
export async function scanCapture(
  file: string,
  visit: PacketVisitor,
  options: ReadOptions = {},
): Promise<ScanResult> {
  const source = await FileSource.open(file, options.chunkSize);
  try {
    const parser = await openParser(source);
    let state: PumpState;
    do state = await pumpOnce(source, parser, visit);
    while (state === 'more');
    return { format: parser.format, packets: parser.packets, truncated: state === 'truncated' };
  } finally {
    await source.close();
  }
}

/** The flow fields of one packet, formatted. */
export interface PacketFlow {
  src: string;
  dst: string;
  protocol: string;
  srcPort: number | null;
  dstPort: number | null;
}

/** One packet record, detached from the reader's buffer. */
export interface PacketRecord {
  /** 0-based position in the file. */
  index: number;
  /** null for pcapng simple packet blocks, which carry no timestamp. */
  time: PacketTime | null;
  interfaceId: number;
  linkType: number;
  capturedLength: number;
  originalLength: number;
  /** A copy of the captured bytes, link-layer header first. */
  data: Uint8Array;
  /** null for frames without a usable IP header. */
  flow: PacketFlow | null;
  /** The ICMP (over IPv4) or ICMPv6 (over IPv6) message type; null for anything else. */
  icmpType: number | null;
}

/**
 * Iterates the packets of a capture as records. Convenient, but allocates per packet: for counting
 * use `scanCapture` with a `PacketDecoder`, as the summary does.
 */
export async function* readPackets(file: string, options: ReadOptions = {}): AsyncGenerator<PacketRecord> {
  const source = await FileSource.open(file, options.chunkSize);
  try {
    const parser = await openParser(source);
    const decoder = new PacketDecoder();
    const batch: PacketRecord[] = [];
    const collect = (packet: PacketView): void => {
      batch.push(toRecord(packet, parser.packets - 1, decoder));
    };
    // Records are detached a buffer-full at a time and handed out between reads.
    let state: PumpState;
    do {
      state = await pumpOnce(source, parser, collect);
      yield* batch;
      batch.length = 0;
    } while (state === 'more');
  } finally {
    await source.close();
  }
}

function toRecord(packet: PacketView, index: number, decoder: PacketDecoder): PacketRecord {
  const decoded = decoder.decode(packet);
  return {
    index,
    time: packet.time(),
    interfaceId: packet.interfaceId,
    linkType: packet.linkType,
    capturedLength: packet.capturedLength,
    originalLength: packet.originalLength,
    data: packet.bytes.slice(packet.offset, packet.offset + packet.capturedLength),
    flow:
      decoded === null
        ? null
        : {
            src: formatAddress(decoded.bytes, decoded.srcOffset, decoded.family as 4 | 6),
            dst: formatAddress(decoded.bytes, decoded.dstOffset, decoded.family as 4 | 6),
            protocol: protocolName(decoded.protocol),
            srcPort: decoded.srcPort === NO_PORT ? null : decoded.srcPort,
            dstPort: decoded.dstPort === NO_PORT ? null : decoded.dstPort,
          },
    icmpType: decoded === null || decoded.icmpType === NO_ICMP_TYPE ? null : decoded.icmpType,
  };
}
