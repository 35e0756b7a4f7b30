/**
 * An in-memory stand-in for the Kubernetes object API (the part KubeClient uses), with what the
 * ledger relies on: a uid and creationTimestamp per object, 404 for a missing object, and delete
 * preconditions (`preconditions.uid`) answered with 409 when the object of that name is another
 * one. No API server runs on this machine; this is not one, and the tests that use it say so.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../harness/env/environment.js';
import type { ObjectApi } from '../../harness/k8s/client.js';

type Header = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

export const keyOf = (o: Header): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function status(code: number, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export function fakeObjectApi() {
  const store = new Map<string, KubeObject>();
  const calls: string[] = [];
  const put = (object: KubeObject): KubeObject => {
    const current = store.get(keyOf(object));
    const stored = structuredClone(object);
    stored.metadata.uid = current?.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp = current?.metadata.creationTimestamp ?? new Date().toISOString();
    store.set(keyOf(object), stored);
    return structuredClone(stored);
  };
  const api: ObjectApi = {
    async create(spec) {
      calls.push(`create ${keyOf(spec)}`);
      if (store.has(keyOf(spec))) throw status(409, 'already exists');
      return put(spec);
    },
    async patch(spec, _p, _d, _fm, _force, strategy) {
      const s = spec as KubeObject;
      calls.push(`patch ${keyOf(s)}`);
      if (strategy === 'application/apply-patch+yaml') return put(s);
      const current = store.get(keyOf(s));
      if (!current) throw status(404, 'not found');
      const merged = { ...current, ...s, metadata: { ...current.metadata, ...s.metadata } };
      return put(merged as KubeObject);
    },
    async read(spec) {
      const found = store.get(keyOf(spec));
      if (!found) throw status(404, 'not found');
      return structuredClone(found);
    },
    async replace(spec) {
      calls.push(`replace ${keyOf(spec)}`);
      return put(spec);
    },
    async delete(spec, _p, _d, _g, _o, _pp, body) {
      const found = store.get(keyOf(spec));
      const uid = body?.preconditions?.uid;
      calls.push(`delete ${keyOf(spec)}${uid ? ` uid=${uid}` : ''}`);
      if (!found) throw status(404, 'not found');
      if (uid && found.metadata.uid !== uid) throw status(409, 'Precondition failed: UID in precondition');
      store.delete(keyOf(spec));
      if (spec.kind === 'Namespace') {
        for (const [key, object] of store)
          if (object.metadata.namespace === spec.metadata.name) store.delete(key);
      }
      return {};
    },
    async list(apiVersion, kind, namespace) {
      return {
        items: [...store.values()].filter(
          (o) =>
            o.apiVersion === apiVersion &&
            o.kind === kind &&
            (!namespace || o.metadata.namespace === namespace),
        ),
      };
    },
  };
  return { api, store, calls, put };
}
