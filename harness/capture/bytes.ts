/**
 * Unsigned integer reads from a byte array. Callers check bounds first: these do not, because they
 * sit on the per-packet path.
 */

export function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

export function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * 4 bytes big-endian as a signed 32-bit integer. For keys built on the per-packet path: V8 passes
 * int32 values between functions unboxed, but boxes an unsigned value above 2^31 (most IPv4
 * addresses) in a heap number, which would allocate per packet.
 */
export function i32be(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export function u16(b: Uint8Array, o: number, littleEndian: boolean): number {
  return littleEndian ? u16le(b, o) : u16be(b, o);
}

export function u32(b: Uint8Array, o: number, littleEndian: boolean): number {
  return littleEndian ? u32le(b, o) : u32be(b, o);
}

/** A signed 64-bit integer as a number (exact up to 2^53, which is all a seconds offset needs). */
export function i64(b: Uint8Array, o: number, littleEndian: boolean): number {
  const high = littleEndian ? u32le(b, o + 4) : u32be(b, o);
  const low = littleEndian ? u32le(b, o) : u32be(b, o + 4);
  return (high | 0) * 0x1_0000_0000 + low;
}

/** The first bytes of a file as hex, for messages about what a file is not. */
export function hexOf(b: Uint8Array, start: number, count: number): string {
  let text = '';
  for (let i = start; i < start + count && i < b.length; i++) text += b[i]!.toString(16).padStart(2, '0');
  return text;
}
