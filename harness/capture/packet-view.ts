import type { PacketTime, TimestampUnit } from './timestamps.js';
import { toPacketTime } from './timestamps.js';

/** What a record needs from the interface it was captured on. */
export interface CaptureInterface {
  readonly linkType: number;
  /** 0 = no limit. */
  readonly snapLength: number;
  readonly timeUnit: TimestampUnit;
}

/**
 * One record as the format parsers hand it to a visitor: a window into the reader's buffer plus the
 * record's fields. A single instance is reused for every record (no allocation per packet), so a
 * visitor must copy what it wants to keep before it returns.
 */
export class PacketView {
  /** The buffer holding the record; valid only during the visit. */
  bytes: Uint8Array = new Uint8Array(0);
  /** Where the packet's first byte (the link-layer header) is in `bytes`. */
  offset = 0;
  capturedLength = 0;
  originalLength = 0;
  interfaceId = 0;
  iface: CaptureInterface;
  /** Raw timestamp words as stored; see `time()`. */
  timeHigh = 0;
  timeLow = 0;
  /** pcapng simple packet blocks carry no timestamp. */
  hasTime = true;

  constructor(iface: CaptureInterface) {
    this.iface = iface;
  }

  get linkType(): number {
    return this.iface.linkType;
  }

  time(): PacketTime | null {
    return this.hasTime ? toPacketTime(this.iface.timeUnit, this.timeHigh, this.timeLow) : null;
  }
}

/** Called once per record, synchronously, in file order. */
export type PacketVisitor = (packet: PacketView) => void;
