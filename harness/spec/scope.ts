/**
 * The scope guard: what a scenario spec may create, where, and under which names. A spec runs on
 * clusters that matter (`--provider existing`), so it may touch only its own test namespaces and
 * the shared objects the catalogue needs, named from the test:
 *
 * - **namespaced kinds** (`NAMESPACED_KINDS`: workloads, Services, EgressServices, ConfigMaps, ...)
 *   only in a test namespace: `${namespace}` or a further one the spec declares in
 *   `requires.namespaces` (`${namespaces.NAME}`), each created and removed by the run;
 * - **shared kinds** (`SHARED_KINDS`: MetalLB's IPAddressPool and BGPAdvertisement in
 *   `${metallb.namespace}`; the cluster-scoped EgressIP) only with a name containing `${uid}`, so
 *   that no user's object of a fixed name can be taken over (server-side apply) or deleted;
 * - nothing else: no Namespace, Node, RBAC, webhook, CRD or any other kind. In particular no
 *   peering object (MetalLB BGPPeer, FRRConfiguration, BFDProfile, ...): a peer at an address the
 *   spec chooses would receive the user's advertisements. The environment makes the suite's own
 *   peers (options `manageMetalLB`, env/shared/metallb-peers.ts), never a spec; and no
 *   Endpoints/EndpointSlice: hand-written endpoints point a Service at any address, the cluster's
 *   API server included (CVE-2021-25740); a Service's endpoints come from its selector;
 * - and of those, nothing that reaches beyond the test (scope-reach.ts): host access, externalIPs,
 *   EgressIP selectors and addresses, BGPAdvertisement pools and attributes, pool ranges; an
 *   options file may allow one of those rules for one named spec (`scopeExceptions`);
 * - node steps (`labelNode`, `unlabelNode`) only on label keys the suite owns: a key containing
 *   `${uid}` (set for one test), a key under `egress-conformance.io/`, or one of
 *   `NODE_LABEL_KEYS` (`k8s.ovn.org/egress-assignable`, which ES-EIP-1 needs). A spec cannot
 *   declare further keys: a declared key would let a spec strip any label of a real node.
 *
 * The same table is applied twice: to the spec as written (the loader, with `FILE:LINE` for
 * `validate`), and to every rendered manifest and label key before a dry run prints it or a run
 * applies it (run/context.ts), so a spec that slips past one cannot slip past the other. It judges
 * what is sent, not only what is declared: a `patch` step is judged by the object it makes
 * (patchScopeIssues), and may not rename it, move it or change its kind.
 */
import { mergePatch } from '../common/merge-patch.js';
import { type OwnObject, reachIssues, type ScopeIssue, type ScopeNames } from './scope-reach.js';

/** `group/Kind` (core group: `Kind`) of the namespaced kinds a spec may create in its test namespaces. */
export const NAMESPACED_KINDS: ReadonlySet<string> = new Set([
  'Pod',
  'Service',
  'ConfigMap',
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'batch/Job',
  'networking.k8s.io/NetworkPolicy',
  'k8s.ovn.org/EgressService',
]);

export interface SharedKind {
  /** The template variable naming the namespace it must be in; undefined: cluster-scoped. */
  namespaceVariable?: string;
  why: string;
}

/** Shared (cluster-scoped or system-namespace) kinds the catalogue needs, always named from `${uid}`. */
export const SHARED_KINDS: ReadonlyMap<string, SharedKind> = new Map([
  [
    'metallb.io/IPAddressPool',
    { namespaceVariable: 'metallb.namespace', why: "the test's LoadBalancer pool" },
  ],
  ['metallb.io/BGPAdvertisement', { namespaceVariable: 'metallb.namespace', why: "the pool's announcement" }],
  ['k8s.ovn.org/EgressIP', { why: "the test's EgressIP (ES-EIP-1)" }],
]);

/** Node label keys steps may set or remove besides `${uid}` keys and the suite's own prefix. */
export const NODE_LABEL_KEYS: ReadonlySet<string> = new Set(['k8s.ovn.org/egress-assignable']);
export const SUITE_LABEL_PREFIX = 'egress-conformance.io/';

