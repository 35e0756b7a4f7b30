/**
 * The reference's behaviour record and the fault table built on it: every fault is a real
 * deviation, faults combine field by field, and the pure parts of the reference (egress rules,
 * publication) do what the record's fields say.
 */
import { describe, expect, it } from 'vitest';
import { planLab } from '../../harness/env/lab/infra/topology.js';
import {
  type Behaviour,
  BehaviourConflict,
  CONFORMANT,
  combineBehaviour,
} from '../../harness/env/lab/reference/behaviour.js';
import { renderNodeDataplane } from '../../harness/env/lab/reference/dataplane.js';
import { egressPlacementOf } from '../../harness/env/lab/reference/egress-rules.js';
import { behaviourWith, FAULTS, type FaultName } from '../../harness/env/lab/reference/faults.js';
import type { ServiceView } from '../../harness/env/lab/reference/model.js';
import { labelsWanted, publishedHost } from '../../harness/env/lab/reference/publication.js';

describe('the fault table', () => {
  it('gives every fault a change that sets only fields of the record, each away from the conformant value', () => {
    for (const fault of FAULTS) {
      const entries = Object.entries(fault.behaviour);
      expect(entries.length, fault.name).toBeGreaterThan(0);
      for (const [role, fields] of entries) {
        const conformant = CONFORMANT[role as keyof Behaviour] as unknown as Record<string, unknown>;
        expect(conformant, `${fault.name}: role ${role}`).toBeDefined();
        for (const [key, value] of Object.entries(fields)) {
          expect(key in conformant, `${fault.name}: ${role}.${key}`).toBe(true);
          expect(typeof value, `${fault.name}: ${role}.${key}`).toBe(typeof conformant[key]);
          expect(value, `${fault.name}: ${role}.${key}`).not.toEqual(conformant[key]);
        }
      }
    }
  });

  it('has no two faults that make the same implementation', () => {
    const records = FAULTS.map((f) => JSON.stringify(behaviourWith([f.name])));
    expect(new Set(records).size).toBe(FAULTS.length);
    expect(records).not.toContain(JSON.stringify(CONFORMANT));
  });

  it('names at least one statement that must catch each fault', () => {
    for (const fault of FAULTS) {
      const extended = 'extendedStatements' in fault ? fault.extendedStatements : [];
      expect([...fault.statements, ...extended].length, fault.name).toBeGreaterThan(0);
    }
  });
});

