/** The reference lab's pure logic for the extended profile: placement and data plane rendering. */
import { describe, expect, it } from 'vitest';
import { planLab } from '../../harness/env/lab/infra/topology.js';
import { renderNodeDataplane } from '../../harness/env/lab/reference/dataplane.js';
import { placeEgressServices } from '../../harness/env/lab/reference/egress-placement.js';
import type { EgressServiceView, ServiceView } from '../../harness/env/lab/reference/model.js';

const nodes = ['a', 'b', 'c'].map((name) => ({
  name,
  labels: { 'kubernetes.io/hostname': name },
  ready: true,
}));

function service(overrides: Partial<ServiceView> = {}): ServiceView {
  return {
    namespace: 'ns',
    name: 'web',
    type: 'LoadBalancer',
    selector: { app: 'web' },
    ports: [{ protocol: 'tcp', port: 8080, targetPort: 8080 }],
    families: ['ipv4'],
    pool: 'p',
    externalTrafficPolicy: 'Cluster',
    ingress: ['203.0.113.5'],
    ...overrides,
  };
}

const egress: EgressServiceView = {
  namespace: 'ns',
  name: 'web',
  sourceIPBy: 'LoadBalancerIP',
  nodeSelector: undefined,
  network: undefined,
};

function place(svc: ServiceView, endpoints: { podNodes: string[]; hostNetworked: number }, faults = {}) {
  const placements = placeEgressServices(
    [egress],
    new Map([['ns/web', svc]]),
    nodes,
    new Map(),
    faults,
    new Map([['ns/web', endpoints]]),
  );
  return placements.get('ns/web');
}

describe('placement', () => {
  it('with externalTrafficPolicy Local picks a node that hosts an endpoint', () => {
    expect(
      place(service({ externalTrafficPolicy: 'Local' }), { podNodes: ['c'], hostNetworked: 0 })?.host,
    ).toBe('c');
  });
  it('with externalTrafficPolicy Local and no endpoint anywhere, places nowhere', () => {
    const placement = place(service({ externalTrafficPolicy: 'Local' }), { podNodes: [], hostNetworked: 0 });
    expect(placement?.host).toBe('');
    expect(placement?.reason).toMatch(/Local/);
  });
  it('ignores endpoints with externalTrafficPolicy Cluster (and under the ignore-etp-local fault)', () => {
    expect(place(service(), { podNodes: ['c'], hostNetworked: 0 })?.host).toBe('a');
    const faulty = place(
      service({ externalTrafficPolicy: 'Local' }),
      { podNodes: ['c'], hostNetworked: 0 },
      {
        ignoreEtpLocal: true,
      },
    );
    expect(faulty?.host).toBe('a');
  });
  it('gives a Service with only host-networked endpoints no host', () => {
    expect(place(service(), { podNodes: [], hostNetworked: 2 })?.host).toBe('');
    expect(
      place(service(), { podNodes: [], hostNetworked: 2 }, { countHostNetworkEndpoints: true })?.host,
    ).toBe('a');
  });
  it.each([
    ['failed', nodes.map((n) => (n.name === 'b' ? { ...n, ready: false } : n))],
    ['removed from the cluster', nodes.filter((n) => n.name !== 'b')],
  ])('moves off a node %s, unless the no-failover fault keeps it there', (_, after) => {
    const args: Parameters<typeof placeEgressServices> = [
      [egress],
      new Map([['ns/web', service()]]),
      after,
      new Map([['ns/web', 'b']]),
    ];
    expect(placeEgressServices(...args).get('ns/web')?.host).toBe('a');
    expect(
      placeEgressServices(args[0], args[1], args[2], args[3], { noFailover: true }).get('ns/web')?.host,
    ).toBe('b');
  });
  it("finds an EgressService's Service in its own namespace; the service-lookup-by-name fault takes a namesake's", () => {
    // web in `other` is a placeable LoadBalancer; web in `ns` is a ClusterIP without ingress.
    const egressServices = [egress, { ...egress, namespace: 'other' }];
    const services = new Map([
      ['other/web', service({ namespace: 'other', ingress: ['203.0.113.6'] })],
      ['ns/web', service({ type: 'ClusterIP', ingress: [] })],
    ]);
    const hosts = (serviceLookup: 'namespace-and-name' | 'name-only') => {
      const placements = placeEgressServices(egressServices, services, nodes, new Map(), { serviceLookup });
      return [placements.get('ns/web')?.host, placements.get('other/web')?.host];
    };
    expect(hosts('namespace-and-name')).toEqual(['', 'a']);
    // Both placed, least loaded first, in key order: ns/web took the namesake's Service for its own.
    expect(hosts('name-only')).toEqual(['a', 'b']);
  });
});

describe('data plane rendering for spec.network', () => {
  const plan = planLab(
    't',
    'r',
    { families: ['ipv4'] },
    {
      default: { ipv4: '10.213.0.0/24', ipv6: 'fd65::/64' },
      secondary: { ipv4: '10.213.1.0/24', ipv6: 'fd65:1::/64' },
      tertiary: { ipv4: '10.213.2.0/24', ipv6: 'fd65:2::/64' },
    },
  );
  const endpoints = [
    { node: 'control-plane', ips: { ipv4: '10.244.0.5' } },
    { node: 'worker', ips: { ipv4: '10.244.1.5' } },
  ];
  const state = {
    egress: [{ host: 'control-plane', loadBalancerIPs: { ipv4: '203.0.113.5' }, endpoints, table: 100 }],
    ingress: [],
  };

  it('routes every endpoint and the LoadBalancer IP by the table on the chosen node, and SNATs there', () => {
    const script = renderNodeDataplane(plan, 'control-plane', state);
    expect(script).toContain('ip -4 rule add from 10.244.0.5 lookup 100 priority 1700');
    expect(script).toContain('ip -4 rule add from 10.244.1.5 lookup 100 priority 1700');
    expect(script).toContain('ip -4 rule add from 203.0.113.5 lookup 100 priority 1700');
    expect(script).toMatch(
      /ip saddr \{ 10\.244\.0\.5, 10\.244\.1\.5 \} ip daddr != @cluster-v4 snat ip to 203\.0\.113\.5/,
    );
  });
  it("steers the other nodes' endpoints to the chosen node, not by the table", () => {
    const script = renderNodeDataplane(plan, 'worker', state);
    expect(script).toContain('ip -4 rule add from 10.244.1.5 lookup 1000 priority 1600');
    expect(script).not.toContain('lookup 100 priority');
  });
  it("with sourceIPBy Network routes each node's own endpoints by the table, without SNAT", () => {
    const all = { egress: [{ host: 'ALL', loadBalancerIPs: {}, endpoints, table: 100 }], ingress: [] };
    const script = renderNodeDataplane(plan, 'worker', all);
    expect(script).toContain('ip -4 rule add from 10.244.1.5 lookup 100 priority 1700');
    expect(script).not.toContain('10.244.0.5 lookup');
    expect(script).not.toMatch(/snat ip to/);
  });
  it('applies a change as a difference: new rules first, old ones removed after, nothing flushed', () => {
    const moved = { ...state, egress: [{ ...state.egress[0]!, host: 'worker2' }] };
    const script = renderNodeDataplane(plan, 'worker', moved, state);
    expect(script).not.toContain('while ip -4 rule del');
    const add = script.indexOf('rule add from 10.244.1.5 lookup 1002 priority 1600');
    const del = script.indexOf('rule del from 10.244.1.5 lookup 1000 priority 1600');
    expect(add).toBeGreaterThan(0);
    expect(del).toBeGreaterThan(add);
  });
});
