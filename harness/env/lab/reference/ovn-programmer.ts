/**
 * The OVN half of the reference EgressService data plane: what OVN-Kubernetes' egress service
 * zone controller keeps in the northbound database, rendered as one `ovn-nbctl` transaction that
 * replaces the whole managed state at once (the same state renders the same text, so the caller
 * applies it only when the text changed). The host half (SNAT to the LoadBalancer IP and the
 * `network` ip rules on the egress node) stays in dataplane.ts.
 *
 * Read at OVN-Kubernetes release-1.3 (251895cd):
 * - go-controller/pkg/ovn/controller/egressservice/egressservice_zone_service.go: per endpoint a
 *   logical router policy `ip4.src == <endpoint>` (or ip6) on ovn_cluster_router, priority
 *   EgressSVCReroutePriority, action reroute, next hop the egress node's management port IP,
 *   external_ids EgressSVC=<namespace>/<name>; the endpoints also go into the address set
 *   `egresssvc-served-pods`.
 * - go-controller/pkg/ovn/egressip.go (InitClusterEgressPolicies, called by the egress service
 *   controller too): at DefaultNoRereoutePriority, `allow` policies for pod-to-pod
 *   (`ip4.src == <cluster> && ip4.dst == <cluster>`) and pod-to-join traffic, and
 *   (ensureDefaultNoRerouteNodePolicies) `(ip4.src == $<egressip-served-pods> || ip4.src ==
 *   $<egresssvc-served-pods>) && ip4.dst == $<node-ips>` allow with pkt_mark=1008.
 * - go-controller/pkg/types/const.go: DefaultNoRereoutePriority 102, EgressSVCReroutePriority
 *   101, EgressIPNodeConnectionMark "1008".
 *
 * Simplified here: the address sets are named plainly (`egresssvc_served_pods_v4`, `node_ips_v4`)
 * where upstream names them by a hash of their ids, and there are no EgressIP address sets.
 */

const CLUSTER_ROUTER = 'ovn_cluster_router';
export const OVN_POLICY_PRIORITY = { noReroute: 102, egressServiceReroute: 101 } as const;
/** Marks the packets the node no-reroute policy lets through (upstream's EgressIPNodeConnectionMark). */
const NODE_CONNECTION_MARK = 1008;
/**
 * Address set names appear in matches (`$name`), where OVN accepts only letters, digits, `_` and
 * `.`: upstream names its sets by a hash for that reason; the lab by their names with `_`.
 */
const SERVED_PODS = 'egresssvc_served_pods';
/** The external id naming a reroute policy's service (egressservice_zone.go's svcExternalIDKey). */
const SERVICE_EXTERNAL_ID = 'EgressSVC';
const NODE_IPS = 'node_ips';

export type OvnFamily = 'ipv4' | 'ipv6';
const IP = { ipv4: 'ip4', ipv6: 'ip6' } as const;
const SUFFIX = { ipv4: 'v4', ipv6: 'v6' } as const;

export interface OvnEgressService {
  /** `<namespace>/<name>`. */
  key: string;
  /** The egress node's management port address, per family: the reroute's next hop. */
  nextHops: Partial<Record<OvnFamily, string>>;
  /** Endpoint pod addresses, per family. */
  endpoints: Partial<Record<OvnFamily, string[]>>;
}

export interface OvnClusterState {
  families: OvnFamily[];
  /** Pod CIDRs and the join subnet, per family. */
  clusterCidrs: Partial<Record<OvnFamily, string>>;
  joinSubnets: Partial<Record<OvnFamily, string>>;
  /** Every node's addresses, per family (the node-ips address set). */
  nodeIps: Partial<Record<OvnFamily, string[]>>;
  services: OvnEgressService[];
}

/** How a faulty implementation programs OVN (each breaks what upstream's policies protect). */
export interface OvnProgrammerFaults {
  /** Reroutes at this priority instead of 101: above 102, in-cluster traffic is hijacked too. */
  reroutePriority?: number;
  /** Leaves out the no-reroute policy for endpoints' traffic to node addresses. */
  omitNodeNoReroute?: boolean;
  /** Leaves out the pod-to-pod no-reroute policy. */
  omitPodNoReroute?: boolean;
  /** Keeps these endpoints in the served-pods address set after they left (a stale set). */
  staleServedPods?: Partial<Record<OvnFamily, string[]>>;
}

