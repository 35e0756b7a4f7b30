import { addressFromKey, writeAddressKey } from '../capture/flows.js';
import type { DecodedPacket } from '../capture/ip.js';
import { WordKeyTable } from '../capture/key-table.js';

/**
 * Counts packets per address straight from packet bytes; addresses are formatted once each, when the
 * counts are read.
 */
export class AddressCounter {
  private readonly table = new WordKeyTable(5, 16);
  private counts: number[] = [];
  private readonly names: string[] = [];

  /** Counts the packet's source (`which = 'src'`) or destination address. */
  add(p: DecodedPacket, which: 'src' | 'dst'): number {
    const key = this.table.key;
    key[0] = p.family;
    writeAddressKey(key, 1, p.bytes, which === 'src' ? p.srcOffset : p.dstOffset, p.family);
    const index = this.table.intern();
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    return index;
  }

  /** The address text of an index returned by `add`. */
  address(index: number): string {
    let name = this.names[index];
    if (name === undefined) {
      const key = this.table.keyAt(index);
      name = addressFromKey(key, 1, key[0] as 4 | 6);
      this.names[index] = name;
    }
    return name;
  }

  /** Address -> count, in order of first appearance. */
  toRecord(): Record<string, number> {
    const record: Record<string, number> = {};
    this.counts.forEach((count, index) => {
      record[this.address(index)] = count;
    });
    return record;
  }
}