describe('combining faults', () => {
  it('is the conformant record without any', () => {
    expect(behaviourWith([])).toEqual(CONFORMANT);
  });

  it('keeps every field each fault sets, across roles', () => {
    const both = behaviourWith(['no-snat', 'label-every-node', 'no-failover']);
    expect(both.dataplane.omitEgressRules).toBe(true);
    expect(both.publication.label).toBe('every-node');
    expect(both.placement.noFailover).toBe(true);
    expect(both.announcements).toEqual(CONFORMANT.announcements);
  });

  it('accepts two faults that set one field to the same value', () => {
    const both = behaviourWith(['ignore-network', 'network-announced-not-routed']);
    expect(both.dataplane.ignoreNetworkTable).toBe(true);
    expect(both.announcements.ignoreNetworkPeers).toBe(true);
  });

  it.each([
    ['late-snat', 'long-leak-window', 'dataplane.egressRulesDelayMs'],
    ['no-node-label', 'label-every-node', 'publication.label'],
  ] as Array<[FaultName, FaultName, string]>)(
    'refuses %s with %s: both set %s differently',
    (a, b, field) => {
      let thrown: unknown;
      try {
        behaviourWith([a, b]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BehaviourConflict);
      expect(thrown).toMatchObject({ field, first: a, second: b });
    },
  );

  it('does not change the conformant record', () => {
    const before = JSON.stringify(CONFORMANT);
    combineBehaviour([{ name: 'x', change: { dataplane: { snatInCluster: true } } }]);
    expect(JSON.stringify(CONFORMANT)).toBe(before);
  });
});

describe('egress rules as the data plane behaviour makes them', () => {
  const plan = planLab(
    't',
    'r',
    { families: ['ipv4', 'ipv6'] },
    {
      default: { ipv4: '10.213.0.0/24', ipv6: 'fd65::/64' },
      secondary: { ipv4: '10.213.1.0/24', ipv6: 'fd65:1::/64' },
      tertiary: { ipv4: '10.213.2.0/24', ipv6: 'fd65:2::/64' },
    },
  );
  const service: ServiceView = {
    namespace: 'ns',
    name: 'web',
    type: 'LoadBalancer',
    selector: { app: 'web' },
    ports: [{ protocol: 'tcp', port: 8080, targetPort: 8080 }],
    families: ['ipv4', 'ipv6'],
    pool: undefined,
    externalTrafficPolicy: 'Cluster',
    ingress: ['203.0.113.5', '2001:db8:113::5'],
  };
  const endpoints = [
    { node: 'control-plane', ips: { ipv4: '10.244.0.5', ipv6: 'fd00:10:244::5' }, hostNetwork: false },
    { node: 'worker', ips: {}, hostNetwork: true },
  ];
  const nodeAddresses = (node: string) => plan.nodes.find((n) => n.name === node)?.addresses ?? {};
  const network = plan.networks.find((n) => n.name === 'secondary');

  /** The chosen node's script for one placed service with the faults' behaviour. */
  function chosenNode(faults: FaultName[], host = 'control-plane'): string {
    const placement = egressPlacementOf({
      service,
      host,
      network,
      endpoints,
      nodeAddresses,
      behaviour: behaviourWith(faults).dataplane,
    });
    return renderNodeDataplane(plan, host === 'ALL' ? 'control-plane' : host, {
      egress: [placement],
      ingress: [],
    });
  }
  const v4 = plan.nodes[0]?.addresses.ipv4 as string;
  const v6 = plan.nodes[0]?.addresses.ipv6 as string;

  it('conformant: endpoints SNAT to the LoadBalancer IPs, outward only, routed by the network table', () => {
    const script = chosenNode([]);
    expect(script).toContain('ip saddr { 10.244.0.5 } ip daddr != @cluster-v4 snat ip to 203.0.113.5');
    expect(script).toContain(
      'ip6 saddr { fd00:10:244::5 } ip6 daddr != @cluster-v6 snat ip6 to 2001:db8:113::5',
    );
    expect(script).toContain('ip -4 rule add from 10.244.0.5 lookup 100 priority 1700');
    expect(script).not.toContain(v4);
    expect(script).not.toMatch(/reply drop/);
  });

  it.each<[FaultName, (script: string) => void]>([
    ['snat-to-node-ip', (s) => expect(s).toContain(`snat ip to ${v4}`)],
    ['snat-ipv4-only', (s) => expect(s).not.toContain('snat ip6 to')],
    ['dual-stack-ipv6-node-ip', (s) => expect(s).toContain(`snat ip6 to ${v6}`)],
    ['snat-in-cluster', (s) => expect(s).toContain('ip saddr { 10.244.0.5 } snat ip to 203.0.113.5')],
    ['no-return-path', (s) => expect(s).toContain('ip daddr 203.0.113.5 ct direction reply drop')],
    ['ignore-network', (s) => expect(s).not.toContain('lookup 100')],
    ['network-announced-not-routed', (s) => expect(s).not.toContain('lookup 100')],
    ['rewrite-host-network', (s) => expect(s).toMatch(/saddr \{ 10\.244\.0\.5, 10\.213\.0\.11 \}/)],
  ])("%s bends the chosen node's rules", (fault, check) => {
    check(chosenNode([fault]));
  });

  it('sourceIPBy Network leaves the source to the node unless network-snat-to-lb', () => {
    expect(chosenNode([], 'ALL')).not.toMatch(/snat ip6? to/);
    expect(chosenNode(['network-snat-to-lb'], 'ALL')).toContain('snat ip to 203.0.113.5');
  });

  /**
   * externalTrafficPolicy Local takes upstream's local gateway hop (the ETP-Local masquerade
   * address and node port, then the pod's own namespace), and the replies from that address are
   * routed by the network's table: 210a1808b's `from <masquerade> sport <node port>` rules, which
   * etp-local-reply-by-main-table leaves out.
   */
  it('ETP Local: the ingress goes through the masquerade address and node port, whose replies take the network table', () => {
    const local: ServiceView = {
      ...service,
      externalTrafficPolicy: 'Local',
      ports: [{ protocol: 'tcp', port: 8080, targetPort: 8080, nodePort: 30123 }],
    };
    const render = (faults: FaultName[]) => {
      const placement = egressPlacementOf({
        service: local,
        host: 'control-plane',
        network,
        endpoints,
        nodeAddresses,
        behaviour: behaviourWith(faults).dataplane,
      });
      return renderNodeDataplane(plan, 'control-plane', {
        egress: [placement],
        ingress: [
          {
            family: 'ipv4',
            address: '203.0.113.5',
            protocol: 'tcp',
            port: 8080,
            nodePort: 30123,
            backends: [{ ip: '10.244.0.5', port: 8080, node: 'control-plane', netns: 'pod-ns' }],
          },
        ],
      });
    };
    const script = render([]);
    expect(script).toContain('ip daddr 203.0.113.5 tcp dport 8080 dnat ip to 169.254.169.3:30123');
    expect(script).toContain(
      'ip -4 rule add to 169.254.169.3 ipproto 6 dport 30123 lookup 30123 priority 1450',
    );
    expect(script).toContain('ip -4 route replace 169.254.169.3 via 10.244.0.5 table 30123');
    expect(script).toContain('ip daddr 169.254.169.3 tcp dport 30123 dnat ip to 10.244.0.5:8080');
    expect(script).toContain('ip -4 rule add from 169.254.169.3 sport 30123 lookup 100 priority 1700');
    expect(script).toContain('ip -6 rule add from fd69::3 sport 30123 lookup 100 priority 1700');
    // Client addresses are kept: no masquerade of the ETP Local ingress.
    expect(script).not.toContain('ct original ip daddr { 203.0.113.5 } masquerade');
    const broken = render(['etp-local-reply-by-main-table']);
    expect(broken).toContain('dnat ip to 169.254.169.3:30123');
    expect(broken).not.toContain('from 169.254.169.3 sport');
    expect(broken).not.toContain('from fd69::3 sport');
  });
});

describe('publication as the behaviour makes it', () => {
  const nodes = ['a', 'b', 'c'];
  const placements = new Map([
    ['ns/one', 'a'],
    ['ns/two', 'b'],
  ]);
  const stale = new Map([['ns/one', new Set(['c'])]]);
  const label = (key: string) => `egress-service.k8s.ovn.org/${key.replace('/', '-')}`;

  it('conformant: the chosen node carries the label and status.host names it', () => {
    const publication = CONFORMANT.publication;
    expect(labelsWanted('a', placements, new Map(), publication)).toEqual([label('ns/one')]);
    expect(labelsWanted('c', placements, new Map(), publication)).toEqual([]);
    expect(publishedHost('b', nodes, publication)).toBe('b');
    expect(publishedHost('', nodes, publication)).toBe('');
  });

  it('follows the publication faults', () => {
    expect(labelsWanted('a', placements, new Map(), behaviourWith(['no-node-label']).publication)).toEqual(
      [],
    );
    expect(labelsWanted('c', placements, new Map(), behaviourWith(['label-every-node']).publication)).toEqual(
      [label('ns/one'), label('ns/two')],
    );
    expect(labelsWanted('c', placements, stale, behaviourWith(['failover-keeps-label']).publication)).toEqual(
      [label('ns/one')],
    );
    const mismatch = behaviourWith(['host-mismatch']).publication;
    expect(publishedHost('c', nodes, mismatch)).toBe('a');
    expect(publishedHost('ALL', nodes, mismatch)).toBe('ALL');
  });
});
