/**
 * The reference's OVN programmer, without OVN: which policies the controller's data plane state
 * becomes (what test/lab/ovn-dataplane.test.ts and the OVN lab run check on real OVN), when it
 * writes the northbound database, and that on the OVN data plane the hosts no longer steer
 * endpoints between nodes by ip rules (OVN's reroute does).
 */
import { describe, expect, it } from 'vitest';
import { type DataplaneState, renderNodeDataplane } from '../../harness/env/lab/reference/dataplane.js';
import type { ClusterLayout, Machines } from '../../harness/env/lab/reference/machines.js';
import {
  OvnEgressProgrammer,
  ovnStateOf,
  withRetainedSnat,
} from '../../harness/env/lab/reference/ovn-egress.js';

const layout = (dataPlane: 'linux' | 'ovn'): ClusterLayout => ({
  families: ['ipv4'],
  clusterPodCidrs: { ipv4: '10.244.0.0/16' },
  nodes: ['control-plane', 'worker', 'worker2'].map((name, index) => ({
    name,
    addresses: { ipv4: `10.213.0.${10 + index}` },
    networkAddresses: { secondary: { ipv4: `10.213.1.${10 + index}` } },
    labels: {},
    podCidrs: { ipv4: `10.244.${index}.0/24` },
  })),
  networks: [
    { name: 'default', subnets: { ipv4: '10.213.0.0/24' } },
    { name: 'secondary', subnets: { ipv4: '10.213.1.0/24' }, routingTable: { id: 100, name: 'secondary' } },
  ],
  peers: [{ name: 'peer', network: 'default' }],
  dataPlane,
});

const state: DataplaneState = {
  egress: [
    {
      service: 'egress/web',
      host: 'worker',
      loadBalancerIPs: { ipv4: '203.0.113.10' },
      endpoints: [
        { node: 'worker', ips: { ipv4: '10.244.1.3' } },
        { node: 'worker2', ips: { ipv4: '10.244.2.3' } },
        { node: 'worker2', ips: { ipv4: '10.213.0.12' }, hostNetwork: true },
      ],
    },
    {
      service: 'egress/by-network',
      host: 'ALL',
      loadBalancerIPs: {},
      endpoints: [{ node: 'worker2', ips: { ipv4: '10.244.2.4' } }],
    },
  ],
  ingress: [],
};

function recordingMachines(dataPlane: 'linux' | 'ovn'): { machines: Machines; calls: string[][] } {
  const calls: string[][] = [];
  const machines = {
    layout: layout(dataPlane),
    ovnNbctl: async (argv: readonly string[]) => {
      calls.push([...argv]);
    },
  } as unknown as Machines;
  return { machines, calls };
}

describe('the OVN state of the reference', () => {
  it("reroutes a placed service's pod endpoints, on every node, to the chosen node's management port", () => {
    const ovn = ovnStateOf(layout('ovn'), state);
    expect(ovn.services).toEqual([
      {
        key: 'egress/web',
        nextHops: { ipv4: '10.244.1.2' },
        endpoints: { ipv4: ['10.244.1.3', '10.244.2.3'] },
      },
    ]);
    // Every address of every node, on every network: the node no-reroute policy's set.
    expect(ovn.nodeIps.ipv4).toEqual([
      '10.213.0.10',
      '10.213.1.10',
      '10.213.0.11',
      '10.213.1.11',
      '10.213.0.12',
      '10.213.1.12',
    ]);
    expect(ovn.joinSubnets).toEqual({ ipv4: '100.64.0.0/16' });
  });

  it("reroutes to the chosen node's join address when the gateway router SNATs (a fault's)", () => {
    const ovn = ovnStateOf(layout('ovn'), state, {
      reroutePriority: 101,
      omitPodNoReroute: false,
      omitNodeNoReroute: false,
      snatOnGatewayRouter: true,
    });
    expect(ovn.services[0]?.nextHops).toEqual({ ipv4: '100.64.0.3' });
  });
});

/** The same cluster dual-stack: IPv6 as the lab plans it (topology.ts). */
const dualLayout = (): ClusterLayout => {
  const base = layout('ovn');
  return {
    ...base,
    families: ['ipv4', 'ipv6'],
    clusterPodCidrs: { ...base.clusterPodCidrs, ipv6: 'fd00:10:244::/56' },
    nodes: base.nodes.map((n, index) => ({
      ...n,
      addresses: { ...n.addresses, ipv6: `fc00:f853:ccd:e793::${10 + index}` },
      podCidrs: { ...n.podCidrs, ipv6: index === 0 ? 'fd00:10:244::/64' : `fd00:10:244:${index}::/64` },
    })),
  };
};

