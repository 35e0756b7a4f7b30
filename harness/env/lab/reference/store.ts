/**
 * The reference lab's API server: Kubernetes objects kept in memory, with the create/update/
 * delete semantics the scenarios rely on (namespaced names, merge patch, cascading namespace
 * deletion) and a change counter the controllers reconcile against.
 */
import { mergePatch } from '../../../common/merge-patch.js';
import type { KubeObject, ObjectRef } from '../../environment.js';

export function objectKey(ref: ObjectRef): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

function refOf(object: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
  if (object.metadata.namespace !== undefined) ref.namespace = object.metadata.namespace;
  return ref;
}

function matchesSelector(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key = '', value] = term.split('=');
    return value === undefined ? Object.hasOwn(labels ?? {}, key) : labels?.[key] === value;
  });
}

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private version = 0;
  private readonly listeners: Array<() => void> = [];

  /** Called after every change, so controllers can reconcile. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  get generation(): number {
    return this.version;
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }

  /** Create or replace; the status of an existing object is kept (it belongs to controllers). */
  apply(object: KubeObject): KubeObject {
    const key = objectKey(refOf(object));
    const existing = this.objects.get(key);
    const stored = structuredClone(object);
    stored.metadata.uid ??=
      existing?.metadata.uid ?? `uid-${this.version}-${Math.random().toString(36).slice(2, 8)}`;
    stored.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? new Date().toISOString();
    if (existing?.status !== undefined && stored.status === undefined) stored.status = existing.status;
    this.objects.set(key, stored);
    this.changed();
    return stored;
  }

  patch(ref: ObjectRef, patch: Record<string, unknown>): KubeObject {
    const existing = this.objects.get(objectKey(ref));
    if (!existing)
      throw new Error(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} not found`);
    const patched = mergePatch(existing, patch) as KubeObject;
    this.objects.set(objectKey(ref), patched);
    this.changed();
    return patched;
  }

  /** Controllers write status without bumping interest in the spec. */
  setStatus(ref: ObjectRef, status: unknown): void {
    const existing = this.objects.get(objectKey(ref));
    if (!existing) return;
    if (JSON.stringify(existing.status) === JSON.stringify(status)) return;
    existing.status = structuredClone(status);
    this.changed();
  }

  delete(ref: ObjectRef): boolean {
    const removed = this.objects.delete(objectKey(ref));
    if (ref.kind === 'Namespace') {
      for (const [key, object] of this.objects)
        if (object.metadata.namespace === ref.name) this.objects.delete(key);
    }
    if (removed || ref.kind === 'Namespace') this.changed();
    return removed;
  }

  get(ref: ObjectRef): KubeObject | undefined {
    const object = this.objects.get(objectKey(ref));
    return object ? structuredClone(object) : undefined;
  }

  /** Objects of a kind (any apiVersion), optionally in one namespace and matching a label selector. */
  list(kind: string, namespace?: string, labelSelector?: string): KubeObject[] {
    return [...this.objects.values()]
      .filter(
        (o) =>
          o.kind === kind &&
          (namespace === undefined || o.metadata.namespace === namespace) &&
          matchesSelector(o.metadata.labels, labelSelector),
      )
      .map((o) => structuredClone(o));
  }
}
