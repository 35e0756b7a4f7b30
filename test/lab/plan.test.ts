/** The lab's pure parts: address arithmetic, the plan, rendered configs, parsers. No Docker. */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { canonicalIp, cidrContains, cidrsOverlap, ipv6Host } from '../../harness/common/ip.js';
import { parseBgpRoutes, parseBgpSummary } from '../../harness/env/lab/infra/bgp.js';
import { splitRule } from '../../harness/env/lab/infra/bridge-filter.js';
import { parseTcpdumpCounters } from '../../harness/env/lab/infra/capture.js';
import {
  renderNodeNftables,
  renderNodeSetup,
  renderOvnCentralSetup,
} from '../../harness/env/lab/infra/container-setup.js';
import {
  announceCommands,
  renderNodeFrrConfig,
  renderPeerFrrConfig,
} from '../../harness/env/lab/infra/frr-config.js';
import { candidateSubnets, pickFreeSubnets } from '../../harness/env/lab/infra/networks.js';
import {
  createPodScript,
  freeSlotLine,
  parsePodList,
  podVethName,
  SLOT_REST_SECONDS,
  slotAllocationLines,
} from '../../harness/env/lab/infra/pods.js';
import { planLab } from '../../harness/env/lab/infra/topology.js';

const subnets = {
  default: { ipv4: '10.213.4.0/24', ipv6: 'fd65:636c:6162:4::/64' },
  secondary: { ipv4: '10.213.5.0/24', ipv6: 'fd65:636c:6162:5::/64' },
  tertiary: { ipv4: '10.213.6.0/24', ipv6: 'fd65:636c:6162:6::/64' },
};