const dualState: DataplaneState = {
  egress: [
    {
      service: 'egress/web',
      host: 'worker',
      loadBalancerIPs: { ipv4: '203.0.113.10', ipv6: '2001:db8:113::10' },
      endpoints: [
        { node: 'worker', ips: { ipv4: '10.244.1.3', ipv6: 'fd00:10:244:1::3' } },
        { node: 'worker2', ips: { ipv4: '10.244.2.3', ipv6: 'fd00:10:244:2::3' } },
      ],
    },
  ],
  ingress: [],
};

describe('the OVN state of the reference, IPv6', () => {
  it("reroutes each family to the chosen node's management port of that family (::2)", () => {
    const ovn = ovnStateOf(dualLayout(), dualState);
    expect(ovn.families).toEqual(['ipv4', 'ipv6']);
    expect(ovn.services[0]?.nextHops).toEqual({ ipv4: '10.244.1.2', ipv6: 'fd00:10:244:1::2' });
    expect(ovn.services[0]?.endpoints.ipv6).toEqual(['fd00:10:244:1::3', 'fd00:10:244:2::3']);
    expect(ovn.joinSubnets).toEqual({ ipv4: '100.64.0.0/16', ipv6: 'fd98::/64' });
    expect(ovn.nodeIps.ipv6).toEqual([
      'fc00:f853:ccd:e793::10',
      'fc00:f853:ccd:e793::11',
      'fc00:f853:ccd:e793::12',
    ]);
  });

  it('renders the v6 no-reroutes and reroutes with ip6 matches and the _v6 address sets', async () => {
    const { machines, calls } = recordingMachines('ovn');
    const programmer = new OvnEgressProgrammer({ ...machines, layout: dualLayout() } as Machines);
    await programmer.apply(dualState);
    const text = calls[0]?.join(' ') ?? '';
    expect(text).toContain('match="ip6.src == fd00:10:244::/56 && ip6.dst == fd00:10:244::/56" action=allow');
    expect(text).toContain('match="ip6.src == fd00:10:244::/56 && ip6.dst == fd98::/64" action=allow');
    expect(text).toContain(
      'match="ip6.src == $egresssvc_served_pods_v6 && ip6.dst == $node_ips_v6" action=allow options:pkt_mark="1008"',
    );
    expect(text).toContain(
      'priority=101 match="ip6.src == fd00:10:244:2::3" action=reroute nexthops="fd00:10:244:1::2"',
    );
    expect(text).toContain('name=egresssvc_served_pods_v6 addresses="fd00:10:244:1::3","fd00:10:244:2::3"');
    // The IPv4 half is unchanged beside it.
    expect(text).toContain('priority=101 match="ip4.src == 10.244.2.3" action=reroute nexthops="10.244.1.2"');
  });

  it("reroutes IPv6 to the chosen node's v6 join address when the gateway router SNATs (a fault's)", async () => {
    const ovn = ovnStateOf(dualLayout(), dualState, {
      reroutePriority: 101,
      omitPodNoReroute: false,
      omitNodeNoReroute: false,
      snatOnGatewayRouter: true,
    });
    expect(ovn.services[0]?.nextHops).toEqual({ ipv4: '100.64.0.3', ipv6: 'fd98::3' });
    const { machines, calls } = recordingMachines('ovn');
    const programmer = new OvnEgressProgrammer({ ...machines, layout: dualLayout() } as Machines, {
      reroutePriority: 101,
      omitPodNoReroute: false,
      omitNodeNoReroute: false,
      snatOnGatewayRouter: true,
    });
    await programmer.apply(dualState);
    expect(calls[0]?.join(' ')).toContain(
      '--may-exist lr-nat-add GR_worker snat 2001:db8:113::10 fd00:10:244:2::3',
    );
  });

  it('has the chosen host SNAT the IPv6 endpoints to the IPv6 LoadBalancer IP, and no other host steer them', () => {
    expect(renderNodeDataplane(dualLayout(), 'worker', dualState)).toMatch(
      /ip6 saddr \{ fd00:10:244:1::3, fd00:10:244:2::3 \} ip6 daddr != @cluster-v6 snat ip6 to 2001:db8:113::10/,
    );
    expect(renderNodeDataplane(dualLayout(), 'worker2', dualState)).not.toMatch(/ip -6 rule add|snat ip6/);
  });
});

