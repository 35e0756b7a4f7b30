/**
 * The cluster as one test sees it: every write goes through the run's ledger (ledger.ts).
 *
 * - `createNamespace` refuses a namespace that already exists, and records the one it creates;
 * - `apply` of an object the run has not recorded refuses one that already exists (it would be
 *   someone else's: server-side apply would take it over and cleanup would then delete it), and
 *   records the uid of the one it creates;
 * - `patch` touches only what the run recorded, or an object inside a namespace the run created
 *   (a Deployment's pods: the run made their namespace, its controller made them);
 * - `delete` and `deleteNamespace` delete only what the run recorded, or an object inside a
 *   namespace it created, with the uid as a precondition; a Node (the `removeNode` step, guarded there by an earlier `failNode`) is the one
 *   object deleted that the run did not create.
 *
 * Reads and node labels pass through (node labels are restored by the test's cleanup).
 */
import type { ClusterApi, KubeObject, NodeInfo, ObjectRef } from '../env/environment.js';
import type { Ledger } from '../k8s/ledger.js';
import { refOf } from './objects.js';

function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function uidOf(object: KubeObject | undefined): string | undefined {
  const uid = object?.metadata.uid;
  return typeof uid === 'string' && uid.length > 0 ? uid : undefined;
}

export class LedgeredCluster implements ClusterApi {
  constructor(
    private readonly inner: ClusterApi,
    private readonly ledger: Ledger,
    /** The test (its namespace) the writes belong to. */
    private readonly test: string,
  ) {}

  private async created(ref: ObjectRef): Promise<void> {
    const uid = uidOf(await this.inner.get(ref).catch(() => undefined));
    await this.ledger.record('created', ref, this.test, uid);
  }

  async createNamespace(name: string, labels: Record<string, string>): Promise<void> {
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name };
    if (await this.inner.get(ref)) {
      throw new Error(`namespace ${name} already exists; a run only uses namespaces it creates`);
    }
    await this.ledger.record('creating', ref, this.test);
    await this.inner.createNamespace(name, labels);
    await this.created(ref);
  }

  async deleteNamespace(name: string, timeoutMs: number): Promise<void> {
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name };
    const record = this.ledger.lookup(ref);
    if (!record || record.state === 'deleted') return;
    await this.inner.deleteNamespace(name, timeoutMs, record.uid ? { uid: record.uid } : {});
    await this.ledger.record('deleted', ref, this.test, record.uid);
  }

  async apply(object: KubeObject): Promise<void> {
    const ref = refOf(object);
    const record = this.ledger.lookup(ref);
    if (!record && (await this.inner.get(ref))) {
      throw new Error(`${describeRef(ref)} already exists and this run did not create it: left alone`);
    }
    if (!record || record.state === 'deleted') await this.ledger.record('creating', ref, this.test);
    await this.inner.apply(object);
    await this.created(ref);
  }

  /** Whether the object lives in a namespace this run created and has not deleted. */
  private inOwnNamespace(ref: ObjectRef): boolean {
    if (ref.namespace === undefined) return false;
    const namespace = this.ledger.lookup({ apiVersion: 'v1', kind: 'Namespace', name: ref.namespace });
    return namespace !== undefined && namespace.state !== 'deleted';
  }

  async patch(ref: ObjectRef, patch: Record<string, unknown>): Promise<void> {
    const record = this.ledger.lookup(ref);
    if ((!record || record.state === 'deleted') && !this.inOwnNamespace(ref)) {
      throw new Error(`${describeRef(ref)} was not created by this run: not patched`);
    }
    await this.inner.patch(ref, patch);
  }

  async delete(ref: ObjectRef): Promise<void> {
    if (ref.kind === 'Node' && ref.apiVersion === 'v1') {
      await this.inner.delete(ref);
      return;
    }
    const record = this.ledger.lookup(ref);
    if (!record || record.state === 'deleted') {
      if (!this.inOwnNamespace(ref)) return;
      // Made by a controller in the run's namespace (a Deployment's pod): deleted as it is now.
      const object = await this.inner.get(ref);
      const uid = uidOf(object);
      if (object) await this.inner.delete(ref, uid ? { uid } : {});
      return;
    }
    await this.inner.delete(ref, record.uid ? { uid: record.uid } : {});
    await this.ledger.record('deleted', ref, this.test, record.uid);
  }

  get(ref: ObjectRef): Promise<KubeObject | undefined> {
    return this.inner.get(ref);
  }

  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    return this.inner.list(apiVersion, kind, namespace, labelSelector);
  }

  labelNode(node: string, key: string, value: string | null): Promise<void> {
    return this.inner.labelNode(node, key, value);
  }

  nodes(): Promise<NodeInfo[]> {
    return this.inner.nodes();
  }
}
