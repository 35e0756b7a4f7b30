import type { PacketVisitor } from './packet-view.js';

/**
 * A capture format's record walker. It works on whatever is buffered: it visits every whole record
 * in `bytes[start, end)` and stops at the first one that is not whole, saying in `need` how many bytes
 * that record needs. The reader then refills the buffer (or skips, or calls the file truncated) and
 * calls `parse` again from the returned position. Parsers never await, so the per-record path is a
 * plain loop.
 */
export interface RecordParser {
  readonly format: 'pcap' | 'pcapng';
  /** Records visited so far. */
  readonly packets: number;
  /** Bytes the record at the position last returned needs, counted from that position. */
  readonly need: number;
  /**
   * The pending record carries nothing the parser reads (a pcapng block of another type), so the
   * reader may step over it without buffering it.
   */
  readonly skippable: boolean;
  /**
   * Walks whole records from `start`; `fileOffset` is the file position of `bytes[0]` (for error
   * messages). Returns the position after the last whole record.
   */
  parse(bytes: Uint8Array, start: number, end: number, fileOffset: number, visit: PacketVisitor): number;
}