describe('the OVN programmer', () => {
  it('writes the northbound database only when the state changed, and waits for the nodes when asked', async () => {
    const { machines, calls } = recordingMachines('ovn');
    const programmer = new OvnEgressProgrammer(machines);
    expect(programmer.active).toBe(true);
    expect(await programmer.apply(state, true)).toBe(true);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.join(' ')).toContain('priority=101 match="ip4.src == 10.244.2.3" action=reroute');
    expect(calls[1]).toEqual(['--timeout=10', '--wait=hv', 'sync']);
    expect(await programmer.apply(state, true)).toBe(false);
    expect(calls).toHaveLength(2);
    programmer.forget();
    expect(await programmer.apply(state)).toBe(true);
    expect(calls).toHaveLength(3);
  });

  it('puts the gateway-router SNATs of the fault in and takes them out again', async () => {
    const { machines, calls } = recordingMachines('ovn');
    const programmer = new OvnEgressProgrammer(machines, {
      reroutePriority: 103,
      omitPodNoReroute: false,
      omitNodeNoReroute: false,
      snatOnGatewayRouter: true,
    });
    await programmer.apply(state);
    const first = calls[0]?.join(' ') ?? '';
    expect(first).toContain('priority=103');
    expect(first).toContain('--may-exist lr-nat-add GR_worker snat 203.0.113.10 10.244.2.3');
    await programmer.apply({ ...state, egress: [] });
    expect(calls[1]?.join(' ')).toContain('--if-exists lr-nat-del GR_worker snat 10.244.2.3');
  });

  it('does nothing on the linux data plane', async () => {
    const { machines, calls } = recordingMachines('linux');
    const programmer = new OvnEgressProgrammer(machines);
    expect(programmer.active).toBe(false);
    expect(await programmer.apply(state)).toBe(false);
    expect(calls).toEqual([]);
  });
});

describe('the hosts on the OVN data plane', () => {
  it("steer no endpoint between nodes by ip rules: OVN's reroute does", () => {
    const linux = renderNodeDataplane(layout('linux'), 'worker2', state);
    const ovn = renderNodeDataplane(layout('ovn'), 'worker2', state);
    expect(linux).toMatch(/ip -4 rule add from 10\.244\.2\.3 lookup 1001 priority 1600/);
    expect(ovn).not.toMatch(/lookup 1001/);
    expect(ovn).not.toMatch(/snat ip to ip saddr/);
    // The chosen node still SNATs every endpoint to the LoadBalancer IP.
    expect(renderNodeDataplane(layout('ovn'), 'worker', state)).toMatch(
      /ip saddr \{ 10\.244\.1\.3, 10\.244\.2\.3, 10\.213\.0\.12 \} ip daddr != @cluster-v4 snat ip to 203\.0\.113\.10/,
    );
  });
});

describe('what a host holds while OVN changes (withRetainedSnat)', () => {
  const placement = state.egress[0] as DataplaneState['egress'][number];
  const without = (ip: string): DataplaneState => ({
    ...state,
    egress: [{ ...placement, endpoints: placement.endpoints.filter((e) => e.ips.ipv4 !== ip) }],
  });

  it('keeps the SNAT of an endpoint that left, on the chosen node only, until the next state', () => {
    const next = without('10.244.2.3');
    const held = withRetainedSnat('worker', next, state);
    expect(renderNodeDataplane(layout('ovn'), 'worker', held)).toMatch(
      /ip saddr \{ 10\.244\.2\.3 \}.* snat ip to 203\.0\.113\.10/,
    );
    expect(withRetainedSnat('worker2', next, state)).toBe(next);
  });

  it('keeps a former chosen node SNATing after the placement leaves it', () => {
    const moved: DataplaneState = { ...state, egress: [{ ...placement, host: 'worker2' }] };
    const held = withRetainedSnat('worker', moved, state);
    expect(held.egress.map((p) => p.host)).toEqual(['worker2', 'worker']);
  });

  it('adds nothing when nothing left: the same state, so no extra script runs', () => {
    expect(withRetainedSnat('worker', state, state)).toBe(state);
    expect(withRetainedSnat('worker', state, undefined)).toBe(state);
  });
});
