/**
 * The lab with the OVN data plane in dual-stack (IPv4 and IPv6), brought up as the provider
 * does. Checked where packets arrive:
 * - pods have an address of each family in their node's subnets (from .3 and ::3), the router
 *   port of each family as gateway;
 * - pod to pod across nodes keeps the pod source in both families (geneve over the IPv4 underlay);
 * - pod egress in IPv6 leaves through its own node's host, masqueraded to the node's IPv6 address
 *   (local gateway mode, the cluster router's IPv6 source route);
 * - an EgressService as the reference programs it (OVN's ip6 reroute to the chosen node's
 *   management port ::2, the chosen host's SNAT to the IPv6 LoadBalancer IP, its BGP
 *   announcement) gives the peer's capture the LoadBalancer IP as the source of another node's
 *   endpoint, and the IPv4 half beside it still works.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidrContains } from '../../harness/common/ip.js';
import type { IpFamily } from '../../harness/env/environment.js';
import { Lab } from '../../harness/env/lab/infra/lab.js';
import { labMachines } from '../../harness/env/lab/machines.js';
import {
  type DataplaneState,
  EMPTY_DATAPLANE,
  renderNodeDataplane,
} from '../../harness/env/lab/reference/dataplane.js';
import { OvnEgressProgrammer } from '../../harness/env/lab/reference/ovn-egress.js';
import { echoedIp, packetAddresses } from '../support/packet-addresses.js';

const FAMILIES: IpFamily[] = ['ipv4', 'ipv6'];
const LOAD_BALANCER_IPS = { ipv4: '203.0.113.77', ipv6: '2001:db8:113::77' } as const;

let lab: Lab;
let dir: string;
const pods: Record<string, { node: string; ips: Partial<Record<IpFamily, string>> }> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-ovn-lab-ipv6-'));
  lab = await Lab.create({
    families: FAMILIES,
    dataPlane: 'ovn',
    secondaryNetwork: false,
    runId: `ovn-lab-ipv6-test-${process.pid}`,
  });
  for (const [name, node] of [
    ['egress.client', 'worker2'],
    ['egress.server', 'control-plane'],
  ] as const) {
    const pod = await lab.createPod(node, name);
    pods[name] = { node, ips: pod.ips };
  }
  await lab.startServer('control-plane', 'egress.server', 8080);
}, 300_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

const client = () => pods['egress.client'] as { node: string; ips: Partial<Record<IpFamily, string>> };
const peerAddress = (family: IpFamily) => lab.peer('peer').serviceAddresses[family] as string;

/** Retries `probe` until it returns a value, up to `timeoutMs`. */
async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what} not within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

describe('the lab on OVN, dual-stack', () => {
  it("gives pods both families' addresses in their node subnets, from .3 and ::3", () => {
    const node = lab.node('worker2');
    expect(lab.plan.families).toEqual(FAMILIES);
    for (const family of FAMILIES) {
      const ip = client().ips[family] as string;
      expect(cidrContains(node.podCidrs[family] as string, ip), `${family} ${ip}`).toBe(true);
    }
    expect(client().ips.ipv6).toMatch(/^fd00:10:244:2::([3-9a-f]|[0-9a-f]{2})$/);
  });

  it.each(FAMILIES)('carries pod to pod across nodes with the pod source (%s)', async (family) => {
    const server = pods['egress.server']?.ips[family] as string;
    const seen = await lab.podConnect('worker2', 'egress.client', server, 8080, 'tcp');
    expect(echoedIp(seen)).toBe(client().ips[family]);
  });

  it("sends IPv6 pod egress out of its own node's host (local gateway mode)", async () => {
    const seen = await lab.podConnect('worker2', 'egress.client', peerAddress('ipv6'), 8080, 'tcp');
    expect(echoedIp(seen)).toBe(lab.node('worker2').addresses.ipv6);
  });

  it("SNATs an EgressService's endpoint on another node to the IPv6 LoadBalancer IP, seen at the peer", async () => {
    const machines = labMachines(lab);
    const programmer = new OvnEgressProgrammer(machines);
    const state: DataplaneState = {
      egress: [
        {
          service: 'egress/web',
          host: 'worker',
          loadBalancerIPs: { ...LOAD_BALANCER_IPS },
          endpoints: [{ node: 'worker2', ips: { ...client().ips } }],
        },
      ],
      ingress: [],
    };
    await lab.execScript('worker', renderNodeDataplane(lab.plan, 'worker', state));
    for (const family of FAMILIES) await lab.announce('worker', LOAD_BALANCER_IPS[family]);
    await programmer.apply(state, true);
    const policies = (await lab.ovnNbctl(['lr-policy-list', 'ovn_cluster_router'])).stdout;
    expect(policies).toMatch(
      new RegExp(`101\\s+ip6\\.src == ${client().ips.ipv6}\\s+reroute\\s+fd00:10:244:1::2`),
    );
    expect(policies).toMatch(/102\s+ip6\.src == fd00:10:244::\/56 && ip6\.dst == fd98::\/64\s+allow/);
    try {
      for (const family of FAMILIES) {
        await eventually(`the peer's ${family} route to the LoadBalancer IP`, 30_000, async () =>
          (await lab.peerBgpRoutes('peer', family)).find((r) =>
            r.prefix.startsWith(LOAD_BALANCER_IPS[family]),
          ),
        );
      }
      const peer = lab.peer('peer');
      const capture = await lab.startCapture('peer', `ovn-ipv6-${lab.id}`, `port ${peer.probePort}`);
      for (const family of FAMILIES) {
        const seen = await eventually(`${family} egress through worker`, 30_000, () =>
          lab.podConnect('worker2', 'egress.client', peerAddress(family), peer.probePort, 'tcp', {
            timeoutMs: 3000,
          }),
        );
        expect(echoedIp(seen)).toBe(LOAD_BALANCER_IPS[family]);
      }
      const result = await lab.stopCapture(capture, dir);
      const seen = await packetAddresses(result.path);
      for (const family of FAMILIES) {
        const towardsPeer = seen.filter((p) => p.dst === peerAddress(family));
        expect(towardsPeer.length, family).toBeGreaterThanOrEqual(3);
        // What a successful connection sent; a retried attempt may have left by worker2's host.
        expect(towardsPeer.map((p) => p.src)).toContain(LOAD_BALANCER_IPS[family]);
      }
      // No pod address ever reached the peer.
      expect(seen.filter((p) => p.src.startsWith('10.244.') || p.src.startsWith('fd00:10:244:'))).toEqual([]);
    } finally {
      await programmer.apply(EMPTY_DATAPLANE, true);
      await lab.execScript('worker', renderNodeDataplane(lab.plan, 'worker', EMPTY_DATAPLANE));
      for (const family of FAMILIES) await lab.withdraw('worker', LOAD_BALANCER_IPS[family]);
    }
  }, 120_000);
});
