/**
 * The numbers of the scope guard's `load` rule (docs/safety.md) and the Kubernetes quantities
 * they are compared with. A test needs one pod per node and a fraction of a CPU (the catalogue
 * sets no request at all); each bound leaves room for that many times over and stops a spec from
 * starving or evicting the user's workloads, whether by one large number or by many small ones.
 */
import { LAB_MAX_NODES } from '../common/limits.js';

/** At most this many replicas (or Job pods at once) of one object: the catalogue needs one per node. */
export const MAX_REPLICAS = 32;
/** A container, and a pod's containers together, may request (or be limited to) at most this much. */
export const MAX_CPU_CORES = 2;
export const MAX_MEMORY_BYTES = 2 * 1024 ** 3;
/**
 * A spec's pods together (every object's replicas; a DaemonSet counted as one pod on each of a
 * lab's LAB_MAX_NODES nodes): eight objects at MAX_REPLICAS. The catalogue's largest spec
 * (several-egress-services) holds four Deployments of one replica a node: 12 pods on the default
 * lab, 128 at worst as written (a `${nodes.count}` counts as MAX_REPLICAS), half the bound.
 */
export const MAX_SPEC_PODS = 8 * MAX_REPLICAS;
/**
 * A spec's pods' requests (and limits) together: eight pods at the per-pod bound. The catalogue
 * requests nothing (its probe pods use a fraction of a CPU), so this is what a spec adding requests
 * may take from the user's cluster: a few nodes' worth, never a cluster's.
 */
export const MAX_SPEC_CPU_CORES = 8 * MAX_CPU_CORES;
export const MAX_SPEC_MEMORY_BYTES = 8 * MAX_MEMORY_BYTES;
/** A DaemonSet runs a pod on every node: counted as the most nodes a lab can have. */
export const DAEMONSET_PODS = LAB_MAX_NODES;
/**
 * The resources a container or claim may name. Any other (`nvidia.com/gpu`, any `domain/name`
 * extended resource, `hugepages-*`) is a device or pinned memory of the node, which no test needs.
 */
export const BOUNDED_RESOURCES: ReadonlySet<string> = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'storage',
]);

const QUANTITY_SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};
/** A Kubernetes quantity's value (NaN: not one, e.g. a template variable as written). */
export function quantity(value: unknown): number {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(
    String(value).trim(),
  );
  if (!match) return Number.NaN;
  return Number(match[1]) * (QUANTITY_SUFFIX[match[2] ?? ''] ?? Number.NaN);
}

/** A count (`replicas: 3` or, rendered from a template, `"3"`); NaN: not one. */
export const count = (v: unknown) =>
  typeof v === 'number' || typeof v === 'string' ? Number(v) : Number.NaN;
