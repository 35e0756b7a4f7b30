/**
 * IP address text: formatting from packet bytes (RFC 5952 for IPv6) and parsing user input into the
 * same canonical form, so that addresses from captures and from configuration compare as strings.
 */

export function formatIpv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/**
 * RFC 5952: lowercase hex without leading zeros, the longest run of two or more zero groups (the
 * leftmost on a tie) as `::`, and IPv4-mapped addresses as `::ffff:a.b.c.d`.
 */
export function formatIpv6(b: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[o + i]! << 8) | b[o + i + 1]!);
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0) {
    if (groups[5] === 0xffff) return `::ffff:${formatIpv4(b, o + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** Formats a 4- or 16-byte address. */
export function formatAddress(b: Uint8Array, o: number, family: 4 | 6): string {
  return family === 4 ? formatIpv4(b, o) : formatIpv6(b, o);
}

function parseIpv4Into(text: string, out: Uint8Array, o: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return false;
    const value = Number(part);
    if (value > 255) return false;
    out[o + i] = value;
  }
  return true;
}

function parseGroups(text: string): number[] | null {
  if (text === '') return [];
  const groups: number[] = [];
  for (const part of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
    groups.push(Number.parseInt(part, 16));
  }
  return groups;
}

function parseIpv6(text: string): Uint8Array | null {
  const bytes = new Uint8Array(16);
  let body = text;
  // A dotted IPv4 tail (::ffff:1.2.3.4) supplies the last two groups.
  let tailGroups = 0;
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.', lastColon)) {
    if (!parseIpv4Into(body.slice(lastColon + 1), bytes, 12)) return null;
    const prefix = body.slice(0, lastColon + 1);
    body = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
    tailGroups = 2;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const explicit = head.length + tail.length + tailGroups;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return null;
  head.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  const tailStart = 8 - tailGroups - tail.length;
  tail.forEach((g, i) => {
    bytes[(tailStart + i) * 2] = g >> 8;
    bytes[(tailStart + i) * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** Parses IPv4 dotted-quad or IPv6 text (optionally in brackets) to 4 or 16 bytes; null if invalid. */
export function parseAddress(text: string): Uint8Array | null {
  const trimmed = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (trimmed.includes(':')) return parseIpv6(trimmed);
  const bytes = new Uint8Array(4);
  return parseIpv4Into(trimmed, bytes, 0) ? bytes : null;
}

/** The canonical text of an address (RFC 5952 for IPv6), or null when `text` is not an address. */
export function canonicalAddress(text: string): string | null {
  const bytes = parseAddress(text);
  if (bytes === null) return null;
  return bytes.length === 4 ? formatIpv4(bytes, 0) : formatIpv6(bytes, 0);
}
