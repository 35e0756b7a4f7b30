/**
 * The sample: a seeded random draw of mutants (the same seed and mutants give the same sample on
 * every machine), and `--shard I/N`'s slice of it, dealt in turn so that shards get similar mixes.
 */

/** mulberry32: a small, well-mixed 32-bit generator; enough for drawing a sample, not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` items drawn without replacement (all of them, shuffled, when there are fewer). */
export function drawSample<T>(items: readonly T[], size: number, seed: number): T[] {
  const random = seededRandom(seed);
  const pool = [...items];
  // Fisher-Yates, stopped after `size` places.
  const count = Math.min(size, pool.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, count);
}

// One rule for `--shard I/N` everywhere: the run's (a usage error naming the flag).
export { parseShard } from '../../harness/cli/commands/run.js';

import type { Shard } from '../../harness/run/plan.js';

export type { Shard };

/** The shard's part: items I, I+N, I+2N, ... (1-based), so every item is in exactly one shard. */
export function shardOf<T>(items: readonly T[], shard: Shard | undefined): T[] {
  return shard ? items.filter((_, i) => i % shard.total === shard.index - 1) : [...items];
}
