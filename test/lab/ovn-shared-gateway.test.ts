/**
 * The OVN lab in shared gateway mode (`gatewayMode: 'shared'`): each node's gateway router has
 * the node's address and MAC, and br-ex's flows steer between it and the host. Checked at the
 * peer's capture and on the nodes:
 * - an ordinary pod's egress arrives from its node's address, and it went through the gateway
 *   router: OVS conntrack holds the router's SNAT of the pod to the node address, the host's own
 *   masquerade counted nothing, and the host kernel's conntrack never saw the pod;
 * - an EgressService endpoint's egress (the reference's OVN reroute to the egress node's
 *   management port and its host half there) arrives from the LoadBalancer IP, in both modes
 *   as upstream does it;
 * - a pod reaches its own node's address through its management port and another node's
 *   through its gateway router (the routers share those addresses, upstream's 1004 policies'
 *   case), an EgressService endpoint too (br-ex's flow for mark 1008);
 * - the host's own traffic (BGP, held by the lab's bring-up) still works beside the router.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopCapture } from '../../harness/env/lab/infra/capture.js';
import { BASE_NFT_TABLE } from '../../harness/env/lab/infra/container-setup.js';
import { Lab } from '../../harness/env/lab/infra/lab.js';
import { labMachines } from '../../harness/env/lab/machines.js';
import { type DataplaneState, renderNodeDataplane } from '../../harness/env/lab/reference/dataplane.js';
import { OvnEgressProgrammer } from '../../harness/env/lab/reference/ovn-egress.js';

let lab: Lab;
let dir: string;
const ips: Record<string, string> = {};
const LB_IP = '203.0.113.77';
const PORT = 8080;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-ovn-sgw-'));
  lab = await Lab.create({
    families: ['ipv4'],
    dataPlane: 'ovn',
    gatewayMode: 'shared',
    secondaryNetwork: false,
    runId: `ovn-sgw-test-${process.pid}`,
  });
  for (const name of ['egress.client', 'egress.web']) {
    ips[name] = (await lab.createPod('worker2', name)).ips.ipv4 as string;
  }
}, 240_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

const peerAddress = () => lab.peer('peer').serviceAddresses.ipv4 as string;
const nodeAddress = (node: string) => lab.node(node).addresses.ipv4 as string;

/** Connects from the pod while the peer captures; the sources the peer saw for the probe port. */
async function egressSeenAtPeer(
  pod: string,
  name: string,
): Promise<{ reported: string; captured: string[] }> {
  const capture = await lab.startCapture(
    'peer',
    name,
    `tcp dst port ${PORT} and tcp[tcpflags] & tcp-syn != 0`,
  );
  const reported = await lab.podConnect('worker2', pod, peerAddress(), PORT, 'tcp', { timeoutMs: 5000 });
  await stopCapture(capture, { dir, keepInContainer: true });
  const read = await lab.execScript('peer', `tcpdump -n -r ${capture.containerPath} 2>/dev/null`);
  const captured = [...read.stdout.matchAll(/ IP (\d+\.\d+\.\d+\.\d+)\.\d+ > /g)].map((m) => m[1] as string);
  return { reported: reported.split(':')[0] as string, captured };
}

