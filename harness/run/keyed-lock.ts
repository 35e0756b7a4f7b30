/**
 * One holder at a time per key. Tests running side by side take the lock of a probe target
 * while they capture there, so that a capture holds only the traffic of its own probe. A target
 * that answers on several ports offers them all (`holdAny`): a probe takes whichever is free, so
 * probes to the same target run side by side, each captured on its own port.
 */
interface Waiter {
  keys: readonly string[];
  grant: (key: string) => void;
}

export class KeyedLock {
  private readonly held = new Set<string>();
  /** In arrival order: a released key goes to the first waiter that can use it. */
  private readonly waiters: Waiter[] = [];

  hold<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.holdAny([key], () => work());
  }

  /** Runs `work` holding one of `keys` (the first free one, in the order given). */
  async holdAny<T>(keys: readonly string[], work: (key: string) => Promise<T>): Promise<T> {
    if (keys.length === 0) throw new Error('holdAny needs at least one key');
    const key = await this.acquire(keys);
    try {
      return await work(key);
    } finally {
      this.release(key);
    }
  }

  private acquire(keys: readonly string[]): Promise<string> {
    const free = this.waiters.length === 0 ? keys.find((k) => !this.held.has(k)) : undefined;
    if (free !== undefined) {
      this.held.add(free);
      return Promise.resolve(free);
    }
    return new Promise((grant) => {
      this.waiters.push({ keys, grant });
      this.dispatch();
    });
  }

  private release(key: string): void {
    this.held.delete(key);
    this.dispatch();
  }

  /** Gives free keys to waiters, first come first served among those that can use them. */
  private dispatch(): void {
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i] as Waiter;
      const free = waiter.keys.find((k) => !this.held.has(k));
      if (free === undefined) {
        i++;
        continue;
      }
      this.held.add(free);
      this.waiters.splice(i, 1);
      waiter.grant(free);
    }
  }
}
