/**
 * The Kubernetes API of the reference implementation: the ClusterApi interface over the in-memory store,
 * with the controller's view of node readiness. Writes return at once and the controller
 * follows, as on a real cluster; scenarios wait for what they need. Deleting a namespace waits
 * until the controller has removed its pods from the nodes.
 */
import type { ClusterApi, KubeObject, NodeInfo, ObjectRef } from '../../environment.js';
import type { ReferenceController } from './controller.js';
import type { ClusterLayout } from './machines.js';
import type { ObjectStore } from './store.js';

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace' } as const;

export class ReferenceClusterApi implements ClusterApi {
  constructor(
    private readonly layout: ClusterLayout,
    private readonly store: ObjectStore,
    private readonly controller: ReferenceController,
  ) {}

  async createNamespace(name: string, labels: Record<string, string>): Promise<void> {
    if (this.store.get({ ...NAMESPACE, name })) throw new Error(`namespace ${name} already exists`);
    this.store.apply({ ...NAMESPACE, metadata: { name, labels } });
  }

  async deleteNamespace(name: string, timeoutMs: number): Promise<void> {
    this.store.delete({ ...NAMESPACE, name });
    // Its pods' network namespaces go in the next reconcile; wait for that, within the bound.
    await Promise.race([
      this.controller.namespaceSettled(name),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`namespace ${name} not gone within ${timeoutMs}ms`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
  }

  private requireNamespace(object: { metadata: { namespace?: string } } | ObjectRef): void {
    const namespace = 'metadata' in object ? object.metadata.namespace : object.namespace;
    if (namespace && !this.store.get({ ...NAMESPACE, name: namespace })) {
      throw new Error(`namespace ${namespace} not found`);
    }
  }

  async apply(object: KubeObject): Promise<void> {
    if (object.kind === 'Namespace') {
      this.store.apply(object);
      return;
    }
    if (object.metadata.namespace === undefined && object.kind !== 'Node') {
      throw new Error(`${object.kind} ${object.metadata.name} needs metadata.namespace`);
    }
    this.ensureSystemNamespace(object.metadata.namespace);
    this.requireNamespace(object);
    this.store.apply(object);
  }

  /** MetalLB's namespace exists in the lab as it does on a cluster with MetalLB installed. */
  private ensureSystemNamespace(namespace: string | undefined): void {
    if (namespace === 'metallb-system' && !this.store.get({ ...NAMESPACE, name: namespace })) {
      this.store.apply({ ...NAMESPACE, metadata: { name: namespace } });
    }
  }

  async patch(ref: ObjectRef, patch: Record<string, unknown>): Promise<void> {
    this.store.patch(ref, patch);
  }

  async delete(ref: ObjectRef): Promise<void> {
    this.store.delete(ref);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    return this.store.get(ref);
  }

  async list(
    _apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    return this.store.list(kind, namespace, labelSelector);
  }

  async labelNode(node: string, key: string, value: string | null): Promise<void> {
    this.store.patch(
      { apiVersion: 'v1', kind: 'Node', name: node },
      { metadata: { labels: { [key]: value } } },
    );
  }

  async nodes(): Promise<NodeInfo[]> {
    const objects = new Map(this.store.list('Node').map((n) => [n.metadata.name, n]));
    // A removed node (its Node object deleted) is not part of the cluster until it registers again.
    return this.layout.nodes
      .filter((plan) => objects.has(plan.name))
      .map((plan) => ({
        name: plan.name,
        addresses: { ...plan.addresses },
        networkAddresses: structuredClone(plan.networkAddresses),
        labels: { ...(objects.get(plan.name)?.metadata.labels ?? {}) },
        ready: this.controller.isReady(plan.name),
      }));
  }
}
