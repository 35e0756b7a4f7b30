/** Address arithmetic for carving per-test LoadBalancer addresses out of a range. */
import { formatAddress, parseAddress } from '../capture/addresses.js';

/** The n-th address of a CIDR (n = 0 is the network address); throws when n is outside it. */
export function nthAddressOf(cidr: string, n: number): string {
  const [base = '', lengthText = ''] = cidr.split('/');
  const bytes = parseAddress(base);
  const length = Number(lengthText);
  if (!bytes || !/^\d+$/.test(lengthText) || length > bytes.length * 8)
    throw new RangeError(`not a CIDR: ${cidr}`);
  const hostBits = bytes.length * 8 - length;
  if (hostBits < 53 && n >= 2 ** hostBits) throw new RangeError(`${cidr} has no address number ${n}`);
  // Clear the host bits, then add n from the last byte up, carrying.
  for (let bit = 0; bit < hostBits; bit++) {
    const index = bytes.length - 1 - Math.floor(bit / 8);
    bytes[index] = (bytes[index] as number) & ~(1 << (bit % 8));
  }
  let carry = n;
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i--) {
    const sum = (bytes[i] as number) + (carry % 256);
    bytes[i] = sum % 256;
    carry = Math.floor(carry / 256) + Math.floor(sum / 256);
  }
  return formatAddress(bytes, 0, bytes.length === 4 ? 4 : 6);
}