describe('the OVN lab in shared gateway mode', () => {
  it("gives each gateway router its node's address, SNATs the cluster's pods to it", async () => {
    expect(lab.plan.gatewayMode).toBe('shared');
    const nat = (await lab.ovnNbctl(['lr-nat-list', 'GR_worker2'])).stdout;
    expect(nat).toMatch(
      new RegExp(`snat\\s+${nodeAddress('worker2').replace(/\./g, '\\.')}\\s+10\\.244\\.0\\.0/16`),
    );
    const routes = (await lab.ovnNbctl(['lr-route-list', 'ovn_cluster_router'])).stdout;
    expect(routes).toMatch(/10\.244\.2\.0\/24\s+100\.64\.0\.4 src-ip/);
  });

  it("sends an ordinary pod's egress through its gateway router, SNATed to the node address", async () => {
    const pod = ips['egress.client'] as string;
    const before = await masqueradeCount('worker2');
    const seen = await egressSeenAtPeer('egress.client', 'sgw-client');
    expect(seen.reported).toBe(nodeAddress('worker2'));
    expect(seen.captured).toContain(nodeAddress('worker2'));
    expect(seen.captured).not.toContain(pod);
    // OVN's conntrack (userspace datapath) holds the gateway router's SNAT of the pod to the node
    // address; the host's masquerade counted nothing and its kernel never saw the pod.
    const ct = await lab.execScript('worker2', 'ovs-appctl dpctl/dump-conntrack');
    expect(ct.stdout).toMatch(
      new RegExp(
        `orig=\\(src=${pod},dst=${peerAddress()},[^)]*dport=${PORT}\\),reply=\\(src=${peerAddress()},dst=${nodeAddress('worker2')},`.replace(
          /\./g,
          '\\.',
        ),
      ),
    );
    expect(await masqueradeCount('worker2')).toBe(before);
    const kernel = await lab.execScript('worker2', `conntrack -L -s ${pod} 2>/dev/null | wc -l`);
    expect(kernel.stdout.trim()).toBe('0');
  });

  it("reaches its own node's address through its management port and another node's through its gateway router, as upstream's 1004 policies leave it", async () => {
    // Upstream (release-1.3, pkg/ovn/gatewayrouter/policybasedroutes.go AddSameNodeIPPolicy):
    // a pod's traffic for its own node's address goes to the management port at 1004, keeping
    // the pod IP; for another node's address it takes the source route to its gateway router,
    // which SNATs it to its node's address. Before the lab had the per-port route tables, both
    // went to the target's management port over geneve and arrived with the pod IP.
    const pod = ips['egress.client'] as string;
    const expected: Record<string, string> = { worker2: pod, worker: nodeAddress('worker2') };
    for (const node of ['worker2', 'worker']) {
      await lab.startHostServer(node, 'sgw-host', 9376, `host-${node}`);
      try {
        const seen = await lab.podConnect('worker2', 'egress.client', nodeAddress(node), 9376, 'tcp', {
          timeoutMs: 5000,
        });
        expect(seen.split(':')[0]).toBe(expected[node]);
      } finally {
        // The next test starts the same server: a failure here must not fail it too.
        await lab.stopHostServer(node, 'sgw-host', 9376);
      }
    }
  });

  it("sends an EgressService endpoint's egress through the egress node's host, SNATed to the LoadBalancer IP", async () => {
    const web = ips['egress.web'] as string;
    const state: DataplaneState = {
      egress: [
        {
          service: 'egress/web',
          host: 'worker',
          loadBalancerIPs: { ipv4: LB_IP },
          endpoints: [{ node: 'worker2', ips: { ipv4: web } }],
        },
      ],
      ingress: [],
    };
    // The reference's two halves, in its order: the egress node's host, then OVN.
    await lab.execScript('worker', renderNodeDataplane(lab.plan, 'worker', state));
    await lab.announce('worker', `${LB_IP}/32`);
    await lab.execScript(
      'peer',
      `i=0; until ip route show ${LB_IP} | grep -q via; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done`,
    );
    const programmer = new OvnEgressProgrammer(labMachines(lab));
    expect(await programmer.apply(state, true)).toBe(true);
    const policies = (await lab.ovnNbctl(['lr-policy-list', 'ovn_cluster_router'])).stdout;
    expect(policies).toMatch(
      new RegExp(`101\\s+ip4\\.src == ${web.replace(/\./g, '\\.')}\\s+reroute\\s+10\\.244\\.1\\.2`),
    );

    const endpoint = await egressSeenAtPeer('egress.web', 'sgw-endpoint');
    expect(endpoint.reported).toBe(LB_IP);
    expect(endpoint.captured).toEqual([LB_IP]);
    // The other pod on the same node still leaves through its gateway router.
    const other = await egressSeenAtPeer('egress.client', 'sgw-client-again');
    expect(other.captured).toEqual([nodeAddress('worker2')]);
  }, 60_000);

  it("lets an EgressService endpoint reach other nodes' addresses through its gateway router, where br-ex's 1008 flow SNATs it", async () => {
    // Follows the test above (its EgressService, egress node worker, endpoint egress.web on
    // worker2): the 102 node no-reroute lets the endpoint's traffic for node addresses through
    // with pkt_mark=1008. Upstream sends it for another node's address through the pod's gateway
    // router, and br-ex's priority 105 flow for that mark SNATs it to the node's address once
    // more. Before, the lab sent it over geneve to the target's management port, where the
    // userspace datapath looked the tunnel's route up with the mark and dropped it (core's
    // in-cluster-traffic-not-rewritten: "6/9 tcp attempts to <node>:9376 got no reply").
    const flow105 = async () => {
      const flows = await lab.execScript('worker2', 'ovs-ofctl dump-flows br-ex | grep priority=105');
      return Number(/n_packets=(\d+)/.exec(flows.stdout)?.[1] ?? Number.NaN);
    };
    const before = await flow105();
    for (const node of ['worker', 'control-plane']) {
      await lab.startHostServer(node, 'sgw-host', 9376, `host-${node}`);
      try {
        const seen = await lab.podConnect('worker2', 'egress.web', nodeAddress(node), 9376, 'tcp', {
          timeoutMs: 5000,
        });
        expect(seen.split(':')[0]).toBe(nodeAddress('worker2'));
      } finally {
        await lab.stopHostServer(node, 'sgw-host', 9376);
      }
    }
    expect(await flow105()).toBeGreaterThan(before);
    // A node's addresses on other networks still reach its management port over geneve (the
    // gateway router routes only to the default network's peer); the mark's packets need br-ex's
    // route for mark 1008 there: without it OVS 3.1 answered "Not found".
    const route = await lab.execScript(
      'worker2',
      `ovs-appctl ovs/route/lookup ${nodeAddress('worker')} pkt_mark=1008`,
    );
    expect(route.stdout).toContain('dev br-ex');
  }, 60_000);
});

async function masqueradeCount(node: string): Promise<number> {
  const table = await lab.execScript(node, `nft list table inet ${BASE_NFT_TABLE}`);
  return Number(
    /counter packets (\d+) bytes \d+ masquerade comment "pod egress"/.exec(table.stdout)?.[1] ?? NaN,
  );
}
