/** The client wrapper's behaviour around the API, against an in-memory object API. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../harness/env/environment.js';
import { KubeClient, nodeInfoOf, type ObjectApi } from '../../harness/k8s/client.js';
import { KubeconfigError, kubeconfigPath, loadKubeconfig } from '../../harness/k8s/kubeconfig.js';

type Key = string;
const keyOf = (o: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): Key => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function fakeApi(options: { noApply?: boolean; deleteLingers?: number } = {}) {
  const store = new Map<Key, KubeObject>();
  const calls: string[] = [];
  let lingering = 0;
  const notFound = () => Object.assign(new Error('not found'), { code: 404 });
  const api: ObjectApi = {
    async create(spec) {
      calls.push(`create ${keyOf(spec)}`);
      store.set(keyOf(spec), { ...spec, metadata: { ...spec.metadata, resourceVersion: '1' } });
      return spec;
    },
    async patch(spec, _p, _d, fieldManager, force, strategy) {
      const s = spec as KubeObject;
      calls.push(`patch ${strategy} ${fieldManager} ${force ?? ''} ${keyOf(s)}`);
      if (strategy === 'application/apply-patch+yaml') {
        if (options.noApply) throw Object.assign(new Error('unsupported'), { code: 415 });
        store.set(keyOf(s), s);
        return s;
      }
      const current = store.get(keyOf(s));
      if (!current) throw notFound();
      const labels = { ...(current.metadata.labels ?? {}) };
      for (const [k, v] of Object.entries(
        (s.metadata as { labels?: Record<string, string | null> }).labels ?? {},
      )) {
        if (v === null) delete labels[k];
        else labels[k] = v;
      }
      store.set(keyOf(s), { ...current, metadata: { ...current.metadata, labels } });
      return current;
    },
    async read(spec) {
      const found = store.get(keyOf(spec));
      if (!found) throw notFound();
      return found;
    },
    async replace(spec) {
      calls.push(
        `replace ${keyOf(spec)} rv=${(spec.metadata as { resourceVersion?: string }).resourceVersion}`,
      );
      store.set(keyOf(spec), spec);
      return spec;
    },
    async delete(spec) {
      calls.push(`delete ${keyOf(spec)}`);
      if (!store.has(keyOf(spec)))
        throw Object.assign(new Error('gone'), { body: JSON.stringify({ code: 404 }) });
      if (options.deleteLingers && lingering++ < options.deleteLingers) return {};
      store.delete(keyOf(spec));
      return {};
    },
    async list(apiVersion, kind, namespace, _p, _e, _x, _f, labelSelector) {
      calls.push(`list ${apiVersion}/${kind} ns=${namespace ?? ''} selector=${labelSelector ?? ''}`);
      return { items: [...store.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind) };
    },
  };
  return { api, store, calls };
}

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' } };

describe('KubeClient', () => {
  it('applies with server-side apply under its field manager, and falls back to create-or-replace', async () => {
    const ssa = fakeApi();
    await new KubeClient(ssa.api).apply(pod);
    expect(ssa.calls).toEqual(['patch application/apply-patch+yaml egress-conformance true v1/Pod/ns/p']);
    const old = fakeApi({ noApply: true });
    const client = new KubeClient(old.api);
    await client.apply(pod);
    await client.apply(pod);
    expect(old.calls.filter((c) => !c.startsWith('patch'))).toEqual([
      'create v1/Pod/ns/p',
      'replace v1/Pod/ns/p rv=1',
    ]);
  });

  it('tolerates deleting what is not there, and get answers undefined for it', async () => {
    const { api } = fakeApi();
    const client = new KubeClient(api);
    await expect(
      client.delete({ apiVersion: 'v1', kind: 'Pod', name: 'missing', namespace: 'ns' }),
    ).resolves.toBeUndefined();
    expect(
      await client.get({ apiVersion: 'v1', kind: 'Pod', name: 'missing', namespace: 'ns' }),
    ).toBeUndefined();
  });

  it('waits until a deleted namespace is gone, and gives up at the timeout', async () => {
    const { api } = fakeApi({ deleteLingers: 3 });
    let now = 0;
    const sleep = async (ms: number) => {
      now += ms;
    };
    const client = new KubeClient(api, { sleep, now: () => now });
    await client.createNamespace('ns1', { a: 'b' });
    // The fake deletes on the 4th call; deleteNamespace only deletes once, so it must time out.
    await expect(client.deleteNamespace('ns1', 5000)).rejects.toThrow(/still exists 5s after/);
    const quick = fakeApi();
    const c2 = new KubeClient(quick.api, { sleep: async () => undefined });
    await c2.createNamespace('ns2', {});
    await expect(c2.deleteNamespace('ns2', 5000)).resolves.toBeUndefined();
  });

  it('lists with label selectors, patches by merge patch, sets and removes node labels', async () => {
    const { api, calls, store } = fakeApi();
    const client = new KubeClient(api);
    await client.list('v1', 'Pod', 'ns', 'app=web');
    expect(calls.at(-1)).toBe('list v1/Pod ns=ns selector=app=web');
    await client.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { keep: 'x' } } });
    await client.labelNode('n1', 'egress-service.k8s.ovn.org/ns-web', '');
    expect(store.get('v1/Node//n1')?.metadata.labels).toEqual({
      keep: 'x',
      'egress-service.k8s.ovn.org/ns-web': '',
    });
    await client.labelNode('n1', 'egress-service.k8s.ovn.org/ns-web', null);
    expect(store.get('v1/Node//n1')?.metadata.labels).toEqual({ keep: 'x' });
    expect(calls.filter((c) => c.startsWith('patch application/merge-patch+json'))).toHaveLength(2);
  });

  it('describes nodes by InternalIP per family and the Ready condition', () => {
    const info = nodeInfoOf({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'w', labels: { a: 'b' } },
      status: {
        addresses: [
          { type: 'Hostname', address: 'w' },
          { type: 'InternalIP', address: '10.212.0.3' },
          { type: 'InternalIP', address: 'fd65:6563:1::3' },
        ],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    expect(info).toEqual({
      name: 'w',
      addresses: { ipv4: '10.212.0.3', ipv6: 'fd65:6563:1::3' },
      networkAddresses: {},
      labels: { a: 'b' },
      ready: true,
    });
  });
});

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: { server: "https://10.0.0.1:6443", certificate-authority-data: "Q0EtREFUQS1TRUNSRVQ=" }
users:
- name: u1
  user: { token: "tok-SECRET-123" }
contexts:
- name: ctx1
  context: { cluster: c1, user: u1 }
- name: broken
  context: { cluster: nowhere, user: u1 }
current-context: ctx1
`;

describe('kubeconfig selection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ec-kc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config');
  writeFileSync(file, KUBECONFIG);

  it('finds the file like kubectl: explicit path, then $KUBECONFIG, then ~/.kube/config', () => {
    expect(kubeconfigPath({ path: '~/k' }, {}, '/home/u')).toBe('/home/u/k');
    expect(kubeconfigPath({}, { KUBECONFIG: ':/a/one:/a/two' }, '/home/u')).toBe('/a/one');
    expect(kubeconfigPath({}, {}, '/home/u')).toBe('/home/u/.kube/config');
  });

  it('selects the current context or the named one', () => {
    const loaded = loadKubeconfig({ path: file });
    expect([loaded.context, loaded.server]).toEqual(['ctx1', 'https://10.0.0.1:6443']);
    expect(loadKubeconfig({ path: file, context: 'ctx1' }).kubeConfig.getCurrentContext()).toBe('ctx1');
  });

  it('says what is wrong, without the file content', () => {
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected an error');
    };
    const missing = error(() => loadKubeconfig({ path: join(dir, 'nope') }));
    expect(missing).toBeInstanceOf(KubeconfigError);
    expect(missing.message).toMatch(/no such file/);
    const noContext = error(() => loadKubeconfig({ path: file, context: 'other' }));
    expect(noContext.message).toBe(`kubeconfig ${file}: no context "other" (contexts: ctx1, broken)`);
    const broken = error(() => loadKubeconfig({ path: file, context: 'broken' }));
    expect(broken.message).toMatch(/names cluster "nowhere"/);
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, 'token: tok-SECRET-123\n: : :\n');
    const bad = error(() => loadKubeconfig({ path: garbage }));
    for (const e of [missing, noContext, broken, bad]) expect(e.message).not.toContain('SECRET');
  });
});