/** `group/Kind` of an apiVersion and kind (`apps/v1` + `Deployment` -> `apps/Deployment`). */
export function kindKey(apiVersion: string, kind: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? kind : `${apiVersion.slice(0, slash)}/${kind}`;
}

/** A refusal: the path of the offending field inside the manifest (or step body), and why. */
// The shapes of an issue and of the names judged live with the reach rules (scope-reach.ts),
// which this module builds on; re-exported here for the guard's callers.
export type { ScopeIssue, ScopeNames } from './scope-reach.js';

function allowedKindsText(): string {
  return `namespaced ${[...NAMESPACED_KINDS].join(', ')}; shared ${[...SHARED_KINDS.keys()].join(', ')}`;
}

/** A DNS-1123 subdomain: what Kubernetes accepts as most objects' names. */
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Why `metadata.name` is not a Kubernetes name (undefined: it is, or there is none to judge). As
 * written, each template variable stands for a valid part; rendered, the name itself is judged.
 * Refused here rather than by the API server: a dry run prints the name, and a name with a bidi
 * override (`web\u202egpj`) reads as another one.
 */
function objectNameIssue(name: unknown): string | undefined {
  if (name === undefined) return undefined;
  const text = String(name);
  const judged = text.replace(/\$\{[^}]*\}/g, 'x');
  if (judged.length <= 253 && DNS_1123_SUBDOMAIN.test(judged)) return undefined;
  return `'${text}' is not a Kubernetes name: expected a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`;
}

/**
 * What no object of a test may carry, whatever its kind (never allowed by an exception):
 * `metadata.finalizers`, which nothing of the suite would remove, so the object, and the test
 * namespace holding it, would stay Terminating on the user's cluster after cleanup; and a Service
 * of `type: ExternalName`, a name in the test's namespace aliasing any host or another namespace's
 * Service (the CVE-2021-25740 class the Endpoints rule cites).
 */
function objectIssues(key: string, object: { metadata?: unknown; spec?: unknown }): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  const finalizers = valueAt(object, ['metadata', 'finalizers']);
  if (
    finalizers !== undefined &&
    finalizers !== null &&
    !(Array.isArray(finalizers) && finalizers.length === 0)
  ) {
    issues.push({
      path: ['metadata', 'finalizers'],
      message:
        "metadata.finalizers is outside a test's scope: nothing removes them, so the object and its namespace would stay Terminating after cleanup",
    });
  }
  const type = valueAt(object, ['spec', 'type']);
  if (key === 'Service' && typeof type === 'string' && type.toLowerCase() === 'externalname') {
    issues.push({
      path: ['spec', 'type'],
      message: `a Service of type ${type} is outside a test's scope: it aliases a name outside the test (another namespace's Service, any host); expected ClusterIP, NodePort or LoadBalancer`,
    });
  }
  return issues;
}

/**
 * ownerReferences (on the object or a pod template's metadata) naming anything but one of the
 * spec's own objects, in the dependent's namespace. Never allowed by an exception: an owner is
 * found by kind, name and namespace, so a reference to a user's object makes the garbage
 * collector tie the test's object to it: `controller: true` to a user's ReplicaSet has that
 * controller count (and delete) pods for it, `blockOwnerDeletion` holds back the user's foreground
 * delete, and the user's delete cascades into the test. A reference to the test's own object
 * reaches nothing else (a wrong uid only makes the test's object orphaned and collected).
 */
