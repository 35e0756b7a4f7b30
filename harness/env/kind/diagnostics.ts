/**
 * What a failed test's diagnostics bundle holds, as a list of commands and the file each one's
 * output goes to: the test namespace's objects and events, the EgressServices with their status,
 * node labels, ovnkube and MetalLB logs, the peers' BGP tables and FRR logs, and every node's
 * `ip rule`, routes and nft/iptables rules. No Secrets are read.
 */
import { kubectlBase } from './bring-up.js';
import { type KindTopology, METALLB_NAMESPACE, OVN_NAMESPACE } from './topology.js';

export interface DiagnosticCommand {
  file: string;
  argv: string[];
}

const NODE_NETWORK_SCRIPT = [
  'echo "# ip rule"; ip rule',
  'echo "# ip -6 rule"; ip -6 rule',
  'echo "# ip route show table all"; ip route show table all',
  'echo "# ip -6 route show table all"; ip -6 route show table all',
  'echo "# ip -d link"; ip -d link',
  'echo "# nft list ruleset"; nft list ruleset',
  'echo "# iptables-save"; iptables-save',
  'echo "# ip6tables-save"; ip6tables-save',
].join('; ');

export function diagnosticCommands(t: KindTopology, namespace: string): DiagnosticCommand[] {
  const kubectl = kubectlBase(t);
  const logs = (ns: string, selector: string) => [
    ...kubectl,
    'logs',
    '-n',
    ns,
    '-l',
    selector,
    '--all-containers',
    '--prefix',
    '--tail=5000',
    '--max-log-requests=20',
  ];
  const commands: DiagnosticCommand[] = [
    {
      file: 'namespace-objects.yaml',
      argv: [...kubectl, 'get', 'all,endpointslices,egressservices', '-n', namespace, '-o', 'yaml'],
    },
    {
      file: 'namespace-events.txt',
      argv: [...kubectl, 'get', 'events', '-n', namespace, '--sort-by=.lastTimestamp', '-o', 'wide'],
    },
    {
      file: 'egressservices.yaml',
      argv: [...kubectl, 'get', 'egressservices.k8s.ovn.org', '--all-namespaces', '-o', 'yaml'],
    },
    { file: 'nodes.txt', argv: [...kubectl, 'get', 'nodes', '-o', 'wide', '--show-labels'] },
    { file: 'nodes.yaml', argv: [...kubectl, 'get', 'nodes', '-o', 'yaml'] },
    {
      file: 'metallb-config.yaml',
      argv: [
        ...kubectl,
        'get',
        'ipaddresspools,bgppeers,bgpadvertisements',
        '-n',
        METALLB_NAMESPACE,
        '-o',
        'yaml',
      ],
    },
    { file: 'ovn-pods.txt', argv: [...kubectl, 'get', 'pods', '-n', OVN_NAMESPACE, '-o', 'wide'] },
    { file: 'ovnkube-node.log', argv: logs(OVN_NAMESPACE, 'name=ovnkube-node') },
    { file: 'ovnkube-master.log', argv: logs(OVN_NAMESPACE, 'name=ovnkube-master') },
    { file: 'metallb-pods.txt', argv: [...kubectl, 'get', 'pods', '-n', METALLB_NAMESPACE, '-o', 'wide'] },
    { file: 'metallb.log', argv: logs(METALLB_NAMESPACE, 'app.kubernetes.io/name=metallb') },
    { file: 'frr-k8s.log', argv: logs(METALLB_NAMESPACE, 'app.kubernetes.io/name=frr-k8s') },
  ];
  for (const peer of t.peers) {
    commands.push(
      {
        file: `${peer.name}-bgp.txt`,
        argv: [
          'docker',
          'exec',
          peer.container,
          'vtysh',
          '-c',
          'show bgp summary',
          ...t.families.flatMap((f) => ['-c', `show bgp ${f} unicast`]),
          '-c',
          'show running-config',
        ],
      },
      { file: `${peer.name}-frr.log`, argv: ['docker', 'logs', '--tail', '5000', peer.container] },
    );
  }
  for (const node of t.nodes) {
    commands.push({
      file: `${node.name}-network.txt`,
      argv: ['docker', 'exec', node.name, 'sh', '-c', NODE_NETWORK_SCRIPT],
    });
  }
  return commands;
}
