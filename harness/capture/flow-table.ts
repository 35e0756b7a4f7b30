import { formatIpv6 } from './addresses.js';
import { i32be } from './bytes.js';
import { type Flow, protocolName } from './flows.js';
import { type DecodedPacket, NO_PORT } from './ip.js';
import { WordKeyTable } from './key-table.js';

/** Words per slot: the key (family, ports, source, destination). A family word of 0 marks it empty. */
const SLOT = 4;

/**
 * Counts packets per flow (family, protocol, ports, source, destination) in an open-addressing
 * table kept compact: each packet's lookup lands at a random place in it, so with tens of thousands
 * of flows a cache miss costs as much as the hashing. A key is four words, 16 bytes a slot that
 * holds the whole key (one cache line per probe), the slots at most three quarters full, and the
 * counts in a parallel array: 50,000 flows take 131,072 slots, 3 MiB. Nothing is allocated per
 * packet.
 *
 * The four words: `family | protocol << 8 | hasPorts << 16`, the two ports, and the two addresses,
 * an IPv4 address as itself and an IPv6 address as its index in a table of the IPv6 addresses seen
 * (the family in the first word keeps the two kinds apart).
 */
export class FlowTable {
  /** `slotCount` is a power of two. */
  private slotCount = 64;
  private slots = new Int32Array(this.slotCount * SLOT);
  /** Packets per slot. */
  private counts = new Float64Array(this.slotCount);
  /** Flow index (order of first appearance) -> its slot. */
  private slotOf = new Int32Array(32);
  private count = 0;
  private readonly ipv6Addresses = new WordKeyTable(4);

  get size(): number {
    return this.count;
  }

  add(packet: DecodedPacket): void {
    const b = packet.bytes;
    const hasPorts = packet.srcPort !== NO_PORT;
    const family = packet.family | (packet.protocol << 8) | (hasPorts ? 0x10000 : 0);
    const ports = hasPorts ? (packet.srcPort << 16) | packet.dstPort : 0;
    if (packet.family === 4) {
      this.countKey(family, ports, i32be(b, packet.srcOffset), i32be(b, packet.dstOffset));
    } else {
      const src = this.ipv6Index(b, packet.srcOffset);
      this.countKey(family, ports, src, this.ipv6Index(b, packet.dstOffset));
    }
  }

  private ipv6Index(b: Uint8Array, o: number): number {
    const key = this.ipv6Addresses.key;
    key[0] = i32be(b, o);
    key[1] = i32be(b, o + 4);
    key[2] = i32be(b, o + 8);
    key[3] = i32be(b, o + 12);
    return this.ipv6Addresses.intern();
  }

  private countKey(family: number, ports: number, src: number, dst: number): void {
    const slots = this.slots;
    const mask = this.slotCount - 1;
    let slot = hash4(family, ports, src, dst) & mask;
    for (;;) {
      const at = slot * SLOT;
      const first = slots[at]!;
      if (first === 0) break;
      if (first === family && slots[at + 1] === ports && slots[at + 2] === src && slots[at + 3] === dst) {
        this.counts[slot]!++;
        return;
      }
      slot = (slot + 1) & mask;
    }
    if (4 * (this.count + 1) > 3 * this.slotCount) {
      this.grow();
      this.countKey(family, ports, src, dst);
      return;
    }
    const at = slot * SLOT;
    slots[at] = family;
    slots[at + 1] = ports;
    slots[at + 2] = src;
    slots[at + 3] = dst;
    this.counts[slot] = 1;
    if (this.count === this.slotOf.length) {
      const slotOf = new Int32Array(this.count * 2);
      slotOf.set(this.slotOf);
      this.slotOf = slotOf;
    }
    this.slotOf[this.count++] = slot;
  }

  /** Doubles the slots and moves every flow, in order, to its slot in the new table. */
  private grow(): void {
    const oldSlots = this.slots;
    const oldCounts = this.counts;
    this.slotCount *= 2;
    const mask = this.slotCount - 1;
    const slots = new Int32Array(this.slotCount * SLOT);
    const counts = new Float64Array(this.slotCount);
    for (let index = 0; index < this.count; index++) {
      const old = this.slotOf[index]!;
      const at = old * SLOT;
      let slot = hash4(oldSlots[at]!, oldSlots[at + 1]!, oldSlots[at + 2]!, oldSlots[at + 3]!) & mask;
      while (slots[slot * SLOT] !== 0) slot = (slot + 1) & mask;
      slots.set(oldSlots.subarray(at, at + SLOT), slot * SLOT);
      counts[slot] = oldCounts[old]!;
      this.slotOf[index] = slot;
    }
    this.slots = slots;
    this.counts = counts;
  }

  /** The flows in order of first appearance; each address is formatted once, however many flows share it. */
  list(): Flow[] {
    const ipv4Names = new Map<number, string>();
    const ipv6Names: string[] = [];
    const scratch = new Uint8Array(16);
    const view = new DataView(scratch.buffer);
    const name = (family: number, address: number): string => {
      if (family === 4) {
        let text = ipv4Names.get(address);
        if (text === undefined) {
          text = `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
          ipv4Names.set(address, text);
        }
        return text;
      }
      let text = ipv6Names[address];
      if (text === undefined) {
        const words = this.ipv6Addresses.keyAt(address);
        for (let i = 0; i < 4; i++) view.setUint32(i * 4, words[i]!);
        text = formatIpv6(scratch, 0);
        ipv6Names[address] = text;
      }
      return text;
    };
    const flows: Flow[] = [];
    for (let index = 0; index < this.count; index++) {
      const slot = this.slotOf[index]!;
      const at = slot * SLOT;
      const first = this.slots[at]!;
      const family = first & 0xff;
      const hasPorts = (first & 0x10000) !== 0;
      const ports = this.slots[at + 1]!;
      flows.push({
        src: name(family, this.slots[at + 2]!),
        dst: name(family, this.slots[at + 3]!),
        protocol: protocolName((first >>> 8) & 0xff),
        srcPort: hasPorts ? ports >>> 16 : null,
        dstPort: hasPorts ? ports & 0xffff : null,
        packets: this.counts[slot]!,
      });
    }
    return flows;
  }
}

/** MurmurHash3's mixing over the four key words (see key-table.ts for why the mix must be strong). */
function hash4(a: number, b: number, c: number, d: number): number {
  let h = 0x9747b28c;
  h = mix(h, a);
  h = mix(h, b);
  h = mix(h, c);
  h = mix(h, d);
  h ^= 16;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