function ownerReferenceIssues(object: unknown, names: ScopeNames): ScopeIssue[] {
  const namespace = valueAt(object, ['metadata', 'namespace']);
  const own = (ref: unknown) => {
    if (ref === null || typeof ref !== 'object') return false;
    const { apiVersion, kind, name } = ref as Record<string, unknown>;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') return false;
    return (names.objects ?? []).some(
      (o) => o.key === kindKey(apiVersion, kind) && o.name === name && o.namespace === namespace,
    );
  };
  const issues: ScopeIssue[] = [];
  const stack: Array<{ node: unknown; path: Array<string | number> }> = [{ node: object, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: Array<string | number> };
    if (node === null || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, Array.isArray(node) ? Number(key) : key];
      if (key !== 'ownerReferences' || path.at(-1) !== 'metadata') {
        stack.push({ node: value, path: at });
        continue;
      }
      const refs = Array.isArray(value) ? value : [value];
      refs.forEach((ref, i) => {
        if (ref === undefined || ref === null || own(ref)) return;
        const { kind, name } = (typeof ref === 'object' ? ref : {}) as Record<string, unknown>;
        issues.push({
          path: Array.isArray(value) ? [...at, i] : at,
          message: `an ownerReference to ${String(kind ?? '(no kind)')} '${String(name ?? '')}' is outside a test's scope: the garbage collector would tie this object to one the spec does not create (its controller could adopt or delete pods, its deletion cascade or be held back); expected one of the spec's own manifests in the same namespace`,
        });
      });
    }
  }
  return issues;
}

/** The spec's own objects (ScopeNames.objects) from its manifests, as written or rendered. */
export function ownObjects(
  manifests: ReadonlyArray<{ apiVersion?: unknown; kind?: unknown; metadata?: unknown }>,
): OwnObject[] {
  return manifests.map((m) => {
    const namespace = valueAt(m, ['metadata', 'namespace']);
    return {
      key: kindKey(String(m.apiVersion ?? ''), String(m.kind ?? '')),
      name: String(valueAt(m, ['metadata', 'name']) ?? ''),
      ...(typeof namespace === 'string' ? { namespace } : {}),
    };
  });
}

/** Why a manifest is outside the spec's scope (none: it is inside). */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the scope guard's rules for one manifest, kept together so no rule is skipped
export function manifestScopeIssues(
  object: { apiVersion?: unknown; kind?: unknown; metadata?: unknown },
  names: ScopeNames,
): ScopeIssue[] {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  const key = kindKey(apiVersion, kind);
  const shared = SHARED_KINDS.get(key);
  const issues: ScopeIssue[] = [];
  const nameIssue = objectNameIssue(metadata.name);
  if (nameIssue) issues.push({ path: ['metadata', 'name'], message: nameIssue });
  if (NAMESPACED_KINDS.has(key)) {
    if (namespace === undefined) {
      issues.push({
        path: ['metadata'],
        message: `${kind} without metadata.namespace: expected a test namespace (${names.testNamespaces.join(' or ')}), never the kubeconfig's default`,
      });
    } else if (!names.testNamespaces.includes(namespace)) {
      issues.push({
        path: ['metadata', 'namespace'],
        message: `'${namespace}' is not a test namespace: expected ${names.testNamespaces.join(' or ')} (declare more in requires.namespaces)`,
      });
    }
  } else if (shared) {
    const wanted = shared.namespaceVariable === undefined ? undefined : names.metallbNamespace;
    if (wanted === undefined && namespace !== undefined) {
      issues.push({
        path: ['metadata', 'namespace'],
        message: `${kind} is cluster-scoped: expected no namespace`,
      });
    } else if (wanted !== undefined && namespace !== wanted) {
      issues.push({
        path: ['metadata', namespace === undefined ? 'name' : 'namespace'],
        message: `${kind} belongs in ${wanted}, found ${namespace === undefined ? 'no namespace' : `'${namespace}'`}`,
      });
    }
    if (!name.includes(names.uid)) {
      issues.push({
        path: ['metadata', 'name'],
        message: `${kind} '${name}' is shared by the cluster: its name must contain ${names.uid} (a fixed name could be a user's object)`,
      });
    }
  } else {
    issues.push({
      path: ['kind'],
      message: `${kind || '(no kind)'} (${apiVersion || 'no apiVersion'}) is outside a test's scope: a spec may create ${allowedKindsText()}`,
    });
    return issues;
  }
  const reach = reachIssues(key, object, names).filter((i) => !(i.rule && names.allowed?.has(i.rule)));
  return [...issues, ...objectIssues(key, object), ...ownerReferenceIssues(object, names), ...reach];
}

