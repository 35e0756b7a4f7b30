import { i64, u16, u32, u32be } from './bytes.js';
import { CorruptCaptureError } from './errors.js';
import { type CaptureInterface, PacketView, type PacketVisitor } from './packet-view.js';
import type { RecordParser } from './record-parser.js';
import { PCAPNG_DEFAULT_UNIT, unitFromTsresol } from './timestamps.js';

const BLOCK = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  /** The obsolete Packet Block: still written by old tools, and still a packet. */
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

/** The byte-order magic of a section header as read big-endian. */
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

/** Smallest valid total length of each block type we read (header, fixed fields, trailer). */
const MIN_LENGTH: Record<number, number> = {
  [BLOCK.SECTION_HEADER]: 28,
  [BLOCK.INTERFACE_DESCRIPTION]: 20,
  [BLOCK.PACKET]: 32,
  [BLOCK.SIMPLE_PACKET]: 16,
  [BLOCK.ENHANCED_PACKET]: 32,
};

/**
 * The byte order a section header declares, from its byte-order magic at offset 8: true = little
 * endian, null = not a valid magic.
 */
export function sectionByteOrder(bytes: Uint8Array, blockStart: number): boolean | null {
  const magic = u32be(bytes, blockStart + 8);
  if (magic === BYTE_ORDER_MAGIC) return false;
  if (magic === BYTE_ORDER_MAGIC_SWAPPED) return true;
  return null;
}

/**
 * pcapng: a sequence of blocks (type, total length, body, total length again). A section header sets
 * the byte order and starts a new list of interfaces; interface descriptions give each interface's
 * link type, snap length and timestamp unit; enhanced, simple and (obsolete) packet blocks carry
 * packets. Every other block type is stepped over.
 */
export class PcapngParser implements RecordParser {
  readonly format = 'pcapng';
  packets = 0;
  need = 12;
  skippable = false;
  private readonly file: string;
  private littleEndian = true;
  private interfaces: CaptureInterface[] = [];
  private readonly view = new PacketView({ linkType: -1, snapLength: 0, timeUnit: PCAPNG_DEFAULT_UNIT });

  constructor(file: string) {
    this.file = file;
  }

  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the pcapng block-type switch in the streaming hot loop; one function keeps the reader allocation-free
  parse(bytes: Uint8Array, start: number, end: number, fileOffset: number, visit: PacketVisitor): number {
    const view = this.view;
    view.bytes = bytes;
    let pos = start;
    this.skippable = false;
    for (;;) {
      const available = end - pos;
      if (available < 8) {
        this.need = 8;
        return pos;
      }
      const type = u32(bytes, pos, this.littleEndian);
      if (type === BLOCK.SECTION_HEADER) {
        // The section's own byte order must be known before its length can be read.
        if (available < 12) {
          this.need = 12;
          return pos;
        }
        const littleEndian = sectionByteOrder(bytes, pos);
        if (littleEndian === null)
          throw this.corrupt(fileOffset + pos, 'section header with a bad byte-order magic');
        this.littleEndian = littleEndian;
      }
      const le = this.littleEndian;
      const length = u32(bytes, pos + 4, le);
      if (length < 12 || length % 4 !== 0) {
        throw this.corrupt(fileOffset + pos, `block length ${length} is not a multiple of 4 of at least 12`);
      }
      const minimum = MIN_LENGTH[type];
      if (minimum !== undefined && length < minimum) {
        throw this.corrupt(
          fileOffset + pos,
          `block of type ${type} is ${length} bytes, below its minimum ${minimum}`,
        );
      }
      if (available < length) {
        this.need = length;
        this.skippable = minimum === undefined;
        return pos;
      }
      const trailer = u32(bytes, pos + length - 4, le);
      if (trailer !== length) {
        throw this.corrupt(
          fileOffset + pos,
          `block lengths differ (${length} at the start, ${trailer} at the end)`,
        );
      }
      switch (type) {
        case BLOCK.SECTION_HEADER: {
          const major = u16(bytes, pos + 12, le);
          if (major !== 1) {
            throw this.corrupt(
              fileOffset + pos,
              `unsupported pcapng version ${major}.${u16(bytes, pos + 14, le)}`,
            );
          }
          this.interfaces = [];
          break;
        }
        case BLOCK.INTERFACE_DESCRIPTION:
          this.interfaces.push(this.readInterface(bytes, pos, length));
          break;
        case BLOCK.ENHANCED_PACKET:
        case BLOCK.PACKET: {
          const interfaceId = type === BLOCK.PACKET ? u16(bytes, pos + 8, le) : u32(bytes, pos + 8, le);
          const iface = this.interfaces[interfaceId];
          if (iface === undefined) {
            throw this.corrupt(
              fileOffset + pos,
              `packet on interface ${interfaceId}, which was never described`,
            );
          }
          const captured = u32(bytes, pos + 20, le);
          if (captured > length - 32) {
            throw this.corrupt(fileOffset + pos, `captured length ${captured} exceeds the block`);
          }
          view.iface = iface;
          view.interfaceId = interfaceId;
          view.hasTime = true;
          view.timeHigh = u32(bytes, pos + 12, le);
          view.timeLow = u32(bytes, pos + 16, le);
          view.capturedLength = captured;
          view.originalLength = u32(bytes, pos + 24, le);
          view.offset = pos + 28;
          this.packets++;
          visit(view);
          break;
        }
        case BLOCK.SIMPLE_PACKET: {
          const iface = this.interfaces[0];
          if (iface === undefined) {
            throw this.corrupt(fileOffset + pos, 'simple packet block before any interface description');
          }
          // No captured length field: the packet is what fits in the block, within the snap length.
          const original = u32(bytes, pos + 8, le);
          let captured = Math.min(original, length - 16);
          if (iface.snapLength !== 0 && captured > iface.snapLength) captured = iface.snapLength;
          view.iface = iface;
          view.interfaceId = 0;
          view.hasTime = false;
          view.capturedLength = captured;
          view.originalLength = original;
          view.offset = pos + 12;
          this.packets++;
          visit(view);
          break;
        }
      }
      pos += length;
    }
  }

  /** Link type, snap length and the `if_tsresol` / `if_tsoffset` options of an interface. */
  private readInterface(bytes: Uint8Array, pos: number, length: number): CaptureInterface {
    const le = this.littleEndian;
    let tsresol = -1;
    let tsoffset = 0;
    const optionsEnd = pos + length - 4;
    let o = pos + 16;
    // Options are code(2) length(2) value padded to 4; a malformed list ends the walk, not the file.
    while (optionsEnd - o >= 4) {
      const code = u16(bytes, o, le);
      const size = u16(bytes, o + 2, le);
      if (code === OPTION_END || o + 4 + size > optionsEnd) break;
      if (code === OPTION_IF_TSRESOL && size >= 1) tsresol = bytes[o + 4]!;
      if (code === OPTION_IF_TSOFFSET && size === 8) tsoffset = i64(bytes, o + 4, le);
      o += 4 + ((size + 3) & ~3);
    }
    return {
      linkType: u16(bytes, pos + 8, le),
      snapLength: u32(bytes, pos + 12, le),
      timeUnit:
        tsresol < 0 && tsoffset === 0
          ? PCAPNG_DEFAULT_UNIT
          : unitFromTsresol(tsresol < 0 ? 6 : tsresol, tsoffset),
    };
  }

  private corrupt(offset: number, reason: string): CorruptCaptureError {
    return new CorruptCaptureError(this.file, offset, reason);
  }
}
