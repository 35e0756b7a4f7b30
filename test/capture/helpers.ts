import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PacketFlow } from '../../harness/capture/reader.js';
import { readPackets } from '../../harness/capture/reader.js';

/** A temporary directory for one test file, removed by `remove()` (call it in afterAll). */
export function scratchDir(prefix: string): {
  path: string;
  write: (name: string, bytes: Uint8Array) => string;
  remove: () => void;
} {
  const path = mkdtempSync(join(tmpdir(), `ec-${prefix}-`));
  return {
    path,
    write: (name, bytes) => {
      const file = join(path, name);
      writeFileSync(file, bytes);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Each record's flow (null for non-IP), in file order. */
export async function framesOf(file: string): Promise<(PacketFlow | null)[]> {
  const frames: (PacketFlow | null)[] = [];
  for await (const record of readPackets(file)) frames.push(record.flow);
  return frames;
}

/**
 * Record boundaries of a well-formed file, found by walking its length fields (independently of the
 * reader): each boundary with the number of packets whole before it.
 */
export function boundaries(bytes: Uint8Array): Map<number, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result = new Map<number, number>();
  let packets = 0;
  if (view.getUint32(0, true) === 0x0a0d0d0a) {
    let le = true;
    for (let o = 0; o < bytes.length; ) {
      const type = view.getUint32(o, le);
      if (type === 0x0a0d0d0a) le = view.getUint32(o + 8, true) === 0x1a2b3c4d;
      const length = view.getUint32(o + 4, le);
      if (type === 2 || type === 3 || type === 6) packets++;
      o += length;
      result.set(o, packets);
    }
    return result;
  }
  const le = view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d;
  result.set(24, 0);
  for (let o = 24; o < bytes.length; ) {
    o += 16 + view.getUint32(o + 8, le);
    result.set(o, ++packets);
  }
  return result;
}
