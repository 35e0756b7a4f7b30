/**
 * A hash table from fixed-size keys of 32-bit words to dense indexes 0..size-1, in first-seen order.
 * Callers write a key into `key` and call `intern()`; nothing is allocated per lookup, which is what
 * lets the summary count millions of packets a second.
 */
export class WordKeyTable {
  /** Scratch key: write the words of the key here, then call `intern()`. */
  readonly key: Uint32Array;
  private readonly stride: number;
  /** Keys in insertion order, `stride` words each. */
  private keys: Uint32Array;
  private hashes: Uint32Array;
  /** Open addressing, linear probing; each slot holds index + 1 (0 = empty). */
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(stride: number, initialCapacity = 64) {
    this.stride = stride;
    this.key = new Uint32Array(stride);
    const capacity = 1 << Math.max(4, Math.ceil(Math.log2(initialCapacity)));
    this.keys = new Uint32Array(capacity * stride);
    this.hashes = new Uint32Array(capacity);
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The index of the key in `key`, adding it if new. */
  intern(): number {
    const key = this.key;
    const stride = this.stride;
    const hash = hashWords(key, stride);
    const keys = this.keys;
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      const index = entry - 1;
      if (this.hashes[index] === hash) {
        const base = index * stride;
        let same = true;
        for (let i = 0; i < stride; i++) {
          if (keys[base + i] !== key[i]) {
            same = false;
            break;
          }
        }
        if (same) return index;
      }
      slot = (slot + 1) & this.mask;
    }
    const index = this.count;
    if ((index + 1) * stride > this.keys.length) {
      this.growKeys();
      return this.intern();
    }
    this.keys.set(key, index * stride);
    this.hashes[index] = hash;
    this.slots[slot] = index + 1;
    this.count++;
    return index;
  }

  /** The words of the key at `index` (a view: do not keep it across `intern()` calls). */
  keyAt(index: number): Uint32Array {
    return this.keys.subarray(index * this.stride, (index + 1) * this.stride);
  }

  /** Doubles key storage and rehashes into a slot array kept at most half full. */
  private growKeys(): void {
    const capacity = (this.keys.length / this.stride) * 2;
    const keys = new Uint32Array(capacity * this.stride);
    keys.set(this.keys);
    this.keys = keys;
    const hashes = new Uint32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    for (let index = 0; index < this.count; index++) {
      let slot = hashes[index]! & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = index + 1;
    }
  }
}

/**
 * MurmurHash3 (x86, 32-bit) over whole words. A strong mix matters: keys often differ only in a few
 * bits (one port, the last octet of an address) and the table indexes by the low bits.
 */
function hashWords(words: Uint32Array, count: number): number {
  let h = 0x9747b28c;
  for (let i = 0; i < count; i++) {
    let k = Math.imul(words[i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= count * 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
