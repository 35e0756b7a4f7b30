/**
 * The reference's OVN programmer: from the data plane state the controller wants (dataplane.ts),
 * the logical router policies and address sets OVN-Kubernetes keeps for EgressServices
 * (ovn-programmer.ts renders them), applied to the northbound database when they change. The
 * host half (SNAT to the LoadBalancer IP, `network` ip rules) stays with dataplane.ts, on the
 * egress node's host, where the reroute delivers the endpoints' traffic.
 */
import { subnetHost } from '../../../common/ip.js';
import type { FamilyAddresses, IpFamily } from '../../environment.js';
import type { OvnBehaviour } from './behaviour.js';
import type { DataplaneState, EgressEndpoint, EgressPlacement } from './dataplane.js';
import type { ClusterLayout, Machines } from './machines.js';
import {
  type OvnClusterState,
  type OvnEgressService,
  type OvnProgrammerFaults,
  ovnNbctlTransaction,
  renderOvnEgressState,
} from './ovn-programmer.js';

/** OVN-Kubernetes' join subnets (go-controller/pkg/config/config.go at 251895cd). */
const JOIN_SUBNETS = { ipv4: '100.64.0.0/16', ipv6: 'fd98::/64' } as const;

/** A node's address on the join switch: node i has the join subnet's (i+2)th (ovn.ts, infra). */
function joinAddress(layout: ClusterLayout, node: string, family: IpFamily): string | undefined {
  const index = layout.nodes.findIndex((n) => n.name === node);
  return index < 0 ? undefined : subnetHost(JOIN_SUBNETS[family], index + 2);
}

/** A node's management port address: the second of its pod subnet (OVN-Kubernetes' .2 and ::2). */
function managementAddress(layout: ClusterLayout, node: string, family: IpFamily): string | undefined {
  const cidr = layout.nodes.find((n) => n.name === node)?.podCidrs?.[family];
  return cidr ? subnetHost(cidr, 2) : undefined;
}

/**
 * What OVN must hold for `state`: per placed EgressService (one chosen node; `ALL`, sourceIPBy
 * Network, leaves every node's traffic on its own node) a reroute of each endpoint to the chosen
 * node's management port, for the families it has a LoadBalancer IP in.
 */
export function ovnStateOf(
  layout: ClusterLayout,
  state: DataplaneState,
  behaviour?: OvnBehaviour,
): OvnClusterState {
  const families = [...layout.families];
  const services: OvnEgressService[] = [];
  for (const placement of state.egress) {
    if (placement.host === 'ALL') continue;
    const service: OvnEgressService = {
      key: placement.service ?? placement.host,
      nextHops: {},
      endpoints: {},
    };
    for (const family of families) {
      const nextHop = behaviour?.snatOnGatewayRouter
        ? joinAddress(layout, placement.host, family)
        : managementAddress(layout, placement.host, family);
      if (!nextHop || !placement.loadBalancerIPs[family]) continue;
      service.nextHops[family] = nextHop;
      service.endpoints[family] = placement.endpoints
        .filter((e) => !e.hostNetwork)
        .map((e) => e.ips[family])
        .filter((ip): ip is string => ip !== undefined);
    }
    services.push(service);
  }
  const nodeIps: OvnClusterState['nodeIps'] = {};
  for (const family of families) {
    nodeIps[family] = layout.nodes.flatMap((n) =>
      [n.addresses, ...Object.values(n.networkAddresses)]
        .map((a) => a[family])
        .filter((ip): ip is string => ip !== undefined),
    );
  }
  return {
    families,
    clusterCidrs: Object.fromEntries(families.map((f) => [f, layout.clusterPodCidrs[f]])),
    joinSubnets: Object.fromEntries(families.map((f) => [f, JOIN_SUBNETS[f]])),
    nodeIps,
    services,
  };
}

/** A gateway router's SNAT of one endpoint (`snatOnGatewayRouter`, a fault's). */
interface GatewayRouterSnat {
  router: string;
  external: string;
  logical: string;
}

/** The SNATs a faulty programmer puts on the chosen nodes' gateway routers, per family. */
function gatewayRouterSnats(families: readonly IpFamily[], state: DataplaneState): GatewayRouterSnat[] {
  return state.egress.flatMap((placement) =>
    families.flatMap((family) => {
      const external = placement.loadBalancerIPs[family];
      if (placement.host === 'ALL' || !external) return [];
      return placement.endpoints
        .filter((e) => !e.hostNetwork && e.ips[family])
        .map((e) => ({ router: `GR_${placement.host}`, external, logical: e.ips[family] as string }));
    }),
  );
}

