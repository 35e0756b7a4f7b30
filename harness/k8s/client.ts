/**
 * The Kubernetes API the scenarios need (ClusterApi), over @kubernetes/client-node's generic
 * KubernetesObjectApi: apply = server-side apply (falling back to create-or-replace on API
 * servers without it), patch = JSON merge patch, delete tolerant of NotFound, list with label
 * selectors, namespace deletion that waits until the namespace is gone, node labels.
 *
 * The object API is injected (`ObjectApi`), so that the behaviour around it (NotFound, fallbacks,
 * waiting) is tested against an in-memory fake; `KubeClient.fromKubeconfig` wires the real one.
 */
import { type KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type {
  ClusterApi,
  DeleteOptions,
  FamilyAddresses,
  KubeObject,
  NodeInfo,
  ObjectRef,
} from '../env/environment.js';

/** Field manager the harness applies objects with (server-side apply ownership). */
export const FIELD_MANAGER = 'egress-conformance';

/** The subset of KubernetesObjectApi this client uses (structurally; the real class fits). */
export interface ObjectApi {
  create(spec: KubeObject): Promise<unknown>;
  patch(
    spec: KubeObject | Record<string, unknown>,
    pretty?: string,
    dryRun?: string,
    fieldManager?: string,
    force?: boolean,
    patchStrategy?: PatchStrategy,
  ): Promise<unknown>;
  read(spec: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
  }): Promise<unknown>;
  replace(spec: KubeObject): Promise<unknown>;
  delete(
    spec: {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace?: string };
    },
    pretty?: string,
    dryRun?: string,
    gracePeriodSeconds?: number,
    orphanDependents?: boolean,
    propagationPolicy?: string,
    body?: { preconditions?: { uid?: string } },
  ): Promise<unknown>;
  list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    pretty?: string,
    exact?: boolean,
    exportt?: boolean,
    fieldSelector?: string,
    labelSelector?: string,
  ): Promise<{ items: unknown[] }>;
}

function statusCode(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; statusCode?: unknown; body?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (
    typeof e.body === 'object' &&
    e.body !== null &&
    typeof (e.body as { code?: unknown }).code === 'number'
  ) {
    return (e.body as { code: number }).code;
  }
  if (typeof e.body === 'string') {
    try {
      const parsed = JSON.parse(e.body) as { code?: unknown };
      if (typeof parsed.code === 'number') return parsed.code;
    } catch {
      // not JSON
    }
  }
  return undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCode(error) === 404;
}

/** 409 Conflict: on a delete with a uid precondition, the object of that name is another one. */
function isConflict(error: unknown): boolean {
  return statusCode(error) === 409;
}

/** 415 Unsupported Media Type: the server does not take application/apply-patch+yaml. */
function isApplyUnsupported(error: unknown): boolean {
  return statusCode(error) === 415;
}

function header(ref: ObjectRef) {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  };
}

export function refOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  };
}

/** InternalIP addresses per family, and the Ready condition, as the harness describes nodes. */
export function nodeInfoOf(node: KubeObject): NodeInfo {
  const status = (node.status ?? {}) as {
    addresses?: Array<{ type?: string; address?: string }>;
    conditions?: Array<{ type?: string; status?: string }>;
  };
  const addresses: FamilyAddresses = {};
  for (const a of status.addresses ?? []) {
    if (a.type !== 'InternalIP' || !a.address) continue;
    const family = a.address.includes(':') ? 'ipv6' : 'ipv4';
    addresses[family] ??= a.address;
  }
  const ready = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    name: node.metadata.name,
    addresses,
    networkAddresses: {},
    labels: { ...(node.metadata.labels ?? {}) },
    ready,
  };
}

export interface KubeClientOptions {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class KubeClient implements ClusterApi {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly api: ObjectApi,
    options: KubeClientOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
  }

  static fromKubeconfig(kubeConfig: KubeConfig, options: KubeClientOptions = {}): KubeClient {
    return new KubeClient(KubernetesObjectApi.makeApiClient(kubeConfig) as unknown as ObjectApi, options);
  }

  async createNamespace(name: string, labels: Record<string, string>): Promise<void> {
    await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }

  async deleteNamespace(name: string, timeoutMs: number, options: DeleteOptions = {}): Promise<void> {
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name };
    await this.delete(ref, options);
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const current = await this.get(ref);
      // Gone, or a namespace of that name that is not the one deleted.
      if (current === undefined || (options.uid && current.metadata.uid !== options.uid)) break;
      if (this.now() >= deadline) {
        throw new Error(`namespace ${name} still exists ${Math.round(timeoutMs / 1000)}s after its deletion`);
      }
      await this.sleep(1000);
    }
  }

  async apply(object: KubeObject): Promise<void> {
    // Server-side apply needs no managedFields/resourceVersion from the caller.
    const body = structuredClone(object);
    delete (body.metadata as Record<string, unknown>).resourceVersion;
    delete (body.metadata as Record<string, unknown>).managedFields;
    try {
      await this.api.patch(body, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      if (!isApplyUnsupported(error)) throw error;
      await this.createOrReplace(body);
    }
  }

  /** For API servers without server-side apply: create, or replace the current version. */
  async createOrReplace(object: KubeObject): Promise<void> {
    const current = (await this.get(refOf(object))) as KubeObject | undefined;
    if (!current) {
      await this.api.create(object);
      return;
    }
    const resourceVersion = (current.metadata as { resourceVersion?: string }).resourceVersion;
    await this.api.replace({ ...object, metadata: { ...object.metadata, resourceVersion } });
  }

  async patch(ref: ObjectRef, patch: Record<string, unknown>): Promise<void> {
    // The patch's own metadata (labels, annotations) stays; name and namespace locate the object.
    const target = header(ref);
    const body = {
      ...patch,
      apiVersion: target.apiVersion,
      kind: target.kind,
      metadata: { ...((patch.metadata as Record<string, unknown> | undefined) ?? {}), ...target.metadata },
    };
    await this.api.patch(body, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<void> {
    // With a uid, the API server deletes only that object (DeleteOptions.preconditions.uid): a
    // user's object that took the name since is answered with 409 and left alone.
    const body = options.uid ? { preconditions: { uid: options.uid } } : undefined;
    try {
      await this.api.delete(header(ref), undefined, undefined, undefined, undefined, undefined, body);
    } catch (error) {
      if (isNotFound(error) || (options.uid && isConflict(error))) return;
      throw error;
    }
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.api.read(header(ref))) as KubeObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const result = await this.api.list(
      apiVersion,
      kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
    );
    return result.items as KubeObject[];
  }

  async labelNode(node: string, key: string, value: string | null): Promise<void> {
    await this.patch(
      { apiVersion: 'v1', kind: 'Node', name: node },
      { metadata: { labels: { [key]: value } } },
    );
  }

  async nodes(): Promise<NodeInfo[]> {
    const nodes = await this.list('v1', 'Node');
    return nodes.map(nodeInfoOf).sort((a, b) => a.name.localeCompare(b.name));
  }
}
