/** IP address and prefix arithmetic (v4 and v6, as bigints): lab subnets, MetalLB pools. */
import { formatIpv6 as formatIpv6Bytes } from '../capture/addresses.js';

export interface Cidr {
  version: 4 | 6;
  /** Network address as a number (128-bit for v6). */
  network: bigint;
  prefixLength: number;
}

export function parseIp(text: string): { version: 4 | 6; value: bigint } {
  if (text.includes(':')) return { version: 6, value: parseIpv6(text) };
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new Error(`not an IPv4 address: ${text}`);
  }
  return { version: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
}

function parseIpv6(text: string): bigint {
  const [head = '', tail, extra] = text.split('::');
  if (extra !== undefined) throw new Error(`not an IPv6 address: ${text}`);
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || missing < 0) throw new Error(`not an IPv6 address: ${text}`);
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return all.reduce((acc, g) => {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) throw new Error(`not an IPv6 address: ${text}`);
    return (acc << 16n) | BigInt(Number.parseInt(g, 16));
  }, 0n);
}

export function parseCidr(text: string): Cidr {
  const [address = '', length] = text.split('/');
  const ip = parseIp(address);
  const bits = ip.version === 4 ? 32 : 128;
  const prefixLength = length === undefined ? bits : Number(length);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > bits) {
    throw new Error(`bad prefix length in ${text}`);
  }
  const hostBits = BigInt(bits - prefixLength);
  return { version: ip.version, network: (ip.value >> hostBits) << hostBits, prefixLength };
}

/** True when two prefixes of the same family share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (x.version !== y.version) return false;
  const bits = x.version === 4 ? 32 : 128;
  const shorter = Math.min(x.prefixLength, y.prefixLength);
  const shift = BigInt(bits - shorter);
  return x.network >> shift === y.network >> shift;
}

export function cidrContains(cidr: string, address: string): boolean {
  return cidrsOverlap(cidr, address);
}

/** The address without a prefix length (`10.0.0.1/24` -> `10.0.0.1`). */
export function stripPrefix(address: string): string {
  return address.split('/')[0] ?? address;
}

/** Host `n` of an IPv4 /24 written `a.b.c.0/24`: `a.b.c.n`. */
export function ipv4Host(subnet24: string, n: number): string {
  const base = stripPrefix(subnet24).split('.').slice(0, 3).join('.');
  return `${base}.${n}`;
}

/**
 * Host `n` of an IPv6 /64: the subnet's address with its last group set to `n` written in
 * decimal digits (host 10 is `...::10`, like the IPv4 `.10`), in canonical form.
 */
export function ipv6Host(subnet64: string, n: number): string {
  const network = parseCidr(subnet64).network;
  return formatIpv6(network | BigInt(Number.parseInt(String(n), 16)));
}

/** The address `n` (a decimal count) after a subnet's network address, in either family. */
export function subnetHost(cidr: string, n: number): string {
  const { version, network } = parseCidr(cidr);
  if (version === 6) return formatIpv6(network + BigInt(n));
  const v = Number(network) + n;
  return [24, 16, 8, 0].map((shift) => (v >>> shift) & 255).join('.');
}

/** RFC 5952 text of an IPv6 address given as a 128-bit number (the capture reader's formatter). */
export function formatIpv6(value: bigint): string {
  const bytes = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return formatIpv6Bytes(bytes, 0);
}

/** The canonical text of an address or prefix (IPv6 per RFC 5952; IPv4 unchanged). */
export function canonicalIp(text: string): string {
  const [address = '', length] = text.split('/');
  if (!address.includes(':')) return text;
  const canonical = formatIpv6(parseIp(address).value);
  return length === undefined ? canonical : `${canonical}/${length}`;
}
