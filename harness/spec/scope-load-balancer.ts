/**
 * Where a test's LoadBalancer Service gets its address (the `pool-range` rule, docs/safety.md):
 * only from the test's own MetalLB pool or a reserved address. The annotations' values are judged
 * in scope-reach.ts; this module refuses the ways around them (hostile round 5, F1 and F11):
 *
 * - a LoadBalancer Service naming neither a pool (`metallb.io/address-pool`) nor an address
 *   (`metallb.io/loadBalancerIPs`, `spec.loadBalancerIP`): MetalLB assigns it from any pool with
 *   `autoAssign` on, i.e. the user's, and the user's BGPAdvertisements announce it;
 * - `spec.loadBalancerClass`: MetalLB ignores the Service (it serves only Services without a class,
 *   or of its own `--lb-class`), and the controller the class names assigns from its own ranges,
 *   which are not the test's reservation;
 * - annotations of other load balancers (`kube-vip.io/loadbalancerIPs`,
 *   `service.beta.kubernetes.io/aws-load-balancer-*`, `cloud.google.com/*`, `purelb.io/*`, ...):
 *   on a cluster with a second controller they hand out an address, or a cloud load balancer,
 *   outside the reservation. The guard cannot know every controller's annotations, so it allows
 *   only the domains it judges: MetalLB's (both prefixes) and the suite's own.
 */
import { type JsonObject, objectAt } from '../common/json-object.js';

/** A refusal by the `pool-range` rule, in the shape of scope-reach.ts's ScopeIssue (which builds on this module). */
export interface PoolRangeIssue {
  rule: 'pool-range';
  path: Array<string | number>;
  message: string;
}

/**
 * The prefixes of the Service annotations MetalLB reads: `metallb.io/` and the deprecated
 * `metallb.universe.tf/`, which it still honours when the `metallb.io/` one is absent (read in the
 * metallb+metallb mirror at 7938d3f: controller/service.go lines 32-44, the annotation constants;
 * `valueForAnnotation` at 359-368, used for address-pool at 137 and 268 and for loadBalancerIPs at
 * 307; `SharingKey` at 352-357 for allow-shared-ip). Both are judged alike.
 */
export const METALLB_ANNOTATION_PREFIXES = ['metallb.io', 'metallb.universe.tf'] as const;
/** Annotation domains a LoadBalancer Service may carry: MetalLB's, judged, and the suite's own. */
const LOAD_BALANCER_ANNOTATION_DOMAINS = [...METALLB_ANNOTATION_PREFIXES, 'egress-conformance.io'];

type Obj = JsonObject;

const refused = (path: Array<string | number>, what: string): PoolRangeIssue => ({
  rule: 'pool-range',
  path,
  message: `refused (pool-range): ${what}`,
});

/** Why a Service would take a load-balancer address outside the test's reservation. */
export function loadBalancerIssues(service: Obj, names: { uid: string }): PoolRangeIssue[] {
  const issues: PoolRangeIssue[] = [];
  const spec = objectAt(service, 'spec');
  const annotations = objectAt(objectAt(service, 'metadata'), 'annotations');
  if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) {
    issues.push(
      refused(
        ['spec', 'loadBalancerClass'],
        `loadBalancerClass '${String(spec.loadBalancerClass)}' hands the Service to another load-balancer controller, whose addresses are not the test's: expected none (MetalLB, with the test's pool)`,
      ),
    );
  }
  const type = spec.type;
  if (typeof type !== 'string' || type.toLowerCase() !== 'loadbalancer') return issues;
  for (const key of Object.keys(annotations)) {
    const slash = key.indexOf('/');
    const domain = slash < 0 ? undefined : key.slice(0, slash);
    if (domain !== undefined && !LOAD_BALANCER_ANNOTATION_DOMAINS.includes(domain)) {
      issues.push(
        refused(
          ['metadata', 'annotations', key],
          `annotation '${key}' may be another load balancer's, which would give the Service an address outside the test's reservation: a LoadBalancer Service's annotations are MetalLB's (${METALLB_ANNOTATION_PREFIXES.join('/, ')}/) or the suite's (egress-conformance.io/)`,
        ),
      );
    }
  }
  const named = METALLB_ANNOTATION_PREFIXES.some(
    (prefix) =>
      annotations[`${prefix}/address-pool`] !== undefined ||
      annotations[`${prefix}/loadBalancerIPs`] !== undefined,
  );
  if (!named && (spec.loadBalancerIP === undefined || spec.loadBalancerIP === null)) {
    issues.push(
      refused(
        ['spec', 'type'],
        `a LoadBalancer Service naming no pool and no address gets one from the cluster's auto-assign pools (the user's): expected metallb.io/address-pool naming the test's pool (containing ${names.uid}) or metallb.io/loadBalancerIPs: \${pool.address.N}`,
      ),
    );
  }
  return issues;
}
