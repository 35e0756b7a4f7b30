/**
 * Eventual consistency, stated the way the specs state it: a condition must hold N polls in a
 * row within a bound, or keep holding throughout a window. Both return the last observation so
 * a failure can say what was seen.
 */

export interface Observation {
  ok: boolean;
  /** What was seen, one line. */
  detail: string;
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

export interface PollOutcome extends Observation {
  polls: number;
  elapsedMs: number;
}

export class AbortedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'AbortedError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}

/** Sleeps, waking early (with AbortedError) when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function observe(check: () => Promise<Observation>): Promise<Observation> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof AbortedError) throw error;
    return { ok: false, detail: `error: ${(error as Error).message}` };
  }
}

/** Polls until `consecutive` successes in a row, or fails when the bound passes. */
export async function eventually(
  check: () => Promise<Observation>,
  options: PollOptions & { consecutive?: number },
): Promise<PollOutcome> {
  const { timeoutMs, intervalMs = 500, signal, consecutive = 1 } = options;
  const started = performance.now();
  let streak = 0;
  let polls = 0;
  for (;;) {
    throwIfAborted(signal);
    const seen = await observe(check);
    polls++;
    streak = seen.ok ? streak + 1 : 0;
    const elapsedMs = Math.round(performance.now() - started);
    if (streak >= consecutive) return { ...seen, polls, elapsedMs };
    if (elapsedMs >= timeoutMs) {
      const why = seen.ok ? `held ${streak} of ${consecutive} polls in a row` : seen.detail;
      return { ok: false, detail: `not within ${timeoutMs}ms: ${why}`, polls, elapsedMs };
    }
    await sleep(Math.min(intervalMs, Math.max(0, timeoutMs - elapsedMs)), signal);
  }
}

/** Polls throughout the window; fails at the first poll that does not hold. */
export async function consistently(
  check: () => Promise<Observation>,
  options: { windowMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<PollOutcome> {
  const { windowMs, intervalMs = 1000, signal } = options;
  const started = performance.now();
  let polls = 0;
  for (;;) {
    throwIfAborted(signal);
    const seen = await observe(check);
    polls++;
    const elapsedMs = Math.round(performance.now() - started);
    if (!seen.ok)
      return { ok: false, detail: `stopped holding after ${elapsedMs}ms: ${seen.detail}`, polls, elapsedMs };
    if (elapsedMs >= windowMs) return { ...seen, polls, elapsedMs };
    await sleep(Math.min(intervalMs, windowMs - elapsedMs), signal);
  }
}