/** What a patch may not change: the object's identity (a rename or move would leave the test's scope). */
const IDENTITY: ReadonlyArray<Array<string>> = [
  ['apiVersion'],
  ['kind'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
];

function valueAt(object: unknown, path: readonly string[]): unknown {
  let node = object;
  for (const key of path)
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/**
 * Strategic-merge-patch directives (`$patch`, `$retainKeys`, `$setElementOrder/...`,
 * `$deleteFromPrimitiveList/...`) in a patch: the guard judges the object a JSON merge patch makes,
 * and a server reading the patch as a strategic merge would make another one (`$patch: replace` or
 * `delete` drop what the guard saw). Walked with a stack: a patch's nesting is the author's choice.
 */
function directiveIssues(patch: unknown): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  const stack: Array<{ node: unknown; path: string[] }> = [{ node: patch, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: string[] };
    if (node === null || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('$')) {
        issues.push({
          path: [...path, key],
          message: `'${key}' is a strategic merge patch directive: a patch step is a JSON merge patch, expected plain fields`,
        });
      } else stack.push({ node: value, path: [...path, key] });
    }
  }
  return issues;
}

/**
 * Why a JSON merge patch of a manifest leaves the spec's scope: it changes the object's kind,
 * name or namespace, or the object it makes is refused by the same rules as a manifest.
 */
export function patchScopeIssues(
  manifest: { apiVersion?: unknown; kind?: unknown; metadata?: unknown },
  patch: unknown,
  names: ScopeNames,
): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  for (const path of IDENTITY) {
    const patched = valueAt(patch, path);
    if (patched !== undefined && patched !== valueAt(manifest, path)) {
      issues.push({
        path,
        message: `a patch may not change ${path.join('.')} (it would send another object than the manifest the guard checked)`,
      });
    }
  }
  issues.push(...directiveIssues(patch));
  if (issues.length > 0) return issues;
  const patched = mergePatch(manifest, patch) as typeof manifest;
  return manifestScopeIssues(patched, names);
}

/** The egress-service node label prefix: a key under it names the Service's namespace first. */
const EGRESS_SERVICE_LABEL_PREFIX = 'egress-service.k8s.ovn.org/';

/**
 * Why a node label key is outside the spec's scope (undefined: inside). The egress-service label
 * of a Service in one of the test's own namespaces is the test's too (a stray one, ES-LABEL-1).
 */
export function nodeLabelKeyIssue(
  key: string,
  names: Pick<ScopeNames, 'uid'> & Partial<Pick<ScopeNames, 'testNamespaces'>>,
  step: 'labelNode' | 'unlabelNode' = 'labelNode',
): string | undefined {
  // NODE_LABEL_KEYS are the user's keys a test may add to a node, never remove: removing
  // k8s.ovn.org/egress-assignable would move the user's EgressIPs off that node.
  if (NODE_LABEL_KEYS.has(key) && step === 'unlabelNode')
    return `unlabelNode of '${key}' is not the suite's: a test may set it on a node, never remove it (the user's EgressIPs would leave that node)`;
  if (key.includes(names.uid) || key.startsWith(SUITE_LABEL_PREFIX) || NODE_LABEL_KEYS.has(key))
    return undefined;
  const own = (names.testNamespaces ?? []).map((ns) => `${EGRESS_SERVICE_LABEL_PREFIX}${ns}-`);
  if (own.some((prefix) => key.startsWith(prefix) && key.length > prefix.length)) return undefined;
  return `node label '${key}' is not the suite's: expected a key containing ${names.uid}, under ${SUITE_LABEL_PREFIX}, ${EGRESS_SERVICE_LABEL_PREFIX}<a test namespace>-<service>, or ${[...NODE_LABEL_KEYS].join(', ')}`;
}
