/** Address text: RFC 5952 formatting and parsing, checked against cases and the WHATWG URL parser. */
import { describe, expect, it } from 'vitest';
import { canonicalAddress, formatIpv6, parseAddress } from '../../harness/capture/addresses.js';

describe('RFC 5952 formatting', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['FE80:0:0:0:ABCD:0:0:0', 'fe80::abcd:0:0:0'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::FFFF:c000:0201', '::ffff:192.0.2.1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['198.51.100.7', '198.51.100.7'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => expect(canonicalAddress(input)).toBe(expected));
  }

  it('rejects what is not an address', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.256',
      '01.2.3.4',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      'g::1',
      '1:2:3:4:5:6:7::8:9',
      'host',
    ]) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });

  it('agrees with the WHATWG URL serialiser on random addresses', () => {
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(16);
      for (let g = 0; g < 8; g++) {
        // Mostly zero groups, so that runs and ties of runs are common.
        const value = next() % 3 === 0 ? next() : 0;
        bytes[g * 2] = value >> 8;
        bytes[g * 2 + 1] = value & 0xff;
      }
      const ours = formatIpv6(bytes, 0);
      if (ours.startsWith('::ffff:') && ours.includes('.')) continue;
      const groups = Array.from({ length: 8 }, (_, g) =>
        ((bytes[g * 2]! << 8) | bytes[g * 2 + 1]!).toString(16),
      );
      expect(ours).toBe(new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1));
      expect(canonicalAddress(ours)).toBe(ours);
    }
  });
});
