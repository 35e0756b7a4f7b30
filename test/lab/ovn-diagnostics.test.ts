/**
 * The OVN diagnostics that kind and existing clusters collect through `kubectl exec`, run against
 * real OVN here: a container with OVN's NB and SB databases and ovn-northd, and a node container
 * with Open vSwitch (userspace datapath) and ovn-controller bound to them. The topology is made
 * with ovn-nbctl in OVN-Kubernetes' shape; the collector runs once through `docker exec` (the lab)
 * and once through kubectl command lines that a translating runner carries out in the same
 * containers, both for an interconnect cluster (a zone per node) and for a central database.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOvnLabImages } from '../../harness/env/lab/infra/images.js';
import { labLabels, newLabId } from '../../harness/env/lab/infra/labels.js';
import { type CommandRunner, execaRunner } from '../../harness/env/shared/command-runner.js';
import {
  collectClusterOvnDiagnostics,
  collectOvnDiagnostics,
  dockerOvnSites,
  kubectlOvnSites,
  type OffendingFlow,
  traceMicroflow,
} from '../../harness/env/shared/ovn-diagnostics.js';

const id = newLabId();
const central = `${id}-ovn-central`;
const node = `${id}-node1`;
const network = `${id}-ovn`;
const labels = Object.entries(labLabels(id, id)).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

const docker = (args: string[]) => execa('docker', args);
const sh = (container: string, script: string) => docker(['exec', container, 'bash', '-ec', script]);

/** pod2 on node2 leaves through node1: rerouted at priority 101 to node1's management port. */
const flow: OffendingFlow = {
  pod: { namespace: 'egress', name: 'pod2', node: 'node2', ip: '10.244.2.5' },
  peer: { ip: '192.0.2.10', protocol: 'tcp', port: 8080 },
};

// The shape of OVN-Kubernetes' default network (types/const.go at 251895cd): node switches with
// router ports rtos-<node>, management ports k8s-<node> (.2 of the node subnet), the cluster
// router, the join switch and a gateway router per node pinned to its chassis.
const TOPOLOGY = `
nb=ovn-nbctl
$nb lr-add ovn_cluster_router
$nb ls-add join
$nb lrp-add ovn_cluster_router rtoj-ovn_cluster_router 0a:58:64:40:00:01 100.64.0.1/16
$nb lsp-add join jtor-ovn_cluster_router -- lsp-set-type jtor-ovn_cluster_router router \\
  -- lsp-set-addresses jtor-ovn_cluster_router router -- lsp-set-options jtor-ovn_cluster_router router-port=rtoj-ovn_cluster_router
for n in 1 2; do
  $nb ls-add node$n -- set logical_switch node$n other_config:subnet=10.244.$n.0/24
  $nb lrp-add ovn_cluster_router rtos-node$n 0a:58:0a:f4:0$n:01 10.244.$n.1/24
  $nb lsp-add node$n stor-node$n -- lsp-set-type stor-node$n router -- lsp-set-addresses stor-node$n router \\
    -- lsp-set-options stor-node$n router-port=rtos-node$n
  $nb lsp-add node$n k8s-node$n -- lsp-set-addresses k8s-node$n "0a:58:0a:f4:0$n:02 10.244.$n.2"
  $nb lr-add GR_node$n -- set logical_router GR_node$n options:chassis=node$n
  $nb lrp-add GR_node$n rtoj-GR_node$n 0a:58:64:40:00:0$((n+1)) 100.64.0.$((n+1))/16
  $nb lsp-add join jtor-GR_node$n -- lsp-set-type jtor-GR_node$n router -- lsp-set-addresses jtor-GR_node$n router \\
    -- lsp-set-options jtor-GR_node$n router-port=rtoj-GR_node$n
  $nb lr-nat-add GR_node$n snat 172.18.0.1$n 10.244.0.0/16
  $nb --policy=src-ip lr-route-add ovn_cluster_router 10.244.$n.0/24 100.64.0.$((n+1))
done
$nb lsp-add node1 egress_pod1 -- lsp-set-addresses egress_pod1 "0a:58:0a:f4:01:05 10.244.1.5"
$nb lsp-add node2 egress_pod2 -- lsp-set-addresses egress_pod2 "0a:58:0a:f4:02:05 10.244.2.5"
# Stateful ACL on node1's switch: OVN commits pod1's connections to conntrack in OVS.
$nb acl-add node1 from-lport 1001 ip4 allow-related
$nb lr-policy-add ovn_cluster_router 102 "ip4.src == 10.244.0.0/16 && ip4.dst == 10.244.0.0/16" allow
$nb lr-policy-add ovn_cluster_router 101 "ip4.src == 10.244.2.5" reroute 10.244.1.2
$nb create Address_Set name=a_egresssvc_served_pods_v4 addresses='"10.244.2.5"' external_ids:name=egresssvc-served-pods_v4
$nb --wait=sb sync
`;

