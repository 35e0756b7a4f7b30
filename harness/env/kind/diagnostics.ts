/**
 * The kind environment's diagnostics: the cluster's and the peers' (shared with the existing
 * provider), plus what only kind reaches, every node's `ip rule`, routes, links and nft/iptables
 * rules (the nodes are containers on this host).
 */
import {
  clusterDiagnosticCommands,
  type DiagnosticCommand,
  peerDiagnosticCommands,
} from '../shared/cluster-diagnostics.js';
import { METALLB_NAMESPACE } from '../shared/metallb-peers.js';
import { kubectlBase } from './bring-up.js';
import { type KindTopology, OVN_NAMESPACE } from './topology.js';

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
  return [
    ...clusterDiagnosticCommands(kubectlBase(t), {
      namespace,
      metallb: METALLB_NAMESPACE,
      ovnKubernetes: OVN_NAMESPACE,
    }),
    ...t.peers.flatMap((peer) => peerDiagnosticCommands(peer, t.families)),
    ...t.nodes.map((node) => ({
      file: `${node.name}-network.txt`,
      argv: ['docker', 'exec', node.name, 'sh', '-c', NODE_NETWORK_SCRIPT],
    })),
  ];
}
