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

export interface Shard {
  index: number;
  total: number;
}

/** `I/N` with 1 <= I <= N, or an error naming the flag. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || index < 1 || index > total)
    throw new Error(`--shard ${text}: expected I/N, e.g. 2/3`);
  return { index, total };
}

/** The shard's part: items I, I+N, I+2N, ... (1-based), so every item is in exactly one shard. */
export function shardOf<T>(items: readonly T[], shard: Shard | undefined): T[] {
  return shard ? items.filter((_, i) => i % shard.total === shard.index - 1) : [...items];
}