describe('ip helpers', () => {
  it('writes IPv6 canonically and finds overlaps across prefix lengths', () => {
    expect(canonicalIp('fd65:636c:6162:0::/64')).toBe('fd65:636c:6162::/64');
    expect(canonicalIp('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(ipv6Host('fd65:636c:6162:4::/64', 10)).toBe('fd65:636c:6162:4::10');
    expect(cidrsOverlap('10.213.0.0/16', '10.213.7.0/24')).toBe(true);
    expect(cidrsOverlap('10.213.0.0/24', '10.213.1.0/24')).toBe(false);
    expect(cidrsOverlap('10.0.0.0/8', 'fd00::/8')).toBe(false);
    expect(cidrContains('2001:db8::/32', '2001:db8:5100::10')).toBe(true);
  });

  it('picks subnets that collide with nothing in use', () => {
    expect(pickFreeSubnets([])).toEqual(candidateSubnets(0));
    expect(pickFreeSubnets(['10.213.0.0/23', '172.17.0.0/16'])).toEqual(candidateSubnets(2));
    expect(pickFreeSubnets(['fd65:636c:6162::/63'])).toEqual(candidateSubnets(2));
    expect(pickFreeSubnets(['10.213.0.0/16'])).toBeUndefined();
  });
});

describe('lab plan', () => {
  const plan = planLab('eclab-unit', 'run-1', {}, subnets);

  it('names, addresses and pod CIDRs like a kind cluster', () => {
    expect(plan.nodes.map((n) => [n.name, n.container, n.addresses.ipv4, n.podCidrs.ipv6])).toEqual([
      ['control-plane', 'eclab-unit-control-plane', '10.213.4.10', 'fd00:10:244::/64'],
      ['worker', 'eclab-unit-worker', '10.213.4.11', 'fd00:10:244:1::/64'],
      ['worker2', 'eclab-unit-worker2', '10.213.4.12', 'fd00:10:244:2::/64'],
    ]);
    expect(plan.nodes[1]?.networkAddresses.secondary).toEqual({
      ipv4: '10.213.5.11',
      ipv6: 'fd65:636c:6162:5::11',
    });
    expect(plan.peers.map((p) => [p.name, p.network, p.asn, p.interfaceAddresses.ipv6])).toEqual([
      ['peer', 'default', 64500, 'fd65:636c:6162:4::100'],
      ['peer2', 'secondary', 64501, 'fd65:636c:6162:5::100'],
      ['peer3', 'tertiary', 64502, 'fd65:636c:6162:6::100'],
    ]);
    expect(plan.networks.map((n) => [n.name, n.dockerName, n.routingTable?.id])).toEqual([
      ['default', 'eclab-unit-default', undefined],
      ['secondary', 'eclab-unit-secondary', 100],
      ['tertiary', 'eclab-unit-tertiary', 101],
    ]);
  });

  it("gives the tertiary network's client the secondary one's address (ES-NET-4)", () => {
    const [, peer2, peer3] = plan.peers;
    expect(peer3?.serviceAddresses).toEqual(peer2?.serviceAddresses);
    expect(peer3?.serviceAddresses).toEqual({ ipv4: '198.51.100.20', ipv6: '2001:db8:5100::20' });
    expect(peer3?.interfaceAddresses).not.toEqual(peer2?.interfaceAddresses);
    const setup = renderNodeSetup(plan, plan.nodes[0]!);
    expect(setup).toContain("'100 secondary' '101 tertiary'");
    expect(setup).toContain('ip -4 route add 198.51.100.20 via 10.213.5.100 table 100');
    expect(setup).toContain('ip -4 route add 198.51.100.20 via 10.213.6.100 table 101');
    expect(setup).toContain('ip -6 route add 2001:db8:5100::20 via fd65:636c:6162:6::100 table 101');
    // Nodes take no route from either network's peer: the tables alone lead there.
    const frr = renderNodeFrrConfig(plan, plan.nodes[0]!);
    expect(frr).toContain(' neighbor 10.213.6.100 remote-as 64502');
    expect(frr).toContain('  neighbor 10.213.6.100 route-map LAB-DENY-ALL in');
    expect(frr).toContain('  neighbor fd65:636c:6162:6::100 route-map LAB-DENY-ALL in');
  });

  it('has the tertiary network only with the secondary one, and can leave it out', () => {
    const names = (options: Parameters<typeof planLab>[2]) =>
      planLab('eclab-n', 'r', options, subnets).networks.map((n) => n.name);
    expect(names({ tertiaryNetwork: false })).toEqual(['default', 'secondary']);
    expect(names({ secondaryNetwork: false })).toEqual(['default']);
    expect(() =>
      planLab('eclab-n', 'r', {}, { default: subnets.default, secondary: subnets.secondary }),
    ).toThrow(/tertiary network has no subnets/);
  });

  it('keeps every outside address in the documentation ranges', () => {
    const outside = [
      ...plan.peers.flatMap((p) => Object.values(p.serviceAddresses)),
      ...Object.values(plan.loadBalancerRanges),
    ];
    const documentation = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'];
    for (const address of outside) expect(documentation.some((d) => cidrContains(d, address))).toBe(true);
  });

  it('supports a single-stack lab without the second network', () => {
    const small = planLab(
      'eclab-v4',
      'eclab-v4',
      { nodes: 2, families: ['ipv4'], secondaryNetwork: false },
      subnets,
    );
    expect(small.nodes.map((n) => n.name)).toEqual(['control-plane', 'worker']);
    expect(small.peers.map((p) => p.name)).toEqual(['peer']);
    expect(small.nodes[0]?.podCidrs).toEqual({ ipv4: '10.244.0.0/24' });
    const frr = renderNodeFrrConfig(small, small.nodes[0]!);
    expect(frr).not.toContain('address-family ipv6');
    expect(renderNodeNftables(small, small.nodes[0]!)).not.toContain('ip6 saddr');
  });

  it('renders node and peer FRR configs with the sessions of the plan', () => {
    const node = renderNodeFrrConfig(plan, plan.nodes[0]!);
    expect(node).toContain('router bgp 64512');
    expect(node).toContain(' neighbor 10.213.4.100 remote-as 64500');
    expect(node).toContain(' neighbor fd65:636c:6162:5::100 remote-as 64501');
    expect(node).toContain('  neighbor 10.213.5.100 route-map LAB-DENY-ALL in');
    expect(node).not.toContain('10.213.4.100 route-map LAB-DENY-ALL in');
    const peer = renderPeerFrrConfig(plan, plan.peers[0]!);
    expect(peer).toContain('  network 198.51.100.10/32');
    expect(peer).toContain(' neighbor fd65:636c:6162:4::12 passive');
    expect(peer).not.toContain('10.213.5.');
  });

  it('holds BGP sessions 3 s on the Linux data plane and 9 s on OVN (starved userspace br-ex)', () => {
    expect(renderNodeFrrConfig(plan, plan.nodes[0]!)).toContain(' timers bgp 1 3\n');
    const ovn = planLab('eclab-unit', 'run-1', { families: ['ipv4'], dataPlane: 'ovn' }, subnets);
    expect(renderNodeFrrConfig(ovn, ovn.nodes[0]!)).toContain(' timers bgp 3 9\n');
    expect(renderPeerFrrConfig(ovn, ovn.peers[0]!)).toContain(' timers bgp 3 9\n');
  });

  it('announces through prefix-lists before the network statement, and withdraws in reverse', () => {
    const args = announceCommands(plan.nodes[0]!, '203.0.113.5', ['peer'], false).filter((a) => a !== '-c');
    expect(args[1]).toBe('ip prefix-list LAB-OUT-peer-V4 permit 203.0.113.5/32');
    expect(args).toContain('network 203.0.113.5/32');
    const back = announceCommands(plan.nodes[0]!, '2001:db8:113::5/128', ['peer'], true).filter(
      (a) => a !== '-c',
    );
    expect(back.at(-1)).toBe('no ipv6 prefix-list LAB-OUT-peer-V6 permit 2001:db8:113::5/128');
    expect(back).toContain('no network 2001:db8:113::5/128');
  });

  /** A scratch slot root with the allocation and the deletion's freeing run by sh, as on a node. */
  async function slotRoot() {
    const root = await mkdtemp(join(tmpdir(), 'ec-slots-'));
    const sh = (script: string) => execa('sh', ['-e', '-c', script], { reject: false });
    return {
      root,
      take: async () => (await sh(`${slotAllocationLines(root, 'n').join('\n')}\necho $slot`)).stdout,
      /** Frees a slot as deleting its pod does, `agoSeconds` in the past. */
      free: async (slot: string, agoSeconds = 0) => {
        await writeFile(join(root, 'slot-of-pod'), `${slot}\n`);
        await sh(freeSlotLine(root, join(root, 'slot-of-pod')));
        const when = new Date(Date.now() - agoSeconds * 1000);
        await utimes(join(root, `.slot-${slot}`, 'freed'), when, when);
      },
      sh,
      remove: () => rm(root, { recursive: true, force: true }),
    };
  }

  it('hands out pod address slots round-robin: a freed slot is not given again until the others were', async () => {
    const slots = await slotRoot();
    try {
      expect([await slots.take(), await slots.take(), await slots.take()]).toEqual(['2', '3', '4']);
      await slots.free('3', SLOT_REST_SECONDS + 5);
      // The pod replacing slot 3's gets a new slot, not 3.
      expect(await slots.take()).toBe('5');
      // At the end of the range it wraps around to the free slots at its start.
      await writeFile(join(slots.root, '.last-slot'), '254\n');
      expect(await slots.take()).toBe('3');
      for (let slot = 6; slot <= 254; slot++) await mkdir(join(slots.root, `.slot-${slot}`));
      const full = await slots.sh(slotAllocationLines(slots.root, 'n').join('\n'));
      expect([full.exitCode, full.stderr]).toEqual([28, 'no free pod address on n']);
    } finally {
      await slots.remove();
    }
  });

  it('lets a freed slot rest: after a wrap-around a replaced pod still gets a new address', async () => {
    const slots = await slotRoot();
    try {
      for (let i = 0; i < 6; i++) await slots.take();
      // A long-lived lab: the counter has come round to just before slot 4, whose pod is replaced.
      await writeFile(join(slots.root, '.last-slot'), '3\n');
      await slots.free('4');
      expect(await slots.take()).toBe('8');
      // Rested long enough, it is handed out again in its turn.
      await writeFile(join(slots.root, '.last-slot'), '3\n');
      await slots.free('5', SLOT_REST_SECONDS + 5);
      expect(await slots.take()).toBe('5');
      // When nothing else is free, a resting slot is better than no pod.
      for (let slot = 9; slot <= 254; slot++) await mkdir(join(slots.root, `.slot-${slot}`));
      expect(await slots.take()).toBe('4');
    } finally {
      await slots.remove();
    }
  });

  it('never hands out a freed slot early when creations run side by side', async () => {
    const slots = await slotRoot();
    try {
      for (let i = 0; i < 10; i++) await slots.take();
      await slots.free('2', SLOT_REST_SECONDS + 5);
      // Before the counter was renamed into place, a creation could read it while another
      // rewrote it, start from the first slot and take 2, just freed (ES-SNAT-5's replaced pods).
      const taken = await Promise.all(Array.from({ length: 80 }, slots.take));
      expect(taken).not.toContain('2');
      expect(new Set(taken).size).toBe(taken.length);
    } finally {
      await slots.remove();
    }
  });

  it('routes other nodes pod CIDRs and the second network through its table', () => {
    const setup = renderNodeSetup(plan, plan.nodes[1]!);
    expect(setup).toContain('ip -4 route add 10.244.0.0/24 via 10.213.4.10');
    expect(setup).not.toContain('10.244.1.0/24 via');
    expect(setup).toContain('ip -6 route add 2001:db8:5100::20 via fd65:636c:6162:5::100 table 100');
  });

  it('creates pods with a veth name that fits the kernel limit', () => {
    expect(podVethName('a-very-long-pod-name-in-some-namespace').length).toBeLessThanOrEqual(15);
    const script = createPodScript(plan, plan.nodes[2]!, 'web-0');
    expect(script).toContain('ip4=10.244.2.$slot');
    expect(script).toContain('ip6=fd00:10:244:2::$(printf %x "$slot")');
    expect(() => createPodScript(plan, plan.nodes[0]!, 'Bad_Name')).toThrow(/invalid pod name/);
    expect(parsePodList('worker', 'web-0 10.244.1.2 fd00:10:244:1::2 ns\nv4only 10.244.1.3 - ns\n')).toEqual([
      { node: 'worker', name: 'web-0', netns: 'ns', ips: { ipv4: '10.244.1.2', ipv6: 'fd00:10:244:1::2' } },
      { node: 'worker', name: 'v4only', netns: 'ns', ips: { ipv4: '10.244.1.3' } },
    ]);
  });
});

describe('the OVN data plane, dual-stack', () => {
  const ovn = planLab('eclab-ovn', 'eclab-ovn', { families: ['ipv4', 'ipv6'], dataPlane: 'ovn' }, subnets);

  it('gives every port both families, the IPv6 join subnet, and a source route per family', () => {
    const topology = renderOvnCentralSetup(ovn);
    expect(topology).toMatch(
      /lrp-add ovn_cluster_router rtoj-ovn_cluster_router \S+ 100\.64\.0\.1\/16 fd98::1\/64/,
    );
    expect(topology).toMatch(
      /lrp-add ovn_cluster_router rtos-worker 0a:58:0a:f4:01:01 10\.244\.1\.1\/24 fd00:10:244:1::1\/64/,
    );
    expect(topology).toContain(
      'lsp-set-addresses k8s-worker "0a:58:0a:f4:01:02 10.244.1.2 fd00:10:244:1::2"',
    );
    expect(topology).toContain('other_config:subnet=10.244.1.0/24 other_config:ipv6_prefix=fd00:10:244:1::');
    expect(topology).toMatch(/lrp-add GR_worker rtoj-GR_worker \S+ 100\.64\.0\.3\/16 fd98::3\/64/);
    expect(topology).toContain('lr-route-add GR_worker fd00:10:244::/56 fd98::1');
    expect(topology).toContain('lr-route-add GR_worker ::/0 fd65:636c:6162:4::100 rtoe-GR_worker');
    expect(topology).toContain(
      'ovn-nbctl --policy=src-ip lr-route-add ovn_cluster_router fd00:10:244:1::/64 fd00:10:244:1::2',
    );
    expect(topology).toContain(
      'ovn-nbctl --policy=src-ip lr-route-add ovn_cluster_router 10.244.1.0/24 10.244.1.2',
    );
  });

  it("puts the management port's IPv6 address (nodad) and the IPv6 cluster route in the host", () => {
    const setup = renderNodeSetup(ovn, ovn.nodes[1]!);
    expect(setup).toContain('ip -6 addr replace fd00:10:244:1::2/64 dev ovn-k8s-mp0 nodad');
    expect(setup).toContain('ip -6 route replace fd00:10:244::/56 via fd00:10:244:1::1 dev ovn-k8s-mp0');
    expect(setup).toContain('for a in $addrs6; do ip -6 addr add $a dev br-ex nodad; done');
  });

  it('creates pods with both addresses, nodad, and the router port of each family as gateway', () => {
    const script = createPodScript(ovn, ovn.nodes[2]!, 'web-0');
    expect(script).toContain('lsp-set-addresses "$lsp" "$mac $ip4 $ip6"');
    expect(script).toContain('ip -n "$ns" -6 addr add "$ip6/64" dev eth0 nodad');
    expect(script).toContain('ip -n "$ns" -6 route add default via fd00:10:244:2::1 dev eth0');
    expect(script).toContain('ip -n "$ns" -4 route add default via 10.244.2.1 dev eth0');
  });
});

describe('parsers', () => {
  it('reads BGP sessions and learnt routes from FRR 8.4 JSON', () => {
    const summary = JSON.stringify({
      ipv4Unicast: {
        peers: { '10.0.0.10': { remoteAs: 64512, state: 'Established', pfxRcd: 1, desc: 'worker' } },
      },
      ipv6Unicast: { peers: { 'fd00::10': { remoteAs: 64512, state: 'Active' } } },
    });
    expect(parseBgpSummary(summary)).toEqual([
      {
        neighbor: '10.0.0.10',
        family: 'ipv4',
        state: 'Established',
        remoteAs: 64512,
        description: 'worker',
        prefixesReceived: 1,
      },
      { neighbor: 'fd00::10', family: 'ipv6', state: 'Active', remoteAs: 64512 },
    ]);
    const routes = JSON.stringify({
      routes: {
        '2001:db8:5100::10/128': [
          { valid: true, peerId: '(unspec)', nexthops: [{ ip: '::', scope: 'global' }] },
        ],
        '2001:db8:113::5/128': [
          {
            valid: true,
            peerId: 'fd00::11',
            nexthops: [
              { ip: 'fd00::11', scope: 'global' },
              { ip: 'fe80::1', scope: 'link-local' },
            ],
          },
          { valid: true, peerId: 'fd00::10', nexthops: [{ ip: 'fd00::10', scope: 'global' }] },
          { valid: false, peerId: 'fd00::12', nexthops: [{ ip: 'fd00::12', scope: 'global' }] },
        ],
      },
    });
    expect(parseBgpRoutes(routes)).toEqual([
      { prefix: '2001:db8:113::5/128', nextHops: ['fd00::10', 'fd00::11'] },
    ]);
    expect(() => parseBgpRoutes('bgpd is not running')).toThrow(/not JSON/);
  });

  it('reads tcpdump counters and iptables rules', () => {
    const log =
      'listening on any\n12 packets captured\n20 packets received by filter\n0 packets dropped by kernel\n';
    expect(parseTcpdumpCounters(log)).toEqual({
      packetsCaptured: 12,
      packetsReceivedByFilter: 20,
      packetsDroppedByKernel: 0,
    });
    expect(
      splitRule('-A DOCKER-USER -i br-1 -m comment --comment "egress-conformance lab=x" -j ACCEPT'),
    ).toEqual([
      '-A',
      'DOCKER-USER',
      '-i',
      'br-1',
      '-m',
      'comment',
      '--comment',
      'egress-conformance lab=x',
      '-j',
      'ACCEPT',
    ]);
  });
});
