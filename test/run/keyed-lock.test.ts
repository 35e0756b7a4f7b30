/** One holder per key; a holder of "any of these keys" takes the first free one. */
import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../harness/run/keyed-lock.js';
import { holdTarget } from '../../harness/run/traffic/target.js';

function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('KeyedLock', () => {
  it('lets one holder at a time have a key, in arrival order', async () => {
    const lock = new KeyedLock();
    const seen: string[] = [];
    const first = gate();
    const a = lock.hold('k', async () => {
      seen.push('a in');
      await first.opened;
      seen.push('a out');
    });
    const b = lock.hold('k', async () => {
      seen.push('b');
    });
    const c = lock.hold('other', async () => {
      seen.push('c');
    });
    await c;
    expect(seen).toEqual(['a in', 'c']);
    first.open();
    await Promise.all([a, b]);
    expect(seen).toEqual(['a in', 'c', 'a out', 'b']);
  });

  it('gives a holder of several keys the first free one, and waits when none is', async () => {
    const lock = new KeyedLock();
    const held: string[] = [];
    const release = gate();
    const holders = ['p', 'q', 'r'].map(() =>
      lock.holdAny(['8080', '8081'], async (key) => {
        held.push(key);
        if (held.length < 3) await release.opened;
        return key;
      }),
    );
    await new Promise((r) => setTimeout(r, 10));
    // Two side by side on the two keys; the third waits for one of them.
    expect(held).toEqual(['8080', '8081']);
    release.open();
    const keys = await Promise.all(holders);
    expect(keys.slice(0, 2)).toEqual(['8080', '8081']);
    expect(['8080', '8081']).toContain(keys[2]);
    // Released: free again at once.
    expect(await lock.holdAny(['8080', '8081'], async (key) => key)).toBe('8080');
  });

  it('does not let a later holder of a free key jump a waiter that can use it', async () => {
    const lock = new KeyedLock();
    const seen: string[] = [];
    const first = gate();
    const a = lock.hold('x', async () => {
      await first.opened;
      seen.push('a');
    });
    const b = lock.holdAny(['x'], async () => {
      seen.push('b');
    });
    first.open();
    await a;
    const c = lock.hold('x', async () => {
      seen.push('c');
    });
    await Promise.all([b, c]);
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});

/** The default peer as a probe target that serves on two ports. */
function peerWithTwoPorts() {
  return {
    target: { kind: 'peer' as const, peer: 'peer' },
    address: '198.51.100.10',
    port: 8080,
    label: 'peer peer',
    otherPorts: [8081],
  };
}

describe('a probe target with several ports', () => {
  it('hands each concurrent probe its own port, and the spec port alone when there are no others', async () => {
    const run = { probeTargets: new KeyedLock() };
    const target = peerWithTwoPorts();
    const release = gate();
    const ports: number[] = [];
    const probes = [1, 2].map(() =>
      holdTarget(run, target, 'tcp', async (t) => {
        ports.push(t.port);
        expect(t.otherPorts).toBeUndefined();
        await release.opened;
      }),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(ports).toEqual([8080, 8081]);
    // Another protocol is another flow: its capture filter does not see these.
    await holdTarget(run, target, 'udp', async (t) => {
      expect(t.port).toBe(8080);
    });
    release.open();
    await Promise.all(probes);
  });
});

describe('an icmp probe target', () => {
  it('is held by its address alone: icmp probes take turns whatever ports the target has, beside tcp', async () => {
    const run = { probeTargets: new KeyedLock() };
    const target = peerWithTwoPorts();
    const release = gate();
    const order: string[] = [];
    const first = holdTarget(run, target, 'icmp', async () => {
      order.push('icmp 1 in');
      await release.opened;
      order.push('icmp 1 out');
    });
    const second = holdTarget(run, target, 'icmp', async () => {
      order.push('icmp 2 in');
    });
    await new Promise((r) => setTimeout(r, 10));
    // TCP to the same address is another flow: it does not wait for the echo probe.
    await holdTarget(run, target, 'tcp', async () => {
      order.push('tcp');
    });
    expect(order).toEqual(['icmp 1 in', 'tcp']);
    release.open();
    await Promise.all([first, second]);
    expect(order).toEqual(['icmp 1 in', 'tcp', 'icmp 1 out', 'icmp 2 in']);
  });
});
