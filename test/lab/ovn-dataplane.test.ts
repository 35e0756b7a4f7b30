/**
 * The lab's OVN data plane scripts on real OVN: a central container (NB, SB, ovn-northd), two
 * nodes (OVS userspace datapath, br-ex over eth0, ovn-controller, management port) and an
 * external peer on an internal docker network. Pods are network namespaces on the nodes'
 * logical switches. Checked where the packets arrive:
 * - pod to pod across nodes (geneve), with the source address unchanged (no-reroute at 102);
 * - an egress service endpoint rerouted at 101 to the egress node's management port, SNATed by
 *   that node's host to the LoadBalancer address: the peer sees the LoadBalancer address as the
 *   client, and the tcpdump capture on the peer shows it leaving the egress node's MAC.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowLabBridges, removeLabBridgeRules } from '../../harness/env/lab/infra/bridge-filter.js';
import { SYSCTLS } from '../../harness/env/lab/infra/containers.js';
import { ensureOvnLabImages } from '../../harness/env/lab/infra/images.js';
import { labLabels, newLabId } from '../../harness/env/lab/infra/labels.js';
import {
  attachPodScript,
  clusterTopologyScript,
  gatewayModeRouteScript,
  managementPortScript,
  OVN_NB_PORT,
  type OvnNodeSpec,
  ovnMac,
  startCentralScript,
  startNodeScript,
} from '../../harness/env/lab/infra/ovn.js';
import {
  type OvnClusterState,
  type OvnProgrammerFaults,
  ovnNbctlTransaction,
  renderOvnEgressState,
} from '../../harness/env/lab/reference/ovn-programmer.js';
import { execaRunner } from '../../harness/env/shared/command-runner.js';
import { collectOvnDiagnostics, dockerOvnSites } from '../../harness/env/shared/ovn-diagnostics.js';

const id = newLabId();
const labels = Object.entries(labLabels(id, id)).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
const network = `${id}-default`;
const central = `${id}-ovn-central`;
const peer = `${id}-peer`;
const nodeContainer = (n: OvnNodeSpec) => `${id}-${n.name}`;
const CLUSTER_CIDR = '10.244.0.0/16';
const LB_IP = '203.0.113.10';
const PEER_SERVICE_IP = '198.51.100.10';

const docker = (args: string[]) => execa('docker', args);
const sh = (container: string, script: string) => docker(['exec', container, 'bash', '-ec', script]);

let nodes: OvnNodeSpec[] = [];
let subnet = '';
let centralIp = '';
let peerIp = '';
let egressNodeIp = '';
let nodeIps: string[] = [];
const pods = [
  { name: 'client-a', node: 0, ip: '10.244.0.5' },
  { name: 'client-b', node: 1, ip: '10.244.1.5' },
];

beforeAll(async () => {
  const images = await ensureOvnLabImages();
  await docker(['network', 'create', '--internal', ...labels, network]);
  // As the lab does: frames bridged between the lab's own containers pass docker's isolation.
  await allowLabBridges(id, [network]);
  subnet = (
    await docker([
      'network',
      'inspect',
      '--format',
      '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}',
      network,
    ])
  ).stdout.trim();
  const [cidr = '', gateway = ''] = subnet.split(' ');
  const base = cidr.split('/')[0]?.split('.').slice(0, 3).join('.');
  nodes = ['node0', 'node1'].map((name, index) => ({
    name,
    index,
    families: ['ipv4'],
    podCidrs: { ipv4: `10.244.${index}.0/24` },
    gatewayRouterAddresses: { ipv4: `${base}.${200 + index}/${cidr.split('/')[1]}` },
    underlayGateways: { ipv4: gateway },
  }));
  const run = (name: string, image: string, caps: string[]) =>
    docker([
      'run',
      '-d',
      ...labels,
      '--name',
      name,
      '--hostname',
      name.slice(id.length + 1),
      '--network',
      network,
      ...caps.flatMap((cap) => ['--cap-add', cap]),
      ...(caps.includes('SYS_ADMIN')
        ? [
            '--device',
            '/dev/net/tun',
            ...Object.entries(SYSCTLS.node).flatMap(([k, v]) => ['--sysctl', `${k}=${v}`]),
          ]
        : []),
      '--entrypoint',
      'sleep',
      image,
      '600',
    ]);
  await Promise.all([
    run(central, images.ovnPackages, []),
    run(peer, images.ovnPackages, ['NET_ADMIN', 'NET_RAW']),
    ...nodes.map((n) => run(nodeContainer(n), images.node, ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'])),
  ]);
  const ipOf = async (container: string) =>
    (
      await docker([
        'inspect',
        '--format',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
        container,
      ])
    ).stdout.trim();
  centralIp = await ipOf(central);
  peerIp = await ipOf(peer);
  nodeIps = await Promise.all(nodes.map((n) => ipOf(nodeContainer(n))));
  egressNodeIp = nodeIps[0] as string;
  await sh(central, `${startCentralScript()}\n${clusterTopologyScript(nodes, { ipv4: CLUSTER_CIDR })}`);
  await Promise.all(nodes.map((n) => sh(nodeContainer(n), startNodeScript(n.name, centralIp))));
  await Promise.all(nodes.map((n) => sh(nodeContainer(n), managementPortScript(n, { ipv4: CLUSTER_CIDR }))));
  for (const pod of pods) {
    const node = nodes[pod.node] as OvnNodeSpec;
    const netns = `${id}-${pod.name}`;
    const veth = `lp-${pod.name}`;
    await sh(
      nodeContainer(node),
      `ip netns add ${netns}; ip link add ${veth} type veth peer name eth0 netns ${netns}; ip -n ${netns} link set lo up\n` +
        attachPodScript({
          node,
          nbDb: `tcp:${centralIp}:${OVN_NB_PORT}`,
          logicalPort: `egress_${pod.name}`,
          netns,
          veth,
          ips: { ipv4: pod.ip },
        }),
    );
  }
  // The peer: a service address, the route back to the LoadBalancer address through the egress
  // node (BGP's job in the lab), a server that answers with the client address it saw.
  await sh(
    peer,
    `ip addr add ${PEER_SERVICE_IP}/32 dev lo
     ethtool -K eth0 tx off >/dev/null
     ip route add ${LB_IP}/32 via ${egressNodeIp}
     (setsid socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'echo \\$SOCAT_PEERADDR' >/dev/null 2>&1 &)`,
  );
  // The peer's service address is routed to the peer on the node hosts (for rerouted egress
  // traffic) and on the gateway routers (for the rest, shared gateway mode).
  await Promise.all(
    nodes.map((n) => sh(nodeContainer(n), `ip route replace ${PEER_SERVICE_IP}/32 via ${peerIp}`)),
  );
  await sh(
    central,
    nodes.map((n) => `ovn-nbctl lr-route-add GR_${n.name} ${PEER_SERVICE_IP}/32 ${peerIp}`).join('\n'),
  );
  await program([]);
  await sh(central, 'ovn-nbctl --wait=hv --timeout=30 sync');
}, 120_000);

afterAll(async () => {
  await execa('docker', ['rm', '-f', central, peer, ...nodes.map(nodeContainer)], { reject: false });
  await execa('docker', ['network', 'rm', network], { reject: false });
  await removeLabBridgeRules(id);
});

/** The reference's OVN state for these egress services (endpoint IPs, rerouted to node0). */
function clusterState(endpoints: string[]): OvnClusterState {
  return {
    families: ['ipv4'],
    clusterCidrs: { ipv4: CLUSTER_CIDR },
    joinSubnets: { ipv4: '100.64.0.0/16' },
    nodeIps: { ipv4: nodeIps },
    services:
      endpoints.length > 0
        ? [{ key: 'egress/svc', nextHops: { ipv4: '10.244.0.2' }, endpoints: { ipv4: endpoints } }]
        : [],
  };
}

