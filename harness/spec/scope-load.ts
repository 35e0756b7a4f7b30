/**
 * The `load` rule beyond one field: a pod's containers together, and a spec's pods together.
 * Bounding each container and each object (scope-reach.ts) is not enough: 32 containers of 2 CPUs
 * make a 64-CPU pod, and 100 Deployments of 32 replicas make 3200 pods (hostile round 5, F10).
 *
 * A pod's request is what the scheduler reserves for it (kubernetes.io/docs/concepts/workloads/
 * pods/init-containers, "Resource sharing within containers", and sidecar-containers): the larger
 * of the app containers' sum (plus the sidecars, init containers with `restartPolicy: Always`,
 * which keep running) and each other init container's request plus the sidecars started before it.
 * A container with limits and no requests requests its limits. Values a template writes (as
 * written) count as nothing here and are judged once rendered.
 */
import { mergePatch } from '../common/merge-patch.js';
import {
  count,
  DAEMONSET_PODS,
  MAX_CPU_CORES,
  MAX_MEMORY_BYTES,
  MAX_REPLICAS,
  MAX_SPEC_CPU_CORES,
  MAX_SPEC_MEMORY_BYTES,
  MAX_SPEC_PODS,
  quantity,
} from './load-bounds.js';

/** A refusal by the `load` rule, in the shape of scope-reach.ts's ScopeIssue (which builds on this module). */
export interface LoadIssue {
  rule: 'load';
  path: Array<string | number>;
  message: string;
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const at = (value: unknown, key: string): unknown => (isObject(value) ? value[key] : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The resources summed: CPUs in cores, memory and ephemeral storage in bytes. */
const MEASURED = ['cpu', 'memory', 'ephemeral-storage'] as const;
type Amounts = Record<(typeof MEASURED)[number], number>;
const zero = (): Amounts => ({ cpu: 0, memory: 0, 'ephemeral-storage': 0 });
const combine = (a: Amounts, b: Amounts, f: (x: number, y: number) => number): Amounts => ({
  cpu: f(a.cpu, b.cpu),
  memory: f(a.memory, b.memory),
  'ephemeral-storage': f(a['ephemeral-storage'], b['ephemeral-storage']),
});
const known = (v: unknown) => {
  const n = quantity(v);
  return Number.isFinite(n) && n > 0 ? n : 0;
};

/** One container's (or a pod-level `resources`') requests or limits; a missing request is its limit. */
function amountsOf(resources: unknown, which: 'requests' | 'limits'): Amounts {
  const own = at(resources, which);
  const limits = at(resources, 'limits');
  const amounts = zero();
  for (const r of MEASURED)
    amounts[r] = known(at(own, r) ?? (which === 'requests' ? at(limits, r) : undefined));
  return amounts;
}

/** What the scheduler counts for a pod spec (see the module comment), for requests or limits. */
function effective(podSpec: unknown, which: 'requests' | 'limits'): Amounts {
  let sidecars = zero();
  let init = zero();
  for (const c of list(at(podSpec, 'initContainers'))) {
    const own = amountsOf(at(c, 'resources'), which);
    if (at(c, 'restartPolicy') === 'Always') sidecars = combine(sidecars, own, (x, y) => x + y);
    else
      init = combine(
        init,
        combine(own, sidecars, (x, y) => x + y),
        Math.max,
      );
  }
  let app = sidecars;
  for (const c of list(at(podSpec, 'containers')))
    app = combine(app, amountsOf(at(c, 'resources'), which), (x, y) => x + y);
  const computed = combine(app, init, Math.max);
  // Pod-level resources (PodLevelResources) are the pod's own total; the larger one is judged.
  return combine(computed, amountsOf(at(podSpec, 'resources'), which), Math.max);
}

/** Where an object of a workload kind keeps its pod spec, and how many pods it runs at once. */
function podsOf(object: unknown): { path: string[]; podSpec: unknown; pods: number } | undefined {
  const kind = at(object, 'kind');
  const spec = at(object, 'spec');
  const template = ['spec', 'template', 'spec'];
  const replicas = (v: unknown) => {
    // As written a template (`${nodes.count}`) may be anything up to the per-object bound.
    if (v === undefined || v === null) return 1;
    const n = count(v);
    return Number.isFinite(n) ? Math.max(0, n) : MAX_REPLICAS;
  };
  switch (kind) {
    case 'Pod':
      return { path: ['spec'], podSpec: spec, pods: 1 };
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      return {
        path: template,
        podSpec: at(at(spec, 'template'), 'spec'),
        pods: replicas(at(spec, 'replicas')),
      };
    case 'Job':
      return {
        path: template,
        podSpec: at(at(spec, 'template'), 'spec'),
        pods: replicas(at(spec, 'parallelism')),
      };
    case 'DaemonSet':
      return { path: template, podSpec: at(at(spec, 'template'), 'spec'), pods: DAEMONSET_PODS };
    default:
      return undefined;
  }
}

const cores = (n: number) => `${Number(n.toFixed(3))} CPUs`;
const gib = (n: number) => `${Number((n / 1024 ** 3).toFixed(3))}Gi`;
function over(a: Amounts, maxCpu: number, maxBytes: number): string | undefined {
  const parts = [
    a.cpu > maxCpu ? `${cores(a.cpu)} (over ${cores(maxCpu)})` : '',
    a.memory > maxBytes ? `${gib(a.memory)} of memory (over ${gib(maxBytes)})` : '',
    a['ephemeral-storage'] > maxBytes
      ? `${gib(a['ephemeral-storage'])} of ephemeral storage (over ${gib(maxBytes)})`
      : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** A pod whose containers together request (or are limited to) more than one container may. */
export function podLoadIssues(object: unknown): LoadIssue[] {
  const found = podsOf(object);
  if (!found || !isObject(found.podSpec)) return [];
  const issues: LoadIssue[] = [];
  for (const which of ['requests', 'limits'] as const) {
    const what = over(effective(found.podSpec, which), MAX_CPU_CORES, MAX_MEMORY_BYTES);
    if (what) {
      issues.push({
        rule: 'load',
        path: found.path,
        message: `refused (load): a pod's containers together ${which === 'requests' ? 'request' : 'are limited to'} ${what} (init containers counted as Kubernetes does)`,
      });
    }
  }
  return issues;
}

/** One manifest of a spec in each form it is sent: as written or rendered, then as each patch makes it. */
export interface ManifestVersions {
  name: string;
  versions: unknown[];
}

/**
 * A spec's pods together: each manifest counted at its largest version (a patch may scale it up),
 * all manifests summed as if running at once. Issues are at `manifests`.
 */
export function specLoadIssues(manifests: readonly ManifestVersions[]): LoadIssue[] {
  let pods = 0;
  let requests = zero();
  let limits = zero();
  for (const { versions } of manifests) {
    let most = { pods: 0, requests: zero(), limits: zero() };
    for (const version of versions) {
      const found = podsOf(version);
      if (!found || !isObject(found.podSpec)) continue;
      const times = (a: Amounts): Amounts => combine(a, a, (x) => x * found.pods);
      most = {
        pods: Math.max(most.pods, found.pods),
        requests: combine(most.requests, times(effective(found.podSpec, 'requests')), Math.max),
        limits: combine(most.limits, times(effective(found.podSpec, 'limits')), Math.max),
      };
    }
    pods += most.pods;
    requests = combine(requests, most.requests, (x, y) => x + y);
    limits = combine(limits, most.limits, (x, y) => x + y);
  }
  const issues: LoadIssue[] = [];
  const refuse = (what: string) =>
    issues.push({ rule: 'load', path: [], message: `refused (load): the spec's pods together ${what}` });
  if (pods > MAX_SPEC_PODS)
    refuse(
      `number ${pods}, over ${MAX_SPEC_PODS} (each object's replicas, a DaemonSet counted as ${DAEMONSET_PODS} pods)`,
    );
  const requested = over(requests, MAX_SPEC_CPU_CORES, MAX_SPEC_MEMORY_BYTES);
  if (requested) refuse(`request ${requested}`);
  const limited = over(limits, MAX_SPEC_CPU_CORES, MAX_SPEC_MEMORY_BYTES);
  if (limited) refuse(`are limited to ${limited}`);
  return issues;
}

/**
 * A manifest in each form its patch steps send, in order: each patch on the manifest (as the
 * guard judges it) and the patches applied one after another (as the cluster's object becomes).
 */
export function versionsOf(manifest: unknown, patches: readonly unknown[]): unknown[] {
  const versions = [manifest];
  let cumulative = manifest;
  for (const patch of patches) {
    versions.push(mergePatch(manifest, patch));
    cumulative = mergePatch(cumulative, patch);
    versions.push(cumulative);
  }
  return versions;
}
