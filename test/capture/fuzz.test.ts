/**
 * Fuzzing: random bytes and random mutations of valid captures (seeded, so a failure reproduces).
 * Every case must finish quickly and either read or fail with one of the reader's typed errors.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../../harness/capture/errors.js';
import { readPackets } from '../../harness/capture/reader.js';
import { summariseCapture } from '../../harness/capture/summary.js';
import { fileCases } from './cases.js';
import { scratchDir } from './helpers.js';

const dir = scratchDir('fuzz');
afterAll(() => dir.remove());

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x5eed_0003;
const CASES = 2500;
/**
 * Every record takes at least 12 bytes of the file (a pcapng block's smallest frame; a pcap
 * record header is 16): a reader that counts more packets than that re-reads or loops. A hang
 * is the test's timeout; no case is held to a wall-clock budget (a loaded machine is no bug).
 */
const MIN_RECORD_BYTES = 12;

const PCAP_HEADER = Uint8Array.of(
  0xd4,
  0xc3,
  0xb2,
  0xa1,
  2,
  0,
  4,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0xff,
  0xff,
  0,
  0,
  1,
  0,
  0,
  0,
);
const PCAPNG_HEAD = Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0);

function mutate(random: () => number, source: Uint8Array): Uint8Array {
  const int = (n: number) => Math.floor(random() * n);
  let bytes = source.slice();
  const operations = 1 + int(6);
  for (let k = 0; k < operations; k++) {
    switch (int(6)) {
      case 0: // flip bits
        if (bytes.length > 0) bytes[int(bytes.length)]! ^= 1 << int(8);
        break;
      case 1: // random byte
        if (bytes.length > 0) bytes[int(bytes.length)] = int(256);
        break;
      case 2: {
        // an extreme 32-bit value where a length field might be
        if (bytes.length < 8) break;
        const at = int(bytes.length - 4) & ~3;
        const values = [0, 1, 11, 12, 0xffffffff, 0x7fffffff, 0x10000, bytes.length, int(2 ** 32)];
        new DataView(bytes.buffer).setUint32(at, values[int(values.length)]!, random() < 0.5);
        break;
      }
      case 3: // cut
        bytes = bytes.subarray(0, int(bytes.length + 1)).slice();
        break;
      case 4: {
        // insert random bytes
        const at = int(bytes.length + 1);
        const insert = Uint8Array.from({ length: 1 + int(16) }, () => int(256));
        const out = new Uint8Array(bytes.length + insert.length);
        out.set(bytes.subarray(0, at));
        out.set(insert, at);
        out.set(bytes.subarray(at), at + insert.length);
        bytes = out;
        break;
      }
      default: {
        // delete a run
        const at = int(bytes.length + 1);
        const out = new Uint8Array(bytes.length);
        out.set(bytes.subarray(0, at));
        const rest = bytes.subarray(Math.min(bytes.length, at + 1 + int(16)));
        out.set(rest, at);
        bytes = out.subarray(0, at + rest.length).slice();
      }
    }
  }
  return bytes;
}

function randomInput(random: () => number, valid: Uint8Array[]): Uint8Array {
  const int = (n: number) => Math.floor(random() * n);
  const noise = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const kind = random();
  if (kind < 0.15) return noise(int(600));
  if (kind < 0.25) {
    const head = random() < 0.5 ? PCAP_HEADER : PCAPNG_HEAD;
    const out = new Uint8Array(head.length + int(600));
    out.set(head);
    out.set(noise(out.length - head.length), head.length);
    return out;
  }
  return mutate(random, valid[int(valid.length)]!);
}

describe('fuzz', () => {
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the fuzz loop checks every invariant per generated file
  it(`survives ${CASES} random and mutated files (seed 0x${SEED.toString(16)})`, async () => {
    const random = prng(SEED);
    const valid = fileCases().map((c) => c.bytes);
    const outcomes = { read: 0, truncated: 0, rejected: 0 };
    for (let i = 0; i < CASES; i++) {
      const input = randomInput(random, valid);
      const file = dir.write('case', input);
      const chunkSize = random() < 0.5 ? undefined : 1 + Math.floor(random() * 300);
      try {
        const summary = await summariseCapture(file, { chunkSize });
        outcomes[summary.truncated ? 'truncated' : 'read']++;
        expect(summary.packets).toBeLessThanOrEqual(Math.floor(input.length / MIN_RECORD_BYTES));
        const inFlows = summary.flows.reduce((n, f) => n + f.packets, 0);
        expect(inFlows).toBeLessThanOrEqual(summary.packets);
        for (const f of summary.flows) {
          expect(f.srcPort === null || (f.srcPort >= 0 && f.srcPort <= 65535)).toBe(true);
        }
        // The record iterator shares the parsers; exercise it on a share of the cases.
        if (i % 5 === 0) {
          let records = 0;
          for await (const _ of readPackets(file, { chunkSize })) records++;
          expect(records).toBe(summary.packets);
        }
      } catch (error) {
        if (!(error instanceof CaptureError)) {
          const hex = Buffer.from(input).toString('hex');
          throw new Error(`case ${i}: untyped ${String(error)}; input ${hex.slice(0, 400)}`);
        }
        expect(error.message).not.toContain('\n');
        outcomes.rejected++;
      }
    }
    // The mix must actually reach the parsers, not just bounce off the magic check.
    expect(outcomes.read + outcomes.truncated).toBeGreaterThan(CASES / 3);
    expect(outcomes.rejected).toBeGreaterThan(CASES / 20);
    // A hang still fails; 2500 cases on a core shared with the other worker and a lab take longer.
  }, 240_000);
});