const START_OVS_AND_CONTROLLER = (centralIp: string) => `
mkdir -p /var/run/openvswitch /etc/openvswitch /var/run/ovn /var/log/ovn
ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server /etc/openvswitch/conf.db --remote=punix:/var/run/openvswitch/db.sock --pidfile --detach
ovs-vsctl --no-wait init
ovs-vswitchd --pidfile --detach --log-file=/var/log/openvswitch-vswitchd.log
ip=$(ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
ovs-vsctl add-br br-int -- set bridge br-int datapath_type=netdev fail-mode=secure
ovs-vsctl set Open_vSwitch . external-ids:system-id=node1 external-ids:ovn-remote=tcp:${centralIp}:6642 \\
  external-ids:ovn-encap-type=geneve external-ids:ovn-encap-ip=$ip external-ids:ovn-bridge-datapath-type=netdev
ovn-controller unix:/var/run/openvswitch/db.sock --pidfile=/var/run/ovn/ovn-controller.pid --detach \\
  --log-file=/var/log/ovn/ovn-controller.log
# pod1: an internal port in the node's own stack, bound to its logical port.
ovs-vsctl add-port br-int pod1 -- set interface pod1 type=internal external_ids:iface-id=egress_pod1
ip link set pod1 address 0a:58:0a:f4:01:05 up
ip addr add 10.244.1.5/24 dev pod1
ip route add 10.244.0.0/16 via 10.244.1.1 dev pod1
`;

let dir: string;

