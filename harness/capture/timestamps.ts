/**
 * Packet timestamps. Records keep the raw fields they were stored with and are converted here only
 * when someone asks, so the summary path never pays for it.
 */

/** A point in time as whole seconds since the Unix epoch plus nanoseconds (0..999,999,999). */
export interface PacketTime {
  readonly seconds: number;
  readonly nanoseconds: number;
}

/**
 * How an interface stores time. Classic pcap splits seconds and a fraction; pcapng stores one 64-bit
 * count of units of 10^-exponent or 2^-exponent seconds (`if_tsresol`), plus `if_tsoffset` seconds.
 */
export type TimestampUnit =
  | { readonly kind: 'split'; readonly fractionsPerSecond: number }
  | {
      readonly kind: 'count';
      readonly base: 2 | 10;
      readonly exponent: number;
      readonly offsetSeconds: number;
    };

export const MICROSECONDS: TimestampUnit = { kind: 'split', fractionsPerSecond: 1_000_000 };
export const NANOSECONDS: TimestampUnit = { kind: 'split', fractionsPerSecond: 1_000_000_000 };
/** pcapng's default when an interface has no `if_tsresol`: microseconds. */
export const PCAPNG_DEFAULT_UNIT: TimestampUnit = { kind: 'count', base: 10, exponent: 6, offsetSeconds: 0 };

/** Decodes an `if_tsresol` option byte: high bit clear = negative power of 10, set = of 2. */
export function unitFromTsresol(value: number, offsetSeconds: number): TimestampUnit {
  return (value & 0x80) === 0
    ? { kind: 'count', base: 10, exponent: value, offsetSeconds }
    : { kind: 'count', base: 2, exponent: value & 0x7f, offsetSeconds };
}

const NS_PER_SECOND = 1_000_000_000n;

/**
 * Converts the two raw 32-bit timestamp words of a record. BigInt is needed for pcapng counts: a
 * nanosecond count since 1970 exceeds 2^53.
 */
export function toPacketTime(unit: TimestampUnit, high: number, low: number): PacketTime {
  if (unit.kind === 'split') {
    const nanoseconds = Math.floor((low * 1_000_000_000) / unit.fractionsPerSecond);
    // A fraction field holding a full second or more (malformed but seen) carries into seconds.
    return {
      seconds: high + Math.floor(nanoseconds / 1_000_000_000),
      nanoseconds: nanoseconds % 1_000_000_000,
    };
  }
  const count = (BigInt(high) << 32n) | BigInt(low);
  const perSecond = unit.base === 10 ? 10n ** BigInt(unit.exponent) : 1n << BigInt(unit.exponent);
  const whole = count / perSecond;
  const fraction = count % perSecond;
  return {
    seconds: Number(whole) + unit.offsetSeconds,
    nanoseconds: Number((fraction * NS_PER_SECOND) / perSecond),
  };
}

/** 10000-01-01T00:00:00Z. */
const LAST_ISO_SECOND = 253_402_300_800;

/** ISO 8601 in UTC with nanoseconds, e.g. `2024-05-01T12:00:00.123456789Z`. */
export function formatIsoTime(time: PacketTime): string {
  const fraction = String(time.nanoseconds).padStart(9, '0');
  // Outside years 0000-9999 ISO needs an expanded form; a corrupt timestamp is shown raw instead.
  if (!(time.seconds >= 0 && time.seconds < LAST_ISO_SECOND)) return `@${time.seconds}.${fraction}`;
  return `${new Date(time.seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}
