/**
 * The ledger: every object a run creates is recorded by uid as it is created, cleanup and `down`
 * delete by name with the uid as a precondition, never by label, and a namespace only if the run
 * created it. No Kubernetes API server runs on this machine: these tests drive the real
 * KubeClient and the existing provider's `down` over an in-memory object API with uids and delete
 * preconditions (test/support/fake-object-api.ts), and the runner over the recording environment.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../harness/common/log.js';
import { type KubeObject, RUN_LABEL } from '../../harness/env/environment.js';
import { createExistingProvider } from '../../harness/env/existing/provider.js';
import { parseExistingSettings } from '../../harness/env/existing/settings.js';
import { KubeClient } from '../../harness/k8s/client.js';
import { Ledger, readLedgers } from '../../harness/k8s/ledger.js';
import { LedgeredCluster } from '../../harness/run/ledgered-cluster.js';
import { fakeObjectApi, keyOf } from '../support/fake-object-api.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-ledger-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const eip = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'k8s.ovn.org/v1',
  kind: 'EgressIP',
  metadata: { name, labels },
  spec: { egressIPs: ['192.0.2.5'] },
});
const configMap = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels: { [RUN_LABEL]: 'r1' } },
});

describe('the ledgered cluster a test writes through', () => {
  it('records each creation by uid, before and after, and deletes with the uid as precondition', async () => {
    const { api, calls } = fakeObjectApi();
    const ledger = await Ledger.open('r1', join(dir, 'a'));
    const cluster = new LedgeredCluster(new KubeClient(api, { sleep: async () => {} }), ledger, 'ec-r1-t-v4');
    await cluster.createNamespace('ec-r1-t-v4', { [RUN_LABEL]: 'r1' });
    await cluster.apply(configMap('cm', 'ec-r1-t-v4'));
    const events = (await readLedgers(join(dir, 'a')))[0]?.events ?? [];
    expect(events.map((e) => e.op)).toEqual(['creating', 'created', 'creating', 'created']);
    expect(events[1]?.uid).toMatch(/^[0-9a-f-]{36}$/);
    await cluster.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ec-r1-t-v4', name: 'cm' });
    await cluster.deleteNamespace('ec-r1-t-v4', 1000);
    expect(calls.filter((c) => c.startsWith('delete'))).toEqual([
      `delete v1/ConfigMap/ec-r1-t-v4/cm uid=${ledger.lookup({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ec-r1-t-v4', name: 'cm' })?.uid}`,
      expect.stringMatching(/^delete v1\/Namespace\/\/ec-r1-t-v4 uid=[0-9a-f-]{36}$/),
    ]);
    await ledger.closeIfEmpty();
    expect(await readdir(join(dir, 'a'))).toEqual([]);
  });

  it('refuses to take over, patch or delete an object it did not create, and never deletes a namespace it did not create', async () => {
    const { api, store, put } = fakeObjectApi();
    put(eip('ec-fixed-eip'));
    put(ns('kube-system'));
    const before = structuredClone([...store.values()]);
    const ledger = await Ledger.open('r1');
    const cluster = new LedgeredCluster(new KubeClient(api), ledger, 'ec-r1-t-v4');
    await expect(cluster.apply(eip('ec-fixed-eip', { mine: 'yes' }))).rejects.toThrow(
      'EgressIP ec-fixed-eip already exists and this run did not create it: left alone',
    );
    await expect(cluster.createNamespace('kube-system', {})).rejects.toThrow(/already exists/);
    await expect(
      cluster.patch({ apiVersion: 'k8s.ovn.org/v1', kind: 'EgressIP', name: 'ec-fixed-eip' }, { spec: {} }),
    ).rejects.toThrow(/not created by this run/);
    await cluster.delete({ apiVersion: 'k8s.ovn.org/v1', kind: 'EgressIP', name: 'ec-fixed-eip' });
    await cluster.deleteNamespace('kube-system', 1000);
    expect([...store.values()]).toEqual(before);
  });

  it("patches and deletes (by its current uid) a controller's object in a namespace it created, none in another", async () => {
    const { api, put, calls } = fakeObjectApi();
    const ledger = await Ledger.open('r1');
    const cluster = new LedgeredCluster(new KubeClient(api, { sleep: async () => {} }), ledger, 'ec-r1-t-v4');
    await cluster.createNamespace('ec-r1-t-v4', { [RUN_LABEL]: 'r1' });
    // A Deployment's pod: made by its controller, never by the run; and a user's pod elsewhere.
    put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-abc', namespace: 'ec-r1-t-v4' } });
    put(ns('team-a'));
    put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'team-a' } });
    const pod = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Pod', namespace, name });
    await cluster.patch(pod('ec-r1-t-v4', 'web-abc'), { metadata: { labels: { app: 'web' } } });
    expect((await cluster.get(pod('ec-r1-t-v4', 'web-abc')))?.metadata.labels).toEqual({ app: 'web' });
    await expect(cluster.patch(pod('team-a', 'db'), { metadata: { labels: { a: 'b' } } })).rejects.toThrow(
      'Pod team-a/db was not created by this run: not patched',
    );
    const uid = (await cluster.get(pod('ec-r1-t-v4', 'web-abc')))?.metadata.uid;
    await cluster.delete(pod('ec-r1-t-v4', 'web-abc'));
    await cluster.delete(pod('team-a', 'db'));
    expect(calls.filter((c) => c.startsWith('delete'))).toEqual([
      `delete v1/Pod/ec-r1-t-v4/web-abc uid=${uid}`,
    ]);
    expect(await cluster.get(pod('team-a', 'db'))).toBeDefined();
  });
});

describe('down on an existing cluster after a killed run', () => {
  it('removes exactly what the ledger recorded, by uid; a user object that took a name since, labelled namespaces and unrecorded objects stay', async () => {
    const { api, store, put, calls } = fakeObjectApi();
    const client = new KubeClient(api, { sleep: async () => {} });
    const home = join(dir, 'home');
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "https://api.example.test:6443" } }]\nusers: [{ name: u, user: { token: t0k3n-value } }]\ncontexts: [{ name: prod, context: { cluster: c, user: u } }]\ncurrent-context: prod\n',
    );
    const settings = parseExistingSettings({
      kubeconfig,
      peer: { mode: 'host', ssh: 'ops@peer', addresses: { ipv4: '192.0.2.10' }, asn: 64500 },
    });
    const provider = createExistingProvider({
      home,
      client: () => client,
      runner: { run: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false }) },
    });
    // A user's objects, among them a namespace that carries the run label (anyone can put it there).
    put(ns('kube-system'));
    put(ns('team-a', { [RUN_LABEL]: 'r1' }));
    put(eip('user-eip', { [RUN_LABEL]: 'r1' }));
    // The run, killed before its cleanup: it records under the environment's state dir.
    const id = (
      await provider.status({
        runId: 'x',
        keep: false,
        settings,
        log: silentLogger(),
        signal: new AbortController().signal,
      })
    )[0]?.id as string;
    const ledgerDir = join(home, '.cache', 'egress-conformance', 'existing', id, 'ledger');
    const ledger = await Ledger.open('r1', ledgerDir);
    const cluster = new LedgeredCluster(client, ledger, 'ec-r1-t-v4');
    await cluster.createNamespace('ec-r1-t-v4', { [RUN_LABEL]: 'r1' });
    await cluster.apply(configMap('cm', 'ec-r1-t-v4'));
    await cluster.apply(eip('ecr10v4-eip'));
    await cluster.apply(eip('ecr11v4-eip'));
    // ... one of its objects was deleted and a user's object of that name made since ...
    store.delete(keyOf(eip('ecr11v4-eip')));
    put(eip('ecr11v4-eip', { owner: 'user' }));
    // ... and it was killed between recording an object and creating it.
    await ledger.record(
      'creating',
      { apiVersion: 'k8s.ovn.org/v1', kind: 'EgressIP', name: 'ecr12v4-eip' },
      'ec-r1-t-v4',
    );

    const { removed } = await provider.down({
      runId: 'd',
      keep: false,
      settings,
      log: silentLogger(),
      signal: new AbortController().signal,
      all: false,
    });
    expect(removed.slice(1)).toEqual([
      'EgressIP ecr10v4-eip',
      'ConfigMap ec-r1-t-v4/cm',
      'Namespace ec-r1-t-v4',
    ]);
    expect([...store.keys()].sort()).toEqual(
      [
        keyOf(ns('kube-system')),
        keyOf(ns('team-a')),
        keyOf(eip('user-eip')),
        keyOf(eip('ecr11v4-eip')),
      ].sort(),
    );
    expect(store.get(keyOf(eip('ecr11v4-eip')))?.metadata.labels).toEqual({ owner: 'user' });
    // Every delete named its uid; none went by label selector.
    const deletes = calls.filter((c) => c.startsWith('delete'));
    expect(deletes.every((c) => / uid=[0-9a-f-]{36}$/.test(c))).toBe(true);
    expect(calls.some((c) => c.includes('selector=egress'))).toBe(false);
    expect(await readdir(ledgerDir)).toEqual([]);
    expect(await readFile(kubeconfig, 'utf8')).toContain('t0k3n-value');
  });
});