/** A set column's value for ovn-nbctl: `"a","b"` (one quoted string would be one element). */
const quoteSet = (values: string[]) => {
  const unique = [...new Set(values)].sort();
  return unique.length > 0 ? unique.map((v) => JSON.stringify(v)).join(',') : '[]';
};

interface Policy {
  priority: string;
  match: string;
  action: 'allow' | 'reroute';
  nextHop?: string;
  options?: Record<string, string>;
  externalIds?: Record<string, string>;
}

/**
 * A policy as generic database commands: `lr-policy-add` refuses, within one transaction, a
 * policy equal to one the same transaction deletes (it checks against the state before it).
 */
function createPolicy(policy: Policy, id: string): string[][] {
  const columns = [
    `priority=${policy.priority}`,
    `match=${JSON.stringify(policy.match)}`,
    `action=${policy.action}`,
    ...(policy.nextHop ? [`nexthops=${JSON.stringify(policy.nextHop)}`] : []),
    ...Object.entries(policy.options ?? {}).map(([k, v]) => `options:${k}=${JSON.stringify(v)}`),
    ...Object.entries(policy.externalIds ?? {}).map(([k, v]) => `external_ids:${k}=${JSON.stringify(v)}`),
  ];
  return [
    [`--id=@${id}`, 'create', 'Logical_Router_Policy', ...columns],
    ['add', 'Logical_Router', CLUSTER_ROUTER, 'policies', `@${id}`],
  ];
}

/**
 * The ovn-nbctl argument list of one transaction (commands joined by `--`) that makes the NB
 * database hold exactly `state`'s policies and address sets. Run as `ovn-nbctl <args...>`.
 */
export function renderOvnEgressState(state: OvnClusterState, faults: OvnProgrammerFaults = {}): string[][] {
  // In the lab the egress controller owns every policy of the cluster router: each apply
  // replaces them all, so nothing of an earlier state (a fault's priority too) survives.
  const commands: string[][] = [['clear', 'Logical_Router', CLUSTER_ROUTER, 'policies']];
  const policies: Policy[] = [];
  for (const family of state.families) {
    const ip = IP[family];
    const served = state.services.flatMap((s) => s.endpoints[family] ?? []);
    const stale = faults.staleServedPods?.[family] ?? [];
    const servedSet = `${SERVED_PODS}_${SUFFIX[family]}`;
    const nodeSet = `${NODE_IPS}_${SUFFIX[family]}`;
    for (const [name, addresses] of [
      [servedSet, [...served, ...stale]],
      [nodeSet, state.nodeIps[family] ?? []],
    ] as const) {
      commands.push(
        ['--if-exists', 'destroy', 'Address_Set', name],
        ['create', 'Address_Set', `name=${name}`, `addresses=${quoteSet([...addresses])}`],
      );
    }
    const cluster = state.clusterCidrs[family];
    const join = state.joinSubnets[family];
    const noReroute = String(OVN_POLICY_PRIORITY.noReroute);
    if (cluster && !faults.omitPodNoReroute) {
      policies.push({
        priority: noReroute,
        match: `${ip}.src == ${cluster} && ${ip}.dst == ${cluster}`,
        action: 'allow',
      });
    }
    if (cluster && join) {
      policies.push({
        priority: noReroute,
        match: `${ip}.src == ${cluster} && ${ip}.dst == ${join}`,
        action: 'allow',
      });
    }
    if (!faults.omitNodeNoReroute) {
      policies.push({
        priority: noReroute,
        match: `${ip}.src == $${servedSet} && ${ip}.dst == $${nodeSet}`,
        action: 'allow',
        options: { pkt_mark: String(NODE_CONNECTION_MARK) },
      });
    }
    const priority = String(faults.reroutePriority ?? OVN_POLICY_PRIORITY.egressServiceReroute);
    for (const service of state.services) {
      const nextHop = service.nextHops[family];
      if (!nextHop) continue;
      for (const endpoint of [...new Set(service.endpoints[family] ?? [])].sort()) {
        policies.push({
          priority,
          match: `${ip}.src == ${endpoint}`,
          action: 'reroute',
          nextHop,
          externalIds: { [SERVICE_EXTERNAL_ID]: service.key },
        });
      }
    }
  }
  policies.forEach((policy, index) => {
    commands.push(...createPolicy(policy, `policy${index}`));
  });
  return commands;
}

/** The transaction as one argv for `ovn-nbctl` (commands separated by `--`). */
export function ovnNbctlTransaction(commands: string[][]): string[] {
  return commands.flatMap((command, index) => (index === 0 ? command : ['--', ...command]));
}
