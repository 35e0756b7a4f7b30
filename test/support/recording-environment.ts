/**
 * An Environment for testing the runner's own mechanics (ordering, namespaces, cleanup, skips,
 * timeouts): an in-memory object store that records every call, with a hook standing in for
 * the controllers. It has no data plane: its probes throw. `FakeEnvironment`
 * (fake-environment.ts) adds scripted captures, BGP tables and ingress answers for the runner's
 * judging.
 */
import type {
  BgpRoute,
  ClusterApi,
  Environment,
  EnvironmentDescription,
  IngressRequest,
  IngressResult,
  IpFamily,
  KubeObject,
  NodeInfo,
  ObjectRef,
  ProbeEvidence,
  ProbeRequest,
} from '../../harness/env/environment.js';

export function keyOf(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** An equality-based label selector (`a=b,c=d`), as the runner writes them. */
function matchesSelector(labels: Record<string, string>, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && labels[key] === value;
  });
}

/** RFC 7386 JSON merge patch, as the API server applies one: mappings merge, null removes a key. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete base[key];
    else base[key] = mergePatch(base[key], value);
  }
  return base;
}

export class RecordingEnvironment implements Environment {
  readonly calls: string[] = [];
  readonly objects = new Map<string, KubeObject>();
  readonly namespaces = new Set<string>();
  readonly nodeList: NodeInfo[];
  closed: { keep: boolean } | undefined;
  /** Called after every apply/patch, like a controller reacting to the change. */
  onChange: (env: RecordingEnvironment, object: KubeObject) => void = () => {};
  /** Called after every delete, like a controller reacting to it. */
  onDelete: (env: RecordingEnvironment, ref: ObjectRef) => void = () => {};

  constructor(readonly description: EnvironmentDescription) {
    this.nodeList = description.nodes.map((n) => ({ ...n, labels: { ...n.labels } }));
  }

  readonly cluster: ClusterApi = {
    createNamespace: async (name) => {
      this.calls.push(`createNamespace ${name}`);
      this.namespaces.add(name);
    },
    deleteNamespace: async (name) => {
      this.calls.push(`deleteNamespace ${name}`);
      this.namespaces.delete(name);
      for (const [key, object] of this.objects)
        if (object.metadata.namespace === name) this.objects.delete(key);
    },
    apply: async (object) => {
      const ref = {
        ...object,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
      } as ObjectRef;
      this.calls.push(`apply ${keyOf(ref)}`);
      const copy = structuredClone(object);
      this.objects.set(keyOf(ref), copy);
      this.onChange(this, copy);
    },
    patch: async (ref, patch) => {
      this.calls.push(`patch ${keyOf(ref)}`);
      const object = this.objects.get(keyOf(ref));
      if (!object) throw new Error(`${keyOf(ref)} not found`);
      const patched = mergePatch(object, patch) as KubeObject;
      this.objects.set(keyOf(ref), patched);
      this.onChange(this, patched);
    },
    delete: async (ref) => {
      this.calls.push(`delete ${keyOf(ref)}`);
      this.objects.delete(keyOf(ref));
      this.onDelete(this, ref);
    },
    get: async (ref) => structuredClone(this.objects.get(keyOf(ref))),
    list: async (_apiVersion, kind, namespace, labelSelector) =>
      [...this.objects.values()]
        .filter((o) => o.kind === kind && (!namespace || o.metadata.namespace === namespace))
        .filter((o) => matchesSelector(o.metadata.labels ?? {}, labelSelector))
        .map((o) => structuredClone(o)),
    labelNode: async (node, key, value) => {
      this.calls.push(`labelNode ${node} ${key}=${value ?? '<removed>'}`);
      const target = this.nodeList.find((n) => n.name === node);
      if (!target) throw new Error(`no node ${node}`);
      if (value === null) delete target.labels[key];
      else target.labels[key] = value;
    },
    nodes: async () => structuredClone(this.nodeList),
  };

  async describe(): Promise<EnvironmentDescription> {
    return this.description;
  }
  async probe(_request: ProbeRequest): Promise<ProbeEvidence> {
    throw new Error('the recording environment has no data plane');
  }
  async ingress(_request: IngressRequest): Promise<IngressResult> {
    throw new Error('the recording environment has no data plane');
  }
  async bgpRoutes(_peer: string, _family: IpFamily): Promise<BgpRoute[]> {
    return [];
  }
  async failNode(node: string): Promise<void> {
    this.calls.push(`failNode ${node}`);
  }
  async restoreNode(node: string): Promise<void> {
    this.calls.push(`restoreNode ${node}`);
  }
  async stopController(): Promise<string> {
    this.calls.push('stopController');
    return 'stopped';
  }
  async startController(): Promise<string> {
    this.calls.push('startController');
    return 'started';
  }
  async collectDiagnostics(namespace: string): Promise<void> {
    this.calls.push(`collectDiagnostics ${namespace}`);
  }
  async close(options: { keep: boolean }): Promise<void> {
    this.closed = options;
  }
}

export function testDescription(overrides: Partial<EnvironmentDescription> = {}): EnvironmentDescription {
  const node = (name: string, n: number): NodeInfo => ({
    name,
    addresses: { ipv4: `192.0.2.${n}`, ipv6: `2001:db8::${n}` },
    networkAddresses: {},
    labels: { 'kubernetes.io/hostname': name },
    ready: true,
  });
  return {
    provider: 'lab',
    id: 'test-env',
    implementation: { name: 'recording environment', version: 'test', reference: true },
    families: ['ipv4', 'ipv6'],
    nodes: [node('n0', 10), node('n1', 11), node('n2', 12)],
    networks: [{ name: 'default', subnets: { ipv4: '192.0.2.0/24' } }],
    peers: [
      { name: 'peer', network: 'default', addresses: { ipv4: '198.51.100.10' }, asn: 64500, probePort: 8080 },
    ],
    features: ['SourceIPLoadBalancer', 'NodeLabel', 'Lifecycle'].map((name) => ({
      name,
      supported: true,
      source: 'provider' as const,
    })),
    loadBalancerRanges: { ipv4: '203.0.113.0/24', ipv6: '2001:db8:100::/64' },
    metallbNamespace: 'metallb-system',
    images: { agnhost: 'agnhost:test' },
    fingerprint: { kind: 'test' },
    ...overrides,
  };
}