async function program(endpoints: string[], faults: OvnProgrammerFaults = {}): Promise<void> {
  const argv = ovnNbctlTransaction(renderOvnEgressState(clusterState(endpoints), faults));
  await docker(['exec', central, 'ovn-nbctl', '--wait=hv', ...argv]);
}

/** The lab's OVN diagnostics (the code kind and existing use) for one flow, as file name -> text. */
async function diagnose(
  from: (typeof pods)[number],
  to: string,
  port: number,
): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'egress-conformance-ovn-lab-'));
  try {
    const sites = dockerOvnSites(
      central,
      nodes.map((n) => ({ name: n.name, container: nodeContainer(n) })),
    );
    const flow = {
      pod: {
        namespace: 'egress',
        name: from.name,
        node: (nodes[from.node] as OvnNodeSpec).name,
        ip: from.ip,
      },
      peer: { ip: to, protocol: 'tcp' as const, port },
    };
    await collectOvnDiagnostics(execaRunner, { sites, egressNodes: ['node0'], flow }, dir);
    const files: Record<string, string> = {};
    for (const name of await readdir(dir)) files[name] = await readFile(join(dir, name), 'utf8');
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const traceOf = (files: Record<string, string>) =>
  Object.entries(files).find(([name]) => name.startsWith('ovn-trace-'))?.[1] ?? '';

const inPod = (pod: (typeof pods)[number], command: string) =>
  sh(nodeContainer(nodes[pod.node] as OvnNodeSpec), `ip netns exec ${id}-${pod.name} ${command}`);

describe('the OVN data plane', () => {
  it('carries pod to pod traffic across nodes through geneve, keeping the pod address', async () => {
    const [a, b] = pods as [(typeof pods)[number], (typeof pods)[number]];
    // The first packets of a new path may be lost while ovn-controller installs flows and the
    // router resolves the MAC; once one answer came back, every ping is answered.
    await inPod(
      a,
      `sh -c 'for i in $(seq 1 20); do ping -c 1 -W 1 ${b.ip} >/dev/null && exit 0; done; exit 1'`,
    );
    const ping = await inPod(a, `ping -c 3 -i 0.2 -W 2 ${b.ip}`);
    expect(ping.stdout).toMatch(/3 received/);
    await inPod(
      b,
      `sh -c "(setsid socat TCP-LISTEN:9090,fork,reuseaddr SYSTEM:'echo \\$SOCAT_PEERADDR' >/dev/null 2>&1 &)"`,
    );
    const seen = await inPod(a, `socat -T 5 - TCP:${b.ip}:9090,connect-timeout=5`);
    expect(seen.stdout.trim()).toBe(a.ip);
  });

  it('reroutes an egress service endpoint at 101 to the egress node, whose host SNATs it to the LoadBalancer IP', async () => {
    const [egressNode] = nodes as [OvnNodeSpec];
    const endpoint = pods[1] as (typeof pods)[number];
    await program([endpoint.ip]);
    await sh(
      nodeContainer(egressNode),
      `nft -f - <<'NFT'
table ip lab_egress_test {
  chain postrouting { type nat hook postrouting priority srcnat; ip saddr ${endpoint.ip} ip daddr != ${CLUSTER_CIDR} snat to ${LB_IP}; }
}
NFT`,
    );
    const policies = await sh(central, 'ovn-nbctl lr-policy-list ovn_cluster_router');
    expect(policies.stdout).toMatch(
      new RegExp(
        `^\\s*101\\s+ip4\\.src == ${endpoint.ip.replaceAll('.', '\\.')}\\s+reroute\\s+10\\.244\\.0\\.2$`,
        'm',
      ),
    );
    await docker([
      'exec',
      '-d',
      peer,
      'timeout',
      '8',
      'tcpdump',
      '-nn',
      '-e',
      '-l',
      '-c',
      '1',
      '-w',
      '/tmp/egress.pcap',
      'tcp dst port 8080',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const seen = await inPod(endpoint, `socat -T 5 - TCP:${PEER_SERVICE_IP}:8080,connect-timeout=5`);
    expect(seen.stdout.trim()).toBe(LB_IP);
    const capture = await sh(peer, 'sleep 1; tcpdump -nn -e -r /tmp/egress.pcap 2>/dev/null');
    const egressMac = (await sh(nodeContainer(egressNode), 'cat /sys/class/net/br-ex/address')).stdout.trim();
    expect(capture.stdout).toContain(`${egressMac} >`);
    expect(capture.stdout).toContain(`${LB_IP}.`);
    // The pod on the egress node is not an endpoint: it leaves through its gateway router, SNATed
    // to the router's address (shared gateway mode).
    const other = await inPod(
      pods[0] as (typeof pods)[number],
      `socat -T 5 - TCP:${PEER_SERVICE_IP}:8080,connect-timeout=5`,
    );
    expect(other.stdout.trim()).toBe((nodes[0] as OvnNodeSpec).gatewayRouterAddresses.ipv4?.split('/')[0]);
    expect(ovnMac(endpoint.ip)).toBe('0a:58:0a:f4:01:05');
  });

  it('in local gateway mode sends pod egress through the node host, which masquerades it with the node IP', async () => {
    const node = nodes[0] as OvnNodeSpec;
    await sh(central, `${gatewayModeRouteScript(node, 'local')}\novn-nbctl --wait=hv sync`);
    const routes = await sh(central, 'ovn-nbctl lr-route-list ovn_cluster_router');
    expect(routes.stdout).toMatch(/10\.244\.0\.0\/24\s+10\.244\.0\.2 src-ip/);
    await sh(
      nodeContainer(node),
      `nft -f - <<'NFT'
table ip lab_local_gw_test {
  chain postrouting { type nat hook postrouting priority srcnat; ip saddr ${CLUSTER_CIDR} ip daddr != ${CLUSTER_CIDR} oifname "br-ex" masquerade; }
}
NFT`,
    );
    const seen = await inPod(
      pods[0] as (typeof pods)[number],
      `socat -T 5 - TCP:${PEER_SERVICE_IP}:8080,connect-timeout=5`,
    );
    expect(seen.stdout.trim()).toBe(egressNodeIp);
  });

  it("keeps an endpoint's in-cluster traffic off the reroute, and the diagnostics' ovn-trace shows OVN-level faults", async () => {
    const [a, b] = pods as [(typeof pods)[number], (typeof pods)[number]];
    // Conformant: the endpoint's traffic to another pod matches the 102 allow policy and goes
    // straight to that pod; its traffic to a node address matches the node no-reroute at 102.
    await program([b.ip]);
    let files = await diagnose(b, a.ip, 9090);
    expect(files['ovn-central-lr-policies.txt']).toMatch(
      /^\s*101\s+ip4\.src == 10\.244\.1\.5\s+reroute\s+10\.244\.0\.2$/m,
    );
    expect(files['ovn-central-address-sets.txt']).toMatch(/egresssvc_served_pods_v4[\s\S]*10\.244\.1\.5/);
    expect(traceOf(files)).toMatch(/lr_in_policy .*priority 102/);
    expect(traceOf(files)).toMatch(/output to "egress_client-a"/);
    // The bundle's diagram, drawn from OVN's own output: every attachment and the policies.
    const diagram = files['ovn-central-topology.mmd'] ?? '';
    expect(diagram).toMatch(/node0 ---\|"rtos-node0 10\.244\.0\.1\/24"\| ovn_cluster_router/);
    expect(diagram).toMatch(/join ---\|"rtoj-GR_node1 100\.64\.0\.3\/16"\| GR_node1/);
    expect(diagram).toMatch(/ext_node0 --- breth0_node0_underlay/);
    expect(diagram).toContain('101 ip4.src == 10.244.1.5 reroute 10.244.0.2');
    if (process.env.EC_OVN_DIAGRAM_OUT) await writeFile(process.env.EC_OVN_DIAGRAM_OUT, diagram);
    files = await diagnose(b, nodeIps[1] as string, 10250);
    expect(traceOf(files)).toMatch(/lr_in_policy .*\$node_ips_v4, priority 102/);
    expect(traceOf(files)).not.toMatch(/output to "k8s-node0"/);

    // A reroute above the no-reroute priority hijacks the in-cluster traffic to the egress node.
    await program([b.ip], { reroutePriority: 103 });
    files = await diagnose(b, a.ip, 9090);
    expect(files['ovn-central-lr-policies.txt']).toMatch(/^\s*103\s+ip4\.src == 10\.244\.1\.5\s+reroute/m);
    expect(traceOf(files)).toMatch(/lr_in_policy .*ip4\.src == 10\.244\.1\.5, priority 103/);
    expect(traceOf(files)).toMatch(/output to "k8s-node0"/);

    // Without the node no-reroute policy, the endpoint's traffic to a node goes to the egress node.
    await program([b.ip], { omitNodeNoReroute: true });
    files = await diagnose(b, nodeIps[1] as string, 10250);
    expect(traceOf(files)).toMatch(/lr_in_policy .*priority 101/);
    expect(traceOf(files)).toMatch(/output to "k8s-node0"/);

    // A stale address set keeps a pod that is no longer an endpoint in it.
    await program([], { staleServedPods: { ipv4: [b.ip] } });
    files = await diagnose(b, a.ip, 9090);
    expect(files['ovn-central-address-sets.txt']).toMatch(/egresssvc_served_pods_v4[\s\S]*10\.244\.1\.5/);
    expect(files['ovn-central-lr-policies.txt']).not.toMatch(/reroute/);
    await program([]);
  });
});
