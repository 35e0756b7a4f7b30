/**
 * Restarting upstream's controllers on a real cluster (shared/controller-pods.ts) against a
 * cluster that behaves as a DaemonSet does: a deleted pod goes after its grace period and a new
 * one, not Ready at first, takes its place. (The kind provider cannot run here; the pods' label
 * and namespace are held to upstream's chart by test/kind/controller-pods-upstream.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { ClusterApi, KubeObject, ObjectRef } from '../../harness/env/environment.js';
import { CONTROLLER_POD_SELECTOR, ControllerPods } from '../../harness/env/shared/controller-pods.js';

class DaemonSetCluster {
  pods: KubeObject[] = [];
  private next = 0;
  readonly selectors: string[] = [];
  readonly deleted: string[] = [];
  /** Polls until a deleted pod is gone, and until a new pod is Ready. */
  constructor(
    nodes: number,
    private readonly graceRounds = 1,
    private readonly readyRounds = 2,
    private readonly replace = true,
  ) {
    for (let i = 0; i < nodes; i++) this.pods.push(this.pod(true));
    this.pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', uid: 'other', labels: {} } });
  }
  private pod(ready: boolean, age = 0): KubeObject {
    const n = this.next++;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `ovnkube-node-${n}`, uid: `uid-${n}`, labels: { app: 'ovnkube-node' }, age, ready },
      status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    } as unknown as KubeObject;
  }
  tick(): void {
    for (const p of this.pods) {
      const m = p.metadata as Record<string, unknown>;
      m.age = Number(m.age) + 1;
      if (m.deleting !== undefined && Number(m.age) - Number(m.deleting) >= this.graceRounds) m.gone = true;
      if (m.deleting === undefined && !m.ready && Number(m.age) >= this.readyRounds) {
        m.ready = true;
        (p.status as { conditions: Array<{ status: string }> }).conditions[0] = {
          type: 'Ready',
          status: 'True',
        } as never;
      }
    }
    this.pods = this.pods.filter((p) => !(p.metadata as Record<string, unknown>).gone);
  }
  api(): ClusterApi {
    return {
      list: async (_v: string, _k: string, _ns?: string, selector?: string) => {
        this.selectors.push(String(selector));
        const [key, value] = String(selector).split('=');
        return this.pods.filter((p) => p.metadata.labels?.[key as string] === value);
      },
      delete: async (ref: ObjectRef, options?: { uid?: string }) => {
        const pod = this.pods.find((p) => p.metadata.name === ref.name && p.metadata.uid === options?.uid);
        if (!pod) return;
        this.deleted.push(ref.name);
        const m = pod.metadata as Record<string, unknown>;
        m.deleting = m.age;
        if (this.replace) this.pods.push(this.pod(false));
      },
    } as unknown as ClusterApi;
  }
}

function restart(cluster: DaemonSetCluster, timeoutMs = { gone: 60_000, ready: 60_000 }) {
  let now = 0;
  const realNow = Date.now;
  return {
    pods: new ControllerPods(cluster.api(), 'ovn-kubernetes', timeoutMs, async (ms) => {
      now += ms;
      Date.now = () => realNow() + now;
      cluster.tick();
    }),
    restore: () => {
      Date.now = realNow;
    },
  };
}

describe('restarting the controller pods', () => {
  it('deletes only the selected pods, waits until they are gone, then until as many new ones are Ready', async () => {
    const cluster = new DaemonSetCluster(3);
    const { pods, restore } = restart(cluster);
    try {
      const stopped = await pods.stop();
      expect(cluster.deleted).toEqual(['ovnkube-node-0', 'ovnkube-node-1', 'ovnkube-node-2']);
      expect(stopped).toBe(
        'deleted 3 pods (ovn-kubernetes, app=ovnkube-node): ovnkube-node-0, ovnkube-node-1, ovnkube-node-2',
      );
      expect(cluster.pods.map((p) => p.metadata.name)).not.toContain('ovnkube-node-0');
      const started = await pods.start();
      expect(started).toBe('3 new pods Ready: ovnkube-node-3, ovnkube-node-4, ovnkube-node-5');
      expect(new Set(cluster.selectors)).toEqual(new Set([CONTROLLER_POD_SELECTOR]));
    } finally {
      restore();
    }
  });

  it('fails in one line when no new pod comes back Ready in time', async () => {
    const cluster = new DaemonSetCluster(2, 1, 2, false);
    const { pods, restore } = restart(cluster, { gone: 60_000, ready: 10_000 });
    try {
      await pods.stop();
      await expect(pods.start()).rejects.toThrow(
        /^0 of 2 new controller pods \(ovn-kubernetes, app=ovnkube-node\) Ready after 10 s$/,
      );
    } finally {
      restore();
    }
  });

  it('refuses when there is no controller pod to restart', async () => {
    const cluster = new DaemonSetCluster(0);
    const { pods, restore } = restart(cluster);
    try {
      await expect(pods.stop()).rejects.toThrow(
        'no pods labelled app=ovnkube-node in namespace ovn-kubernetes: cannot restart the EgressService controllers',
      );
    } finally {
      restore();
    }
  });
});