/** Applies OVN states to the northbound database, each only when it differs from the last applied. */
export class OvnEgressProgrammer {
  private applied: string | undefined;
  private appliedSnats: GatewayRouterSnat[] = [];
  private readonly faults: OvnProgrammerFaults;

  constructor(
    private readonly machines: Machines,
    private readonly behaviour?: OvnBehaviour,
  ) {
    this.faults = {};
    if (behaviour && behaviour.reroutePriority !== 101)
      this.faults.reroutePriority = behaviour.reroutePriority;
    if (behaviour?.omitPodNoReroute) this.faults.omitPodNoReroute = true;
    if (behaviour?.omitNodeNoReroute) this.faults.omitNodeNoReroute = true;
  }

  /** True when the machines have OVN (the lab's OVN data plane). */
  get active(): boolean {
    return this.machines.ovnNbctl !== undefined && this.machines.layout.dataPlane === 'ovn';
  }

  /**
   * Puts `state` into OVN; returns true when it changed anything. With `waitForNodes`, waits (up
   * to 10 s) until every node's ovn-controller has installed it: the northbound commit alone
   * returns before the flows exist (seconds before, on a loaded machine), and an implementation
   * that reports a placement before its data plane is ready leaks endpoint traffic meanwhile. A
   * failed node never catches up: the caller waits only while every node is ready.
   */
  async apply(state: DataplaneState, waitForNodes = false): Promise<boolean> {
    const nbctl = this.machines.ovnNbctl;
    if (!nbctl || !this.active) return false;
    const commands = renderOvnEgressState(
      ovnStateOf(this.machines.layout, state, this.behaviour),
      this.faults,
    );
    const snats = this.behaviour?.snatOnGatewayRouter
      ? gatewayRouterSnats(this.machines.layout.families, state)
      : [];
    const key = (n: GatewayRouterSnat) => `${n.router} ${n.logical}`;
    const next = new Set(snats.map(key));
    for (const gone of this.appliedSnats.filter((n) => !next.has(key(n)))) {
      commands.push(['--if-exists', 'lr-nat-del', gone.router, 'snat', gone.logical]);
    }
    for (const snat of snats) {
      commands.push(['--may-exist', 'lr-nat-add', snat.router, 'snat', snat.external, snat.logical]);
    }
    const argv = ovnNbctlTransaction(commands);
    const text = JSON.stringify(argv);
    if (text === this.applied) return false;
    await nbctl(argv);
    this.applied = text;
    this.appliedSnats = snats;
    if (waitForNodes) await nbctl(['--timeout=10', '--wait=hv', 'sync']).catch(() => undefined);
    return true;
  }

  /** Forgets what was applied (after a reset, the next apply rewrites everything). */
  forget(): void {
    this.applied = undefined;
  }
}

/**
 * What `node`'s host holds while OVN changes: `state`, plus the SNAT it did as the chosen node in
 * `previous` that `state` drops. Upstream stops steering before it removes the host's rules (the
 * reroute policies and address-set entries go first, then the node controller's SNAT); a host that
 * dropped an endpoint's SNAT first would send what OVN still reroutes to it out with the pod's
 * own address. The controller puts every host in this state, then OVN, then `state`.
 */
export function withRetainedSnat(
  node: string,
  state: DataplaneState,
  previous: DataplaneState | undefined,
): DataplaneState {
  const same = (a: FamilyAddresses, b: FamilyAddresses) => a.ipv4 === b.ipv4 && a.ipv6 === b.ipv6;
  const covered = (old: EgressPlacement, endpoint: EgressEndpoint) =>
    state.egress.some(
      (p) =>
        p.host === node &&
        p.table === old.table &&
        same(p.loadBalancerIPs, old.loadBalancerIPs) &&
        p.endpoints.some((e) => same(e.ips, endpoint.ips)),
    );
  const kept = (previous?.egress ?? [])
    .filter((p) => p.host === node)
    .map((p) => ({ ...p, endpoints: p.endpoints.filter((e) => !covered(p, e)) }))
    .filter((p) => p.endpoints.some((e) => !e.hostNetwork));
  return kept.length === 0 ? state : { ...state, egress: [...state.egress, ...kept] };
}