beforeAll(async () => {
  const images = await ensureOvnLabImages();
  dir = await mkdtemp(join(tmpdir(), 'egress-conformance-ovn-diag-'));
  await docker(['network', 'create', '--internal', ...labels, network]);
  await docker([
    'run',
    '-d',
    ...labels,
    '--name',
    central,
    '--network',
    network,
    images.ovnPackages,
    'sleep',
    '600',
  ]);
  await docker([
    'run',
    '-d',
    ...labels,
    '--name',
    node,
    '--hostname',
    'node1',
    '--network',
    network,
    '--cap-add',
    'NET_ADMIN',
    '--cap-add',
    'NET_RAW',
    '--device',
    '/dev/net/tun',
    images.ovnPackages,
    'sleep',
    '600',
  ]);
  await sh(
    central,
    `/usr/share/ovn/scripts/ovn-ctl --db-nb-create-insecure-remote=yes --db-sb-create-insecure-remote=yes start_northd >/dev/null
     ovn-sbctl set-connection ptcp:6642:0.0.0.0
     ${TOPOLOGY}`,
  );
  const centralIp = (
    await docker(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', central])
  ).stdout.trim();
  await sh(node, START_OVS_AND_CONTROLLER(centralIp));
  // Wait for ovn-controller to claim pod1, then open a TCP connection from pod1 to pod2: through
  // OVN's pipeline, whose stateful ACL commits it to the OVS conntrack of node1.
  await sh(central, 'ovn-nbctl --timeout=20 wait-until Logical_Switch_Port egress_pod1 up=true');
  await sh(central, 'ovn-nbctl --wait=hv sync');
  await sh(node, 'timeout 2 bash -c "exec 3<>/dev/tcp/10.244.2.5/8080" || true');
}, 90_000);

afterAll(async () => {
  await execa('docker', ['rm', '-f', central, node], { reject: false });
  await execa('docker', ['network', 'rm', network], { reject: false });
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function bundle(sub: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(join(dir, sub)))
    files[name] = await readFile(join(dir, sub, name), 'utf8');
  return files;
}

function expectOvnContent(files: Record<string, string>, zone: string): void {
  expect(files[`ovn-${zone}-nb-show.txt`]).toMatch(/router \S+ \(GR_node1\)/);
  expect(files[`ovn-${zone}-nb-show.txt`]).toMatch(/switch \S+ \(join\)/);
  // The policies with their priorities, as ovn-nbctl prints them.
  const policies = files[`ovn-${zone}-lr-policies.txt`] ?? '';
  expect(policies).toMatch(/^\s*101\s+ip4\.src == 10\.244\.2\.5\s+reroute\s+10\.244\.1\.2$/m);
  expect(policies).toMatch(
    /^\s*102\s+ip4\.src == 10\.244\.0\.0\/16 && ip4\.dst == 10\.244\.0\.0\/16\s+allow$/m,
  );
  expect(files[`ovn-${zone}-lr-nat-GR_node2.txt`]).toMatch(/snat\s+172\.18\.0\.12\s+10\.244\.0\.0\/16/);
  expect(files[`ovn-${zone}-address-sets.txt`]).toContain('egresssvc-served-pods_v4');
  // ovn-controller on node1 claimed pod1: its binding names the chassis.
  expect(files[`ovn-${zone}-sb-show.txt`]).toMatch(/Chassis node1[\s\S]*Port_Binding egress_pod1/);
  expect(files[`ovn-${zone}-port-bindings.txt`]).toMatch(/logical_port\s*: egress_pod2/);
  // The trace of pod2's packet: the reroute policy at 101 sends it to node1's management port.
  const trace = files['ovn-trace-egress_pod2-to-192.0.2.10.txt'] ?? '';
  expect(trace).toMatch(
    /^# tcp,.*dl_src=0a:58:0a:f4:02:05,.*nw_src=10\.244\.2\.5,nw_dst=192\.0\.2\.10,.*tp_dst=8080/,
  );
  expect(trace).toMatch(/ingress\(dp="node2", inport="egress_pod2"\)/);
  expect(trace).toMatch(
    /lr_in_policy .*: ip4\.src == 10\.244\.2\.5, priority 101,.*\n\s+reg0 = 10\.244\.1\.2;/,
  );
  expect(trace).toMatch(/output to "k8s-node1"/);
  // The zone's diagram, drawn from the NB output above.
  expect(files[`ovn-${zone}-topology.mmd`]).toMatch(/join ---\|"rtoj-GR_node1 100\.64\.0\.2\/16"\| GR_node1/);
  expect(files[`ovn-${zone}-topology.mmd`]).toContain('101 ip4.src == 10.244.2.5 reroute 10.244.1.2');
  // The conntrack of node1's OVS holds pod1's connection that OVN committed.
  expect(files['ovs-node1-conntrack.txt']).toMatch(
    /tcp,orig=\(src=10\.244\.1\.5,dst=10\.244\.2\.5,.*dport=8080\)/,
  );
}

describe('OVN diagnostics against real OVN databases', () => {
  it('builds the ovn-trace microflow from the pod port and router port MACs', () => {
    expect(traceMicroflow(flow, '0a:58:0a:f4:02:05', '0a:58:0a:f4:02:01')).toEqual({
      datapath: 'node2',
      microflow:
        'inport == "egress_pod2" && eth.src == 0a:58:0a:f4:02:05 && eth.dst == 0a:58:0a:f4:02:01 && ' +
        'ip4.src == 10.244.2.5 && ip4.dst == 192.0.2.10 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 8080',
    });
    const v6 = traceMicroflow(
      { pod: { ...flow.pod, ip: 'fd00:10:244:2::5' }, peer: { ip: '2001:db8::10', protocol: 'icmp' } },
      '0a:58:0a:f4:02:05',
      '0a:58:0a:f4:02:01',
    );
    expect(v6.microflow).toContain('ip6.src == fd00:10:244:2::5 && ip6.dst == 2001:db8::10');
    expect(v6.microflow).toContain('icmp6.type == 128');
  });

  it('collects through docker exec (the lab)', async () => {
    const sites = dockerOvnSites(central, [
      { name: 'node1', container: node },
      { name: 'node2', container: `${id}-node2-absent` },
    ]);
    await collectOvnDiagnostics(execaRunner, { sites, egressNodes: ['node1'], flow }, join(dir, 'docker'));
    const files = await bundle('docker');
    expectOvnContent(files, 'central');
    expect(files['OVN-INDEX.txt']).toContain(
      `ovs-node1-conntrack.txt: docker exec ${node} ovs-appctl dpctl/dump-conntrack`,
    );
  });

  for (const mode of ['interconnect', 'central'] as const) {
    it(`collects through kubectl exec into the ovnkube pods (${mode})`, async () => {
      const seen: string[][] = [];
      const runner = kubectlRunner(mode, seen);
      const kubectl = ['kubectl', '--context', 'kind-ovn'];
      const sites = await kubectlOvnSites(runner, kubectl, 'ovn-kubernetes');
      await collectOvnDiagnostics(runner, { sites, egressNodes: ['node1'], flow }, join(dir, mode));
      const files = await bundle(mode);
      expectOvnContent(files, mode === 'central' ? 'central' : 'node2');
      // In interconnect mode each node's zone is asked for its own gateway router.
      if (mode === 'interconnect')
        expect(files['ovn-node1-lr-nat-GR_node1.txt']).toMatch(/snat\s+172\.18\.0\.11/);
      const execs = seen.filter((argv) => argv.includes('exec'));
      expect(execs.length).toBeGreaterThan(10);
      for (const argv of execs) {
        expect(argv.slice(0, 6)).toEqual([...kubectl, 'exec', '-n', 'ovn-kubernetes']);
        expect(['nb-ovsdb', 'sb-ovsdb', 'ovn-controller']).toContain(argv[argv.indexOf('-c') + 1]);
      }
      expect(execs).toContainEqual(
        expect.arrayContaining([
          'ovnkube-node-n1',
          '-c',
          'ovn-controller',
          '--',
          'ovs-appctl',
          'dpctl/dump-conntrack',
        ]),
      );
    });
  }
});

describe('a cluster failure through kubectl', () => {
  it("traces the failed probe's flow from its source pod and dumps conntrack on the EgressService's host", async () => {
    const seen: string[][] = [];
    const kubectl = ['kubectl', '--context', 'kind-ovn'];
    const failedFlow = {
      sources: [{ namespace: 'egress', pod: 'pod2' }],
      address: '192.0.2.10',
      port: 8080,
      protocol: 'tcp' as const,
    };
    await collectClusterOvnDiagnostics(
      kubectlRunner('central', seen),
      kubectl,
      { ovnNamespace: 'ovn-kubernetes', namespace: 'egress', failedFlow },
      join(dir, 'cluster'),
    );
    const files = await bundle('cluster');
    expectOvnContent(files, 'central');
    expect(Object.keys(files).filter((f) => f.endsWith('-conntrack.txt'))).toEqual([
      'ovs-node1-conntrack.txt',
    ]);
  });
});

/**
 * Carries out kubectl command lines in the test's containers: `get pods` answers with the pods
 * the helm charts would run; `exec POD -c CONTAINER -- cmd` runs cmd where that container's
 * databases or OVS are (the central container for nb-ovsdb and sb-ovsdb, node1 for ovn-controller).
 */
function kubectlRunner(mode: 'interconnect' | 'central', seen: string[][]): CommandRunner {
  const pods =
    mode === 'central'
      ? 'ovnkube-db\tcontrol\tovnkube-db-0\novnkube-node\tnode1\tovnkube-node-n1\novnkube-node\tnode2\tovnkube-node-n2\n'
      : 'ovnkube-node\tnode1\tovnkube-node-n1\novnkube-node\tnode2\tovnkube-node-n2\n';
  return {
    async run(argv, options) {
      seen.push(argv);
      if (argv[0] !== 'kubectl') throw new Error(`not a kubectl command: ${argv.join(' ')}`);
      if (!argv.includes('exec')) {
        // What the API would answer: the ovnkube pods, the failed probe's source pod (pod2 on
        // node2, dual-stack), the EgressService's status.host.
        const answer = (stdout: string) => ({ exitCode: 0, stdout, stderr: '', timedOut: false });
        if (argv.includes('egressservices.k8s.ovn.org')) return answer('node1');
        if (argv.includes('pod')) {
          expect(argv.slice(-5)).toEqual([
            '-n',
            'egress',
            'pod2',
            '-o',
            'jsonpath={.spec.nodeName}{" "}{.status.podIPs[*].ip}',
          ]);
          return answer('node2 10.244.2.5 fd00:10:244:2::5');
        }
        expect(argv).toContain('name in (ovnkube-node,ovnkube-db)');
        return answer(pods);
      }
      const dash = argv.indexOf('--');
      const container = argv[argv.indexOf('-c') + 1];
      const target = container === 'ovn-controller' ? node : central;
      return execaRunner.run(['docker', 'exec', target, ...argv.slice(dash + 1)], options);
    },
  };
}
