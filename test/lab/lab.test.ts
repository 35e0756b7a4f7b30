/**
 * The lab on a real Docker engine: one lab for the whole file, real FRR, nftables, tcpdump.
 * Packet evidence is read with tshark (Wireshark's reader), independent of our own code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidrContains } from '../../harness/common/ip.js';
import type { IpFamily } from '../../harness/env/environment.js';
import { dockerode } from '../../harness/env/lab/infra/docker.js';
import {
  DEFAULT_NETWORK,
  destroyLab,
  LAB_LABEL,
  Lab,
  type LabPlan,
  newLabId,
  SECONDARY_NETWORK,
  TERTIARY_NETWORK,
} from '../../harness/env/lab/infra/index.js';
import { echoedIp, packetAddresses } from '../support/packet-addresses.js';

const FAMILIES: IpFamily[] = ['ipv4', 'ipv6'];
const labId = newLabId();
let lab: Lab;
let plan: LabPlan;
let artifacts: string;

async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await Lab.sleep(100);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

beforeAll(async () => {
  artifacts = await mkdtemp(path.join(os.tmpdir(), `egress-conformance-test-${labId}-`));
  lab = await Lab.create({ id: labId, log: (line) => console.log(line) });
  plan = lab.plan;
}, 600_000);

afterAll(async () => {
  // Also when bring-up or a test failed: everything with the lab's label goes.
  await destroyLab(labId);
  await rm(artifacts, { recursive: true, force: true });
  const docker = await dockerode();
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${LAB_LABEL}=${labId}`] },
  });
  const networks = await docker.listNetworks({ filters: { label: [`${LAB_LABEL}=${labId}`] } });
  expect(containers.map((c) => c.Names[0])).toEqual([]);
  expect(networks.map((n) => n.Name)).toEqual([]);
  const rules = await execa('iptables', ['-w', '-S'], { reject: false });
  expect(rules.stdout).not.toContain(`lab=${labId}"`);
}, 120_000);

describe('lab topology', () => {
  it('has three nodes, three peers and three internal dual-stack networks', async () => {
    expect(plan.nodes.map((n) => n.name)).toEqual(['control-plane', 'worker', 'worker2']);
    expect(plan.peers.map((p) => p.name)).toEqual(['peer', 'peer2', 'peer3']);
    expect(plan.networks.map((n) => n.name)).toEqual([DEFAULT_NETWORK, SECONDARY_NETWORK, TERTIARY_NETWORK]);
    const docker = await dockerode();
    for (const network of plan.networks) {
      const info = (await docker.getNetwork(network.dockerName).inspect()) as {
        Internal: boolean;
        EnableIPv6: boolean;
        Labels: Record<string, string>;
      };
      expect(info.Internal).toBe(true);
      expect(info.EnableIPv6).toBe(true);
      expect(info.Labels[LAB_LABEL]).toBe(labId);
    }
    const { nodes, peers, networks } = await lab.describe();
    expect(nodes.every((n) => n.ready)).toBe(true);
    expect(networks.find((n) => n.name === SECONDARY_NETWORK)?.routingTable).toBe('100');
    expect(networks.find((n) => n.name === TERTIARY_NETWORK)?.routingTable).toBe('101');
    for (const peer of peers) {
      for (const address of Object.values(peer.addresses)) {
        expect(cidrContains(address.includes(':') ? '2001:db8::/32' : '198.51.100.0/24', address)).toBe(true);
      }
    }
  });

  it('renders FRR configs that FRR itself accepts without a complaint', async () => {
    for (const member of [...plan.nodes, ...plan.peers]) {
      for (const daemon of ['zebra', 'bgpd']) {
        const file = `/etc/frr/${daemon}.conf`;
        const check = await lab.exec(member.name, [`/usr/lib/frr/${daemon}`, '-C', '-f', file]);
        // FRR names every line it cannot take ("No such command on config line N", ...).
        expect(`${check.stdout}${check.stderr}`, `${member.name} ${file}`).not.toMatch(/line \d+/);
      }
    }
  });

  it('has every BGP session Established, on the peers and on the nodes', async () => {
    for (const peer of plan.peers) {
      const sessions = await lab.bgpSessions(peer.name);
      expect(sessions).toHaveLength(plan.nodes.length * FAMILIES.length);
      expect(sessions.filter((s) => s.state !== 'Established')).toEqual([]);
    }
    for (const node of plan.nodes) {
      const sessions = await lab.bgpSessions(node.name);
      expect(sessions).toHaveLength(plan.peers.length * FAMILIES.length);
      expect(sessions.filter((s) => s.state !== 'Established')).toEqual([]);
    }
  });

  it('nodes learnt the peer service prefixes over BGP, the second network only in its table', async () => {
    const peer = lab.peer('peer');
    const peer2 = lab.peer('peer2');
    for (const node of plan.nodes) {
      for (const family of FAMILIES) {
        const learnt = await lab.nodeBgpRoutes(node.name, family);
        const service = peer.serviceAddresses[family]!;
        const prefix = `${service}/${family === 'ipv4' ? 32 : 128}`;
        expect(learnt).toContainEqual({ prefix, nextHops: [peer.interfaceAddresses[family]] });
        // Nothing from the second network's peer in BGP's table, nor in the main routing table.
        expect(learnt.map((r) => r.prefix)).not.toContain(
          `${peer2.serviceAddresses[family]}/${prefix.split('/')[1]}`,
        );
        const flag = family === 'ipv4' ? '-4' : '-6';
        const main = await lab.exec(node.name, ['ip', flag, 'route', 'show', service]);
        expect(main.stdout).toContain('proto bgp');
        const mainToPeer2 = await lab.exec(node.name, [
          'ip',
          flag,
          'route',
          'show',
          peer2.serviceAddresses[family]!,
        ]);
        expect(mainToPeer2.stdout.trim()).toBe('');
        const table = await lab.exec(node.name, ['ip', flag, 'route', 'show', 'table', 'secondary']);
        expect(table.stdout).toContain(
          `${peer2.serviceAddresses[family]} via ${peer2.interfaceAddresses[family]}`,
        );
      }
      // peer2 did announce its prefix: the node kept it aside (received, not accepted). The
      // lab is up once the kernel routes are in; bgpd may list received routes a moment later.
      const received = () =>
        lab
          .exec(node.name, [
            'vtysh',
            '-c',
            `show bgp ipv4 unicast neighbors ${peer2.interfaceAddresses.ipv4} received-routes`,
          ])
          .then((r) => r.stdout);
      await expect
        .poll(received, { timeout: 30_000, interval: 500 })
        .toContain(`${peer2.serviceAddresses.ipv4}/32`);
    }
  });

  it.each([
    ['peer2', SECONDARY_NETWORK],
    ['peer3', TERTIARY_NETWORK],
  ])(
    "reaches %s's address (shared by peer2 and peer3) through the %s network's table",
    async (name, network) => {
      const peer = lab.peer(name);
      const node = lab.node('worker');
      for (const family of FAMILIES) {
        const flag = family === 'ipv4' ? '-4' : '-6';
        const target = peer.serviceAddresses[family]!;
        const rule = [flag, 'rule', 'add', 'to', target, 'lookup', network, 'priority', '1000'];
        await lab.exec(node.name, ['ip', ...rule]);
        try {
          // The client address the server saw is the node's on that network: the packet went there.
          const echo = await lab.nodeConnect(node.name, target, peer.probePort, 'tcp');
          expect(echoedIp(echo)).toBe(node.networkAddresses[network]![family]);
        } finally {
          await lab.exec(node.name, ['ip', ...rule.map((word) => (word === 'add' ? 'del' : word))]);
        }
      }
    },
  );
});

describe('lab traffic', () => {
  it('pods on every node reach the peer with their node IP as source (masquerade), seen on the wire', async () => {
    const peer = lab.peer('peer');
    const pods = await Promise.all(plan.nodes.map((node) => lab.createPod(node.name, `egress-${node.name}`)));
    for (const pod of pods) {
      expect(cidrContains(lab.node(pod.node).podCidrs.ipv4!, pod.ips.ipv4!)).toBe(true);
      expect(cidrContains(lab.node(pod.node).podCidrs.ipv6!, pod.ips.ipv6!)).toBe(true);
    }
    const capture = await lab.startCapture('peer', `masquerade-${labId}`, `port ${peer.probePort}`);
    for (const pod of pods) {
      for (const family of FAMILIES) {
        for (const protocol of ['tcp', 'udp'] as const) {
          const echo = await lab.podConnect(
            pod.node,
            pod.name,
            peer.serviceAddresses[family]!,
            peer.probePort,
            protocol,
          );
          expect(echoedIp(echo)).toBe(lab.node(pod.node).addresses[family]);
        }
      }
    }
    const result = await lab.stopCapture(capture, artifacts);
    expect(result.packetsDroppedByKernel).toBe(0);
    const seen = await packetAddresses(result.path);
    for (const family of FAMILIES) {
      const service = peer.serviceAddresses[family]!;
      const towardsPeer = seen.filter((p) => p.dst === service);
      // TCP: handshake, request, acks and close; UDP: one datagram. Per node and family.
      expect(towardsPeer.length).toBeGreaterThanOrEqual(plan.nodes.length * 5);
      const sources = new Set(towardsPeer.map((p) => p.src));
      expect([...sources].sort()).toEqual(plan.nodes.map((n) => n.addresses[family]).sort());
    }
    // No pod address ever reached the peer.
    expect(seen.filter((p) => p.src.startsWith('10.244.') || p.src.startsWith('fd00:10:244:'))).toEqual([]);
  });

  it('pod-to-pod traffic across nodes keeps the pod IP', async () => {
    const server = await lab.createPod('worker', 'p2p-server');
    const client = await lab.createPod('control-plane', 'p2p-client');
    await lab.startServer('worker', 'p2p-server', 8080);
    for (const family of FAMILIES) {
      for (const protocol of ['tcp', 'udp'] as const) {
        const echo = await lab.podConnect('control-plane', 'p2p-client', server.ips[family]!, 8080, protocol);
        expect(echoedIp(echo)).toBe(client.ips[family]);
      }
    }
    // Ingress-style check from the peer to a node's address is not routed to pods: the pod answers
    // only inside the cluster. The peer reaches its own service address and learns who answered.
    expect(await lab.peerConnect('peer', lab.peer('peer').serviceAddresses.ipv4!, 8080, 'tcp')).toBe('peer');
    await lab.stopServer('worker', 'p2p-server', 8080);
    await expect(
      lab.podConnect('control-plane', 'p2p-client', server.ips.ipv4!, 8080, 'tcp', { timeoutMs: 1000 }),
    ).rejects.toThrow(/refused/);
    await lab.deletePod('worker', 'p2p-server');
    await lab.deletePod('control-plane', 'p2p-client');
    expect((await lab.listPods('worker')).map((p) => p.name)).not.toContain('p2p-server');
  });

  it('an announcement from one node has exactly that node as next hop on the peer, until withdrawn', async () => {
    const prefixes = { ipv4: '203.0.113.200/32', ipv6: '2001:db8:113::200/128' } as const;
    const node = lab.node('worker');
    for (const family of FAMILIES) {
      await lab.announce(node.name, prefixes[family]);
      const route = await eventually(`${prefixes[family]} on the peer`, 10_000, async () =>
        (await lab.peerBgpRoutes('peer', family)).find((r) => r.prefix === prefixes[family]),
      );
      expect(route.nextHops).toEqual([node.addresses[family]]);
      // Only to the default network's peer.
      expect((await lab.peerBgpRoutes('peer2', family)).map((r) => r.prefix)).not.toContain(prefixes[family]);
      await lab.withdraw(node.name, prefixes[family]);
      await eventually(`${prefixes[family]} withdrawn`, 10_000, async () =>
        (await lab.peerBgpRoutes('peer', family)).some((r) => r.prefix === prefixes[family])
          ? undefined
          : true,
      );
    }
  });

  it('a failed node loses its BGP sessions and announcements within seconds, and comes back', async () => {
    const node = lab.node('worker2');
    const prefix = '203.0.113.201/32';
    await lab.announce(node.name, prefix);
    await eventually('announcement', 10_000, async () =>
      (await lab.peerBgpRoutes('peer', 'ipv4')).find((r) => r.prefix === prefix),
    );
    const started = Date.now();
    await lab.failNode(node.name);
    expect(await lab.isNodeFailed(node.name)).toBe(true);
    await eventually('withdrawal after failure', 10_000, async () =>
      (await lab.peerBgpRoutes('peer', 'ipv4')).some((r) => r.prefix === prefix) ? undefined : true,
    );
    console.log(`lab ${labId}: failed node's route withdrawn after ${Date.now() - started} ms`);
    const ping = await lab.exec('peer', ['ping', '-c', '1', '-W', '1', node.addresses.ipv4!], {
      allowFailure: true,
    });
    expect(ping.exitCode).not.toBe(0);
    expect((await lab.describe()).nodes.find((n) => n.name === node.name)?.ready).toBe(false);
    await lab.restoreNode(node.name);
    expect(await lab.isNodeFailed(node.name)).toBe(false);
    const back = await eventually('announcement after restore', 10_000, async () =>
      (await lab.peerBgpRoutes('peer', 'ipv4')).find((r) => r.prefix === prefix),
    );
    expect(back.nextHops).toEqual([node.addresses.ipv4]);
    await lab.withdraw(node.name, prefix);
  });
});

describe('lab isolation', () => {
  it('no container has a route out of the lab; pods route only to their node', async () => {
    const allowed = [
      ...plan.networks.flatMap((n) => [n.subnets.ipv4, n.subnets.ipv6]),
      ...Object.values(plan.clusterPodCidrs),
      ...Object.values(plan.loadBalancerRanges),
      ...plan.peers.flatMap((p) => Object.values(p.serviceAddresses)),
      '127.0.0.0/8',
      '::1/128',
      'fe80::/10',
      'ff00::/8',
    ];
    for (const member of [...plan.nodes, ...plan.peers]) {
      const routes = await lab.routes(member.name);
      expect(routes.length).toBeGreaterThan(0);
      expect(
        routes.filter((r) => r.dst === 'default').map((r) => `${member.name}: ${r.family} default`),
      ).toEqual([]);
      const outside = routes.filter((r) => !allowed.some((prefix) => cidrContains(prefix, r.dst)));
      expect(outside.map((r) => `${member.name}: ${r.dst} (table ${r.table ?? 'main'})`)).toEqual([]);
    }
    // A pod's default route leads to its node (like any pod's), and the node has none.
    const pod = await lab.createPod('worker', 'routes-check');
    const node = lab.node('worker');
    for (const route of await lab.routes('worker', pod.name)) {
      if (route.dst === 'default') expect(route.gateway).toBe(node.podGateways[route.family]);
      else expect(allowed.some((prefix) => cidrContains(prefix, route.dst))).toBe(true);
    }
    await lab.deletePod('worker', pod.name);
  });

  it('can be attached to from its labels, pods included', async () => {
    await lab.createPod('worker2', 'attach-check');
    const again = await Lab.attach(labId);
    expect(again.plan).toEqual(plan);
    expect((await again.listPods('worker2')).map((p) => p.name)).toContain('attach-check');
    await again.deletePod('worker2', 'attach-check');
    await expect(Lab.attach('eclab-nonexistent')).rejects.toThrow(/no lab eclab-nonexistent/);
  });

  it('runs a second lab beside the first, on other subnets, and removes only that one', async () => {
    const second = await Lab.create({ nodes: 1, families: ['ipv4'], secondaryNetwork: false });
    try {
      const ours = plan.networks.map((n) => n.subnets.ipv4);
      expect(ours).not.toContain(second.plan.networks[0]?.subnets.ipv4);
      const pod = await second.createPod('control-plane', 'second-lab');
      const echo = await second.podConnect('control-plane', pod.name, '198.51.100.10', 8080, 'tcp');
      expect(echoedIp(echo)).toBe(second.node('control-plane').addresses.ipv4);
    } finally {
      await second.destroy();
    }
    const sessions = await lab.bgpSessions('peer');
    expect(sessions.filter((s) => s.state !== 'Established')).toEqual([]);
  });

  it('labels every container and network with the lab id', async () => {
    const docker = await dockerode();
    const containers = await docker.listContainers({
      all: true,
      filters: { label: [`${LAB_LABEL}=${labId}`] },
    });
    expect(containers.map((c) => c.Names[0]?.replace(/^\//, '')).sort()).toEqual(
      [...plan.nodes, ...plan.peers].map((m) => m.container).sort(),
    );
    for (const c of containers) expect(c.Names[0]).toContain(labId);
    expect(plan.networks.map((n) => n.dockerName)).toEqual([
      `${labId}-${DEFAULT_NETWORK}`,
      `${labId}-${SECONDARY_NETWORK}`,
      `${labId}-${TERTIARY_NETWORK}`,
    ]);
  });
});
