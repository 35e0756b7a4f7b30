/**
 * Damaged input: files cut at every offset, corrupt records, files that are not captures at all.
 * Nothing may throw except the reader's typed errors, and a cut file must read exactly its whole
 * records and say it was truncated.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  CaptureFileError,
  CorruptCaptureError,
  NotACaptureError,
} from '../../harness/capture/errors.js';
import { summariseCapture } from '../../harness/capture/summary.js';
import { fileCases } from './cases.js';
import { boundaries, scratchDir } from './helpers.js';
import { tsharkSummary } from './oracle.js';
import { concat, ETHERTYPE_IPV4, ethernet, ipv4, pcapFile, pcapngFile, tcp } from './synth.js';

const dir = scratchDir('damage');
afterAll(() => dir.remove());

/**
 * Where to cut: every offset of the first records, every offset within a few bytes of each record
 * boundary, and a stride through the rest (every offset of every file takes minutes for nothing).
 */
function cutPoints(length: number, sortedBoundaries: number[]): number[] {
  const points = new Set<number>();
  for (let cut = 0; cut <= Math.min(length, 400); cut++) points.add(cut);
  for (const b of sortedBoundaries) for (let d = -5; d <= 5; d++) points.add(b + d);
  for (let cut = 0; cut <= length; cut += 11) points.add(cut);
  return [...points].filter((cut) => cut >= 0 && cut <= length).sort((a, b) => a - b);
}

describe('files cut at many offsets', () => {
  for (const c of fileCases()) {
    it(c.name, async () => {
      const whole = boundaries(c.bytes);
      const sorted = [...whole.keys()].sort((a, b) => a - b);
      const prefixSummary = new Map<number, Awaited<ReturnType<typeof summariseCapture>>>();
      for (const end of sorted) {
        prefixSummary.set(end, await summariseCapture(dir.write('prefix', c.bytes.subarray(0, end))));
      }
      for (const cut of cutPoints(c.bytes.length, sorted)) {
        const file = dir.write('cut', c.bytes.subarray(0, cut));
        if (cut < 4) {
          await expect(summariseCapture(file)).rejects.toBeInstanceOf(NotACaptureError);
          continue;
        }
        const summary = await summariseCapture(file);
        const lastWhole = sorted.filter((b) => b <= cut).at(-1);
        expect(summary.truncated, `cut at ${cut}`).toBe(!whole.has(cut));
        expect(summary.packets, `cut at ${cut}`).toBe(lastWhole === undefined ? 0 : whole.get(lastWhole));
        // What is read of a cut file is exactly what its whole records hold.
        if (lastWhole !== undefined) expect(summary.flows).toEqual(prefixSummary.get(lastWhole)!.flows);
      }
    });
  }

  it('agrees with tshark on the packet count and the cut', async () => {
    for (const c of fileCases()) {
      const sorted = [...boundaries(c.bytes).keys()].sort((a, b) => a - b);
      // Inside a record in the middle, and inside the last one.
      for (const cut of [Math.floor((sorted[3]! + sorted[4]!) / 2), c.bytes.length - 3]) {
        const file = dir.write(`tshark-cut-${cut}`, c.bytes.subarray(0, cut));
        const [ours, theirs] = await Promise.all([summariseCapture(file), tsharkSummary(file)]);
        expect(ours.packets).toBe(theirs.packets);
        expect(ours.truncated).toBe(true);
        expect(theirs.cutShort).toBe(true);
        expect(ours.flows).toEqual(theirs.flows);
      }
    }
  });
});

describe('not a capture', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty file', new Uint8Array(0), /not a pcap or pcapng capture \(empty file\)/],
    ['three bytes', Uint8Array.of(0xd4, 0xc3, 0xb2), /not a pcap or pcapng capture \(only 3 bytes\)/],
    ['text', new TextEncoder().encode('root:x:0:0:root:/root:/bin/bash\n'), /\(magic 0x726f6f74\)/],
    ['an ELF binary', Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0), /\(magic 0x7f454c46\)/],
    [
      'a pcapng-looking file with a bad byte-order magic',
      Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0, 0),
      /byte-order magic 0x01020304/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects ${name} with NotACaptureError`, async () => {
      const file = dir.write('not-capture', bytes);
      const error = await summariseCapture(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotACaptureError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.startsWith(file)).toBe(true);
      expect((error as Error).message).not.toContain('\n');
    });
  }

  it('reports a missing file and a directory as CaptureFileError', async () => {
    await expect(summariseCapture(`${dir.path}/missing.pcap`)).rejects.toThrow(
      /missing\.pcap: no such file$/,
    );
    await expect(summariseCapture(dir.path)).rejects.toBeInstanceOf(CaptureFileError);
  });
});

describe('corrupt records', () => {
  const packet = {
    data: ethernet(
      ETHERTYPE_IPV4,
      ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 6, payload: tcp(1, 2) }),
    ),
  };
  const good = pcapngFile([
    { interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', interfaceId: 0, packet }] },
  ]);
  /** Offset of the first enhanced packet block (walked, not assumed). */
  const epbStart = [...boundaries(good).keys()].sort((a, b) => a - b)[1]!;

  function patched(at: number, value: number): Uint8Array {
    const copy = good.slice();
    new DataView(copy.buffer).setUint32(at, value, true);
    return copy;
  }

  const cases: [string, Uint8Array, RegExp][] = [
    ['a block length that is not a multiple of 4', patched(epbStart + 4, 77), /not a multiple of 4/],
    ['a trailer that disagrees', patched(good.length - 4, 96), /block lengths differ/],
    ['a packet on an interface never described', patched(epbStart + 8, 3), /interface 3/],
    ['a captured length beyond the block', patched(epbStart + 20, 500), /captured length 500/],
    ['an unsupported version', patched(12, 2), /unsupported pcapng version 2/],
    [
      'a simple packet before any interface',
      pcapngFile([{ interfaces: [], blocks: [{ kind: 'spb', packet }] }]),
      /simple packet block before any interface/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects ${name} with CorruptCaptureError`, async () => {
      expect(new DataView(good.buffer).getUint32(epbStart, true)).toBe(6);
      const error = await summariseCapture(dir.write('corrupt', bytes)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptCaptureError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('treats a record length past the end of the file as a cut, without buffering it', async () => {
    const file = pcapFile({ linkType: 1 }, [packet, packet]);
    const huge = concat(
      file,
      Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0),
      new Uint8Array(100),
    );
    const summary = await summariseCapture(dir.write('huge-length', huge));
    expect(summary).toMatchObject({ packets: 2, truncated: true });
  });

  it('steps over an unknown block larger than the read buffer without reading it', async () => {
    const big = pcapngFile([
      {
        interfaces: [{ linkType: 1 }],
        blocks: [
          { kind: 'epb', interfaceId: 0, packet },
          // A local-use block type (custom blocks 0xBAD are shown as records by tshark).
          { kind: 'other', type: 0x8000_0002, body: new Uint8Array(200_000) },
          { kind: 'epb', interfaceId: 0, packet },
        ],
      },
    ]);
    const file = dir.write('big-block', big);
    const summary = await summariseCapture(file, { chunkSize: 4096 });
    expect(summary).toMatchObject({ packets: 2, truncated: false });
    expect(summary).toEqual(await summariseCapture(file));
    expect(await tsharkSummary(file)).toMatchObject({ packets: 2 });
  });

  it('only ever throws CaptureError subclasses', () => {
    expect(new CorruptCaptureError('f', 1, 'x')).toBeInstanceOf(CaptureError);
    expect(new NotACaptureError('f', 'x')).toBeInstanceOf(CaptureError);
  });
});
