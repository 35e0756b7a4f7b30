/**
 * The lab with the OVN data plane (`dataPlane: 'ovn'`), brought up as the provider does: OVN's
 * central container, Open vSwitch and ovn-controller on every node with br-ex over the underlay,
 * a management port per node, pods as logical switch ports. Checked where packets arrive:
 * - pod to pod across nodes keeps the pod source (geneve, no NAT);
 * - pod to the peer leaves through its own node's host, masqueraded to the node address (local
 *   gateway mode), and an OVN reroute policy (what the reference programs for an EgressService)
 *   moves it to another node's host, which then is the source;
 * - a failed node's pods are cut off too (its tunnels run in userspace, past the kernel's hooks);
 * - the shared OVN diagnostics, run against this lab's databases for a failed flow, hold the
 *   policies, the gateway routers' NAT, the port bindings and an ovn-trace from the pod's port;
 * - the reference controller never leaves a host without the SNAT of an endpoint OVN still
 *   reroutes to it, when endpoints leave a placement (OVN stops steering first, as upstream).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subnetHost } from '../../harness/common/ip.js';
import type { KubeObject } from '../../harness/env/environment.js';
import { Lab } from '../../harness/env/lab/infra/lab.js';
import { LAB_LABEL } from '../../harness/env/lab/infra/labels.js';
import { collectLabOvnDiagnostics } from '../../harness/env/lab/lab-ovn-diagnostics.js';
import { labMachines } from '../../harness/env/lab/machines.js';
import { ReferenceController } from '../../harness/env/lab/reference/controller.js';
import type { Machines } from '../../harness/env/lab/reference/machines.js';
import { ObjectStore } from '../../harness/env/lab/reference/store.js';
import { ovnTopologyMermaid } from '../../harness/env/shared/ovn-topology-diagram.js';
import { cli } from '../support/cli.js';
import { leftBy, NOTHING_LEFT } from '../support/leftovers.js';
import { packetAddresses } from '../support/packet-addresses.js';

let lab: Lab;
let dir: string;
const pods: Record<string, { node: string; ip: string }> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-ovn-lab-'));
  lab = await Lab.create({
    families: ['ipv4'],
    dataPlane: 'ovn',
    secondaryNetwork: false,
    runId: `ovn-lab-test-${process.pid}`,
  });
  for (const [name, node] of [
    ['egress.client', 'worker'],
    ['egress.server', 'control-plane'],
  ] as const) {
    const pod = await lab.createPod(node, name);
    pods[name] = { node, ip: pod.ips.ipv4 as string };
  }
  await lab.startServer('control-plane', 'egress.server', 8080);
}, 240_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

const client = () => pods['egress.client'] as { node: string; ip: string };
const peerAddress = () => lab.peer('peer').serviceAddresses.ipv4 as string;
const clientAddress = (seen: string) => seen.split(':')[0];

describe('the lab on OVN', () => {
  it('plans the OVN data plane: a central container, pods in the node subnets from .3', () => {
    expect(lab.plan.dataPlane).toBe('ovn');
    expect(lab.plan.ovnCentral?.container).toBe(`${lab.id}-ovn-central`);
    expect(client().ip).toMatch(/^10\.244\.1\.([3-9]|\d{2,3})$/);
  });

  it('carries pod to pod across nodes with the pod source', async () => {
    const server = pods['egress.server']?.ip as string;
    const seen = await lab.podConnect('worker', 'egress.client', server, 8080, 'tcp');
    expect(clientAddress(seen)).toBe(client().ip);
  });

  it("sends pod egress out of its own node's host, and where an OVN reroute policy says", async () => {
    const worker = lab.node('worker').addresses.ipv4;
    const worker2 = lab.node('worker2').addresses.ipv4;
    expect(clientAddress(await lab.podConnect('worker', 'egress.client', peerAddress(), 8080, 'tcp'))).toBe(
      worker,
    );
    // worker2's management port is 10.244.2.2: rerouted there, the pod leaves through worker2's
    // host, which rewrites it as the reference's host half does (here to worker2's own address).
    await lab.execScript(
      'worker2',
      `nft add table ip ovn_lab_test
nft add chain ip ovn_lab_test post '{ type nat hook postrouting priority srcnat - 10; }'
nft add rule ip ovn_lab_test post ip saddr ${client().ip} masquerade`,
    );
    await lab.ovnNbctl([
      '--wait=hv',
      'lr-policy-add',
      'ovn_cluster_router',
      '101',
      `ip4.src == ${client().ip}`,
      'reroute',
      '10.244.2.2',
    ]);
    try {
      const seen = await lab.podConnect('worker', 'egress.client', peerAddress(), 8080, 'tcp');
      expect(clientAddress(seen)).toBe(worker2);
    } finally {
      await lab.ovnNbctl([
        '--wait=hv',
        'lr-policy-del',
        'ovn_cluster_router',
        '101',
        `ip4.src == ${client().ip}`,
      ]);
    }
  });

  // A connection that left through the pod's own host, then rerouted to another host (the pod
  // became an EgressService endpoint): that host's conntrack never saw it, so the pod's FIN is
  // invalid there and NAT skips it. Without the drop it reached the peer with the pod's address
  // (lifecycle-service-deleted's placed round caught four such FINs, on dual-stack OVN).
  it("drops a moved connection's invalid FIN rather than let it out with the pod's address", async () => {
    const peer = lab.peer('peer');
    const netns = lab.podNetns('egress.client');
    const match = `ip4.src == ${client().ip}`;
    await lab.execScript(
      'worker',
      `nohup ip netns exec ${netns} bash -c 'exec 3<>/dev/tcp/${peerAddress()}/${peer.probePort}; sleep 10' >/dev/null 2>&1 &`,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const capture = await lab.startCapture('peer', `ovn-moved-${lab.id}`, `tcp port ${peer.probePort}`);
    await lab.execScript(
      'worker2',
      `nft add table ip ovn_lab_moved
nft add chain ip ovn_lab_moved post '{ type nat hook postrouting priority srcnat - 10; }'
nft add rule ip ovn_lab_moved post ip saddr ${client().ip} masquerade`,
    );
    await lab.ovnNbctl([
      '--wait=hv',
      'lr-policy-add',
      'ovn_cluster_router',
      '101',
      match,
      'reroute',
      '10.244.2.2',
    ]);
    try {
      // The pod's shell exits 10 s after connecting: its FIN (and retransmissions) come now.
      await new Promise((r) => setTimeout(r, 14_000));
      const result = await lab.stopCapture(capture, dir);
      const seen = await packetAddresses(result.path);
      expect(seen.filter((p) => p.src === client().ip)).toEqual([]);
      // Not vacuous: the FIN did reach worker2's host, and its drop counted it.
      const forward = (await lab.execScript('worker2', 'nft list chain inet lab-base forward')).stdout;
      expect(forward).toMatch(/ct state invalid .* counter packets [1-9]/);
    } finally {
      await lab.ovnNbctl(['--wait=hv', 'lr-policy-del', 'ovn_cluster_router', '101', match]);
      await lab.execScript('worker2', 'nft delete table ip ovn_lab_moved');
    }
  }, 60_000);

  // Upstream's order on removal: the reroute policies go before the node's SNAT. Every script the
  // controller runs on a host is checked, as it starts, against what OVN then reroutes to that
  // host: each rerouted endpoint must still be SNATed by the host's new rules.
  it("keeps a host's SNAT of an endpoint until OVN stops rerouting it there", async () => {
    const base = labMachines(lab);
    const violations: string[] = [];
    const snatsSeen: Array<{ node: string; sources: Set<string> }> = [];
    const managementPort = (node: string) =>
      subnetHost(lab.plan.nodes.find((n) => n.name === node)?.podCidrs?.ipv4 as string, 2);
    const machines: Machines = {
      ...base,
      runScript: async (node, script) => {
        const sources = new Set(
          [...script.matchAll(/ip saddr \{ ([^}]*) \}[^\n]*snat ip to/g)].flatMap((m) =>
            (m[1] as string).split(', '),
          ),
        );
        const policies = (await lab.ovnNbctl(['lr-policy-list', 'ovn_cluster_router'])).stdout;
        for (const [, source, nextHop] of policies.matchAll(/101\s+ip4\.src == (\S+)\s+reroute\s+(\S+)/g)) {
          if (nextHop === managementPort(node) && !sources.has(source as string))
            violations.push(`${node} dropped the SNAT of ${source} while OVN rerouted it there`);
        }
        snatsSeen.push({ node, sources });
        return base.runScript(node, script);
      },
    };
    const store = new ObjectStore();
    const controller = new ReferenceController(machines, store);
    const ns = 'order';
    const pod = (name: string, node: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: { app: web } },
      spec: { nodeName: node, containers: [{ name: 'netexec', args: ['netexec', '--http-port=8080'] }] },
    });
    const web = 'web';
    const service = { apiVersion: 'v1', kind: 'Service', namespace: ns, name: web };
    const egressService = { apiVersion: 'k8s.ovn.org/v1', kind: 'EgressService', namespace: ns, name: web };
    store.apply({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'order-pool', namespace: 'metallb-system' },
      spec: { addresses: ['203.0.113.77/32'] },
    });
    store.apply({
      ...service,
      metadata: { name: web, namespace: ns },
      spec: { type: 'LoadBalancer', selector: { app: web }, ports: [{ protocol: 'TCP', port: 8080 }] },
    } as KubeObject);
    store.apply({
      ...egressService,
      metadata: { name: web, namespace: ns },
      spec: { sourceIPBy: 'LoadBalancerIP' },
    } as KubeObject);
    for (const [name, node] of [
      ['a', 'control-plane'],
      ['b', 'worker'],
      ['c', 'worker2'],
    ] as const)
      store.apply(pod(name, node));
    controller.start();
    try {
      const placed = async () => {
        await controller.settled();
        const host = (store.get(egressService)?.status as { host?: string } | undefined)?.host;
        const policies = (await lab.ovnNbctl(['lr-policy-list', 'ovn_cluster_router'])).stdout;
        return host && (policies.match(/ reroute /g) ?? []).length === 3 ? host : undefined;
      };
      let host: string | undefined;
      for (let i = 0; i < 60 && !host; i++) {
        host = await placed();
        if (!host) await new Promise((r) => setTimeout(r, 1000));
      }
      expect(host, 'placed with three rerouted endpoints').toBeDefined();
      // An endpoint on another node leaves the placement; the host stays chosen for the others.
      const leaving = ['a', 'b', 'c'].find(
        (name) => controller.runningPod(ns, name)?.node !== host,
      ) as string;
      const leavingIp = controller.runningPod(ns, leaving)?.ips.ipv4 as string;
      const before = snatsSeen.length;
      store.patch(
        { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: leaving },
        {
          metadata: { labels: { app: null } },
        },
      );
      await controller.settled();
      const policies = (await lab.ovnNbctl(['lr-policy-list', 'ovn_cluster_router'])).stdout;
      expect(policies).not.toContain(`ip4.src == ${leavingIp} `);
      // The host did drop it (after OVN): the check above ran for that script too.
      expect(
        snatsSeen
          .slice(before)
          .some((s) => s.node === host && !s.sources.has(leavingIp) && s.sources.size > 0),
      ).toBe(true);
      // The whole placement goes: the host is no longer chosen at all.
      store.delete(egressService);
      store.delete(service);
      await controller.settled();
      expect((await lab.ovnNbctl(['lr-policy-list', 'ovn_cluster_router'])).stdout).not.toMatch(/ reroute /);
      // Only this controller's pods: an earlier test's policy (the diagnostics one) for another
      // pod is there until the controller's first OVN pass replaces every policy.
      const ours = ['a', 'b', 'c'].map((name) => controller.runningPod(ns, name)?.ips.ipv4 ?? leavingIp);
      expect(violations.filter((v) => ours.some((ip) => v.includes(` ${ip} `)))).toEqual([]);
    } finally {
      for (const name of ['a', 'b', 'c'])
        store.delete({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name });
      await controller.settled().catch(() => undefined);
      controller.stop();
    }
  }, 180_000);

  it("cuts a failed node's pods off, tunnels included, and brings them back", async () => {
    const server = pods['egress.server']?.ip as string;
    await lab.failNode('worker');
    try {
      await expect(
        lab.podConnect('worker', 'egress.client', server, 8080, 'tcp', { timeoutMs: 1500 }),
      ).rejects.toThrow();
    } finally {
      await lab.restoreNode('worker');
    }
    const seen = await lab.podConnect('worker', 'egress.client', server, 8080, 'tcp', { timeoutMs: 5000 });
    expect(clientAddress(seen)).toBe(client().ip);
  }, 60_000);

  it('collects the OVN diagnostics of a failed flow from the lab databases', async () => {
    await lab.ovnNbctl([
      'lr-policy-add',
      'ovn_cluster_router',
      '101',
      `ip4.src == ${client().ip}`,
      'reroute',
      '10.244.0.2',
    ]);
    const out = join(dir, 'diagnostics');
    await collectLabOvnDiagnostics(
      {
        lab,
        egressNodes: ['control-plane'],
        failedFlow: {
          sources: [{ namespace: 'egress', pod: 'client' }],
          address: peerAddress(),
          port: 8080,
          protocol: 'tcp',
        },
        podOf: (namespace, name) =>
          namespace === 'egress' && name === 'client'
            ? { node: 'worker', ips: { ipv4: client().ip } }
            : undefined,
      },
      out,
    );
    const files = Object.fromEntries(
      await Promise.all(
        (await readdir(out)).map(async (f) => [f, await readFile(join(out, f), 'utf8')] as const),
      ),
    );
    expect(files['OVN-INDEX.txt']).toBeDefined();
    expect(files['ovn-central-nb-show.txt']).toMatch(/router \S+ \(GR_worker\)/);
    expect(files['ovn-central-lr-policies.txt']).toMatch(
      new RegExp(`101\\s+ip4\\.src == ${client().ip.replace(/\./g, '\\.')}\\s+reroute\\s+10\\.244\\.0\\.2`),
    );
    expect(files['ovn-central-lr-nat-GR_control-plane.txt']).toMatch(/snat/);
    expect(files['ovn-central-port-bindings.txt']).toMatch(/logical_port\s*: egress_client/);
    const trace = Object.entries(files).find(([f]) => f.includes('trace'))?.[1] ?? '';
    expect(trace).toMatch(/inport="egress_client"/);
    expect(trace).toMatch(/output to "k8s-control-plane"/);
    expect(files['ovs-control-plane-conntrack.txt']).toBeDefined();
  }, 60_000);

  it("draws the README's picture of the OVN topology: the same switches, routers and links", async () => {
    const live = topologySkeleton(ovnTopologyMermaid((await lab.ovnNbctl(['show'])).stdout));
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const picture = /### The lab on OVN[\s\S]*?```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(picture, 'a mermaid block in the README section "The lab on OVN"').toBeDefined();
    expect(topologySkeleton(picture ?? '')).toEqual(live);
    // Not vacuous: every node has its gateway router, switch and management port in it.
    for (const node of ['control-plane', 'worker', 'worker2'])
      expect(live.join('\n')).toContain(`k8s-${node}`);
  }, 60_000);

  // Last: it removes the lab. br-ex owns every node's eth0, the central container is one more:
  // once, a network of an OVN lab was left with "active endpoints" and no container.
  it('leaves no container, network or volume with its id after `down`', async () => {
    const id = lab.id;
    const containers = (await execa('docker', ['ps', '-aq', '--filter', `label=${LAB_LABEL}=${id}`])).stdout
      .split('\n')
      .filter(Boolean);
    expect(containers.length).toBeGreaterThanOrEqual(5);
    const mounts = (
      await execa('docker', ['inspect', '--format', '{{range .Mounts}}{{.Name}} {{end}}', ...containers])
    ).stdout
      .split(/\s+/)
      .filter(Boolean);
    const down = await cli(['down', '--provider', 'lab', '--id', id], { timeout: 120_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`${id}-ovn-central`);
    expect(await leftBy(id)).toEqual(NOTHING_LEFT);
    const named = async (args: string[]) =>
      (await execa('docker', args)).stdout.split('\n').filter((name) => name.includes(id));
    expect(await named(['ps', '-a', '--format', '{{.Names}}'])).toEqual([]);
    expect(await named(['network', 'ls', '--format', '{{.Name}}'])).toEqual([]);
    const volumes = (await execa('docker', ['volume', 'ls', '-q'])).stdout.split('\n');
    expect(volumes.filter((v) => v.includes(id) || mounts.includes(v))).toEqual([]);
  }, 150_000);
});

/**
 * What a topology picture shows of the lab itself: datapaths, router links and management ports.
 * Left out: the underlay addresses (each lab's network is allocated at bring-up), the pods (the
 * README's lab ran an EgressService's, this one its own) and the policies (the same reason).
 */
function topologySkeleton(mermaid: string): string[] {
  return mermaid
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) => line && !line.includes('policies') && (!line.includes('(["') || /--- \S+_k8s_/.test(line)),
    )
    .map((line) => line.replace(/(rtoe-GR_\S+) [\d.]+\/\d+/, '$1 <underlay>'))
    .sort();
}
