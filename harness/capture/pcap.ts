import { u32 } from './bytes.js';
import { PacketView, type PacketVisitor } from './packet-view.js';
import type { RecordParser } from './record-parser.js';
import { MICROSECONDS, NANOSECONDS } from './timestamps.js';

const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;

/** Classic pcap magic numbers as read little-endian from the first four bytes. */
const MAGIC = {
  /** Written by a little-endian host, microsecond timestamps. */
  MICRO_LE: 0xa1b2c3d4,
  MICRO_BE: 0xd4c3b2a1,
  NANO_LE: 0xa1b23c4d,
  NANO_BE: 0x4d3cb2a1,
} as const;

/** The classic pcap variant a magic number announces, or null. */
export function pcapVariant(magicLittleEndian: number): { littleEndian: boolean; nano: boolean } | null {
  switch (magicLittleEndian) {
    case MAGIC.MICRO_LE:
      return { littleEndian: true, nano: false };
    case MAGIC.MICRO_BE:
      return { littleEndian: false, nano: false };
    case MAGIC.NANO_LE:
      return { littleEndian: true, nano: true };
    case MAGIC.NANO_BE:
      return { littleEndian: false, nano: true };
    default:
      return null;
  }
}

/**
 * Classic pcap: a 24-byte file header (magic, version, snap length, link type) then records of a
 * 16-byte header (seconds, micro- or nanoseconds, captured length, original length) and the data.
 */
export class PcapParser implements RecordParser {
  readonly format = 'pcap';
  packets = 0;
  need = FILE_HEADER_LENGTH;
  readonly skippable = false;
  private readonly littleEndian: boolean;
  private readonly nano: boolean;
  private view: PacketView | null = null;

  constructor(variant: { littleEndian: boolean; nano: boolean }) {
    this.littleEndian = variant.littleEndian;
    this.nano = variant.nano;
  }

  /** Classic pcap has no malformed-record case to report, so the file offset goes unused. */
  parse(bytes: Uint8Array, start: number, end: number, _fileOffset: number, visit: PacketVisitor): number {
    const le = this.littleEndian;
    let pos = start;
    let view = this.view;
    if (view === null) {
      if (end - pos < FILE_HEADER_LENGTH) {
        this.need = FILE_HEADER_LENGTH;
        return pos;
      }
      // The upper bits of the link-type field carry FCS information, not the link type.
      view = new PacketView({
        linkType: u32(bytes, pos + 20, le) & 0x03ffffff,
        snapLength: u32(bytes, pos + 16, le),
        timeUnit: this.nano ? NANOSECONDS : MICROSECONDS,
      });
      this.view = view;
      pos += FILE_HEADER_LENGTH;
    }
    view.bytes = bytes;
    for (;;) {
      if (end - pos < RECORD_HEADER_LENGTH) {
        this.need = RECORD_HEADER_LENGTH;
        return pos;
      }
      const captured = u32(bytes, pos + 8, le);
      const length = RECORD_HEADER_LENGTH + captured;
      if (end - pos < length) {
        this.need = length;
        return pos;
      }
      view.timeHigh = u32(bytes, pos, le);
      view.timeLow = u32(bytes, pos + 4, le);
      view.capturedLength = captured;
      view.originalLength = u32(bytes, pos + 12, le);
      view.offset = pos + RECORD_HEADER_LENGTH;
      this.packets++;
      visit(view);
      pos += length;
    }
  }
}
