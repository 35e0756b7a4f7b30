/**
 * The kind environment's bring-up, as planned actions (see actions.ts), in the order
 * OVN-Kubernetes' contrib/kind-helm.sh and MetalLB's `inv dev-env` do it:
 *
 *  networks   the nodes' docker network with fixed subnets (used by kind through
 *             KIND_EXPERIMENTAL_DOCKER_NETWORK), and the second network (MetalLB's dev-env adds a
 *             second network to every node, `_add_nic_to_nodes`)
 *  peers      the external FRR peers (stock image, capabilities by name, never --privileged),
 *             their probe-server sidecars in the peers' network namespaces
 *  cluster    `kind create cluster --retain` (as kind-helm.sh), images loaded into the nodes,
 *             IPv6 enabled and forwarding on in every node (kind-common `docker_disable_ipv6`),
 *             the control-plane taint removed (kind-helm.sh KIND_REMOVE_TAINT)
 *  vrf        every node on the second network, its interface in a VRF with table 100, the
 *             route to peer2's addresses in that table (upstream's egress-service e2e puts the
 *             external container's route in custom table 100)
 *  ovn-kubernetes  the chart from the repository (helm/ovn-kubernetes, values-no-ic.yaml, the same
 *             `--set`s as kind-helm.sh plus gatewayMode and enableEgressService), then the waits
 *             of kind-common `kubectl_wait_pods` (300 s, 480 s for IPv6) and the EgressService CRD
 *  metallb    the chart at a pinned version, FRR-K8s or FRR mode, `--wait` (MetalLB's readiness
 *             probes wait for the webhook), the control-plane made eligible to announce
 *             (kind-common removes node.kubernetes.io/exclude-from-external-load-balancers), and the
 *             BGPPeers applied with MetalLB's run_with_retry policy (6 tries, 2 s doubling) while
 *             the webhook comes up
 */
import { join } from 'node:path';
import type { IpFamily } from '../environment.js';
import { dockerLabelArgs } from '../shared/docker-labels.js';
import { type FrrStaticFiles, frrPeerContainerActions } from '../shared/frr-peer-container.js';
import { METALLB_NAMESPACE, metallbPeerObjects } from '../shared/metallb-peers.js';
import { applyAction, type PlannedAction, type RunAction } from '../shared/planned-actions.js';
import { kindConfigYaml } from './kind-config.js';
import {
  dockerIpRange,
  HOST_PREFIX,
  type KindNode,
  type KindPeer,
  type KindTopology,
  OVN_NAMESPACE,
  PROBE_PORT,
} from './topology.js';

export function kubectlBase(topology: KindTopology): string[] {
  return ['kubectl', '--kubeconfig', topology.kubeconfigPath, '--context', topology.context];
}

function helmBase(topology: KindTopology): string[] {
  return ['helm', '--kubeconfig', topology.kubeconfigPath, '--kube-context', topology.context];
}

/** Splits `registry/repo:tag` at the last colon after the last slash (kind-helm.sh get_image/get_tag). */
export function splitImage(image: string): { repository: string; tag: string } {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon <= slash) return { repository: image, tag: 'latest' };
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}

function networkActions(t: KindTopology): PlannedAction[] {
  const networks = [{ ...t.clusterNetwork, role: 'cluster-network' }];
  if (t.secondaryNetwork) networks.push({ ...t.secondaryNetwork, role: 'secondary-network' });
  return networks.map(
    (n): RunAction => ({
      type: 'run',
      phase: 'networks',
      title: `create docker network ${n.name} (${n.subnets.ipv4}, ${n.subnets.ipv6})`,
      argv: [
        'docker',
        'network',
        'create',
        '--driver',
        'bridge',
        '--ipv6',
        '--subnet',
        n.subnets.ipv4,
        '--ip-range',
        dockerIpRange(n.subnets.ipv4),
        '--subnet',
        n.subnets.ipv6,
        '--ip-range',
        dockerIpRange(n.subnets.ipv6),
        ...dockerLabelArgs(t.label, n.role),
        n.name,
      ],
    }),
  );
}

function peerActions(t: KindTopology, files: FrrStaticFiles): PlannedAction[] {
  return t.peers.flatMap((peer) =>
    frrPeerContainerActions(peer, {
      phase: 'peers',
      label: t.label,
      images: t.settings.images,
      families: t.families,
      bgpAuth: t.settings.bgpAuth,
      probePort: PROBE_PORT,
      files,
    }),
  );
}

function clusterActions(t: KindTopology): PlannedAction[] {
  const configPath = join(t.settings.workDir, 'kind-config.yaml');
  const actions: PlannedAction[] = [
    {
      type: 'write',
      phase: 'cluster',
      title: `kind config (${t.ipFamily}, ${t.nodes.length} nodes)`,
      path: configPath,
      content: kindConfigYaml(t.families, t.settings.workers),
    },
    {
      type: 'run',
      phase: 'cluster',
      title: `create kind cluster ${t.clusterName} on network ${t.clusterNetwork.name}`,
      env: { KIND_EXPERIMENTAL_DOCKER_NETWORK: t.clusterNetwork.name },
      argv: [
        'kind',
        'create',
        'cluster',
        '--name',
        t.clusterName,
        '--config',
        configPath,
        '--image',
        t.settings.images.node,
        '--kubeconfig',
        t.kubeconfigPath,
        '--retain',
      ],
      timeoutMs: 600_000,
    },
  ];
  for (const image of t.settings.loadImages) {
    actions.push({
      type: 'run',
      phase: 'cluster',
      title: `load ${image} into the nodes`,
      argv: ['kind', 'load', 'docker-image', '--name', t.clusterName, image],
    });
  }
  for (const node of t.nodes) actions.push(nodeSysctlAction(t, node));
  actions.push({
    type: 'run',
    phase: 'cluster',
    title: 'let the control plane schedule pods (remove its NoSchedule taint)',
    argv: [
      ...kubectlBase(t),
      'taint',
      'node',
      t.nodes[0]?.name ?? '',
      'node-role.kubernetes.io/control-plane:NoSchedule-',
    ],
    allowFailure: true,
  });
  return actions;
}

function nodeSysctlAction(_t: KindTopology, node: KindNode): RunAction {
  return {
    type: 'run',
    phase: 'cluster',
    title: `enable IPv6 and forwarding in ${node.name}`,
    argv: [
      'docker',
      'exec',
      node.name,
      'sysctl',
      '-w',
      'net.ipv6.conf.all.disable_ipv6=0',
      'net.ipv6.conf.all.forwarding=1',
      'net.ipv6.conf.all.keep_addr_on_down=1',
    ],
  };
}

/** What one node needs set in its own network namespace; restoreNode reruns it after a restart. */
export function nodeSetupActions(
  t: KindTopology,
  node: KindNode,
  options: { afterRestart: boolean },
): PlannedAction[] {
  const network = nodeNetworkActions(t, node);
  // The docker network connection survives a restart; the VRF, routes and sysctls do not.
  return [nodeSysctlAction(t, node), ...(options.afterRestart ? network.slice(1) : network)];
}

/** The second network on one node: connect, VRF, routes. */
export function nodeNetworkActions(t: KindTopology, node: KindNode): PlannedAction[] {
  const net = t.secondaryNetwork;
  const peer2 = t.peers.find((p) => p.name === 'peer2');
  if (!net || !peer2) return [];
  const family: IpFamily = t.families.includes('ipv4') ? 'ipv4' : 'ipv6';
  const exec = ['docker', 'exec', node.name];
  const actions: PlannedAction[] = [
    {
      type: 'run',
      phase: 'vrf',
      title: `connect ${node.name} to ${net.name}`,
      argv: [
        'docker',
        'network',
        'connect',
        ...(node.secondaryAddresses.ipv4 ? ['--ip', node.secondaryAddresses.ipv4] : []),
        ...(node.secondaryAddresses.ipv6 ? ['--ip6', node.secondaryAddresses.ipv6] : []),
        net.name,
        node.name,
      ],
    },
    {
      type: 'run',
      phase: 'vrf',
      title: `VRF ${net.vrf} (table ${net.table}) on ${node.name}`,
      argv: [...exec, 'ip', 'link', 'add', net.vrf, 'type', 'vrf', 'table', String(net.table)],
    },
    {
      type: 'run',
      phase: 'vrf',
      title: `bring ${net.vrf} up on ${node.name}`,
      argv: [...exec, 'ip', 'link', 'set', net.vrf, 'up'],
    },
    {
      type: 'run',
      phase: 'vrf',
      title: `enslave ${node.name}'s ${net.name} interface to ${net.vrf}`,
      argv: [
        ...exec,
        'sh',
        '-c',
        `ip link set dev "$(ip -o addr show to ${net.subnets[family]} | awk '{print $2}' | head -n1)" master ${net.vrf}`,
      ],
    },
  ];
  for (const f of t.families) {
    const destination = peer2.loopbackAddresses[f];
    const via = peer2.interfaceAddresses[f];
    if (!destination || !via) continue;
    actions.push({
      type: 'run',
      phase: 'vrf',
      title: `route to peer2's ${destination} in table ${net.table} on ${node.name}`,
      argv: [
        ...exec,
        'ip',
        ...(f === 'ipv6' ? ['-6'] : []),
        'route',
        'replace',
        `${destination}/${f === 'ipv4' ? 32 : 128}`,
        'via',
        via,
        'vrf',
        net.vrf,
      ],
    });
  }
  return actions;
}

function chartDir(t: KindTopology): string {
  return (
    t.settings.ovnKubernetesChartPath ?? join(t.settings.workDir, 'ovn-kubernetes', 'helm', 'ovn-kubernetes')
  );
}

function podNetwork(t: KindTopology): string {
  return t.families.map((f) => `${t.podSubnets[f]}/${HOST_PREFIX[f]}`).join(',');
}

function ovnActions(t: KindTopology): PlannedAction[] {
  const actions: PlannedAction[] = [];
  const kubectl = kubectlBase(t);
  if (!t.settings.ovnKubernetesChartPath) {
    const clone = join(t.settings.workDir, 'ovn-kubernetes');
    actions.push({
      type: 'run',
      phase: 'ovn-kubernetes',
      title: `fetch the OVN-Kubernetes chart (${t.settings.versions.ovnKubernetesRef})`,
      argv: [
        'git',
        'clone',
        '--depth',
        '1',
        '--branch',
        t.settings.versions.ovnKubernetesRef,
        t.settings.ovnKubernetesRepository,
        clone,
      ],
      unlessExists: clone,
    });
  }
  const chart = chartDir(t);
  const image = splitImage(t.settings.images.ovnKubernetes);
  actions.push({
    type: 'run',
    phase: 'ovn-kubernetes',
    title: `install OVN-Kubernetes (${t.settings.gatewayMode} gateway, EgressService on)`,
    argv: [
      ...helmBase(t),
      'upgrade',
      '--install',
      'ovn-kubernetes',
      chart,
      // No --namespace: as kind-helm.sh, the release lives in `default` and the chart itself
      // creates the ovn-kubernetes namespace.
      '-f',
      join(chart, 'values-no-ic.yaml'),
      '--set',
      `k8sAPIServer=${t.internalApiServer}`,
      '--set',
      `podNetwork=${podNetwork(t)}`,
      '--set',
      `serviceNetwork=${t.families.map((f) => t.serviceSubnets[f]).join(',')}`,
      '--set',
      'ovnkube-identity.replicas=1',
      '--set',
      'ovnkube-master.replicas=1',
      '--set',
      `global.image.repository=${image.repository}`,
      '--set',
      `global.image.tag=${image.tag}`,
      '--set',
      `global.gatewayMode=${t.settings.gatewayMode}`,
      '--set',
      'global.enableEgressService=true',
      '--set',
      // The chart's default too; explicit because ES-EIP-1 depends on it.
      'global.enableEgressIp=true',
      '--set',
      'tags.ovnkube-db-raft=false',
      '--set',
      'tags.ovnkube-db=true',
    ],
    timeoutMs: 600_000,
  });
  const timeout = t.families.includes('ipv6') ? 480 : 300;
  for (const ds of ['ovnkube-node', 'ovs-node']) {
    actions.push({
      type: 'run',
      phase: 'ovn-kubernetes',
      title: `wait for daemonset ${ds}`,
      argv: [...kubectl, 'rollout', 'status', 'daemonset', '-n', OVN_NAMESPACE, ds, `--timeout=${timeout}s`],
    });
  }
  for (const name of ['ovnkube-master', 'ovnkube-db']) {
    actions.push({
      type: 'run',
      phase: 'ovn-kubernetes',
      title: `wait for ${name} pods`,
      argv: [
        ...kubectl,
        'wait',
        'pods',
        '-n',
        OVN_NAMESPACE,
        '-l',
        `name=${name}`,
        '--for=condition=Ready',
        `--timeout=${timeout}s`,
      ],
    });
  }
  actions.push(
    {
      type: 'run',
      phase: 'ovn-kubernetes',
      title: 'wait for kube-system pods (CoreDNS needs the CNI)',
      argv: [
        ...kubectl,
        'wait',
        'pods',
        '-n',
        'kube-system',
        '--all',
        '--for=condition=Ready',
        `--timeout=${timeout}s`,
      ],
    },
    {
      type: 'run',
      phase: 'ovn-kubernetes',
      title: 'the EgressService API is served',
      argv: [
        ...kubectl,
        'wait',
        '--for=condition=Established',
        'crd/egressservices.k8s.ovn.org',
        '--timeout=60s',
      ],
    },
  );
  return actions;
}

function metallbActions(t: KindTopology): PlannedAction[] {
  const kubectl = kubectlBase(t);
  const frrK8s = t.settings.metallbMode === 'frr-k8s';
  const sets: string[] = [
    `frrk8s.enabled=${frrK8s}`,
    `speaker.frr.enabled=${!frrK8s}`,
    `speaker.frr.image.repository=${splitImage(t.settings.images.frr).repository}`,
    `speaker.frr.image.tag=${splitImage(t.settings.images.frr).tag}`,
  ];
  if (t.settings.images.metallbController) {
    const c = splitImage(t.settings.images.metallbController);
    sets.push(`controller.image.repository=${c.repository}`, `controller.image.tag=${c.tag}`);
  }
  if (t.settings.images.metallbSpeaker) {
    const s = splitImage(t.settings.images.metallbSpeaker);
    sets.push(`speaker.image.repository=${s.repository}`, `speaker.image.tag=${s.tag}`);
  }
  const peers = t.peers.map((p) => ({
    name: p.name,
    asn: p.asn,
    addresses: p.interfaceAddresses,
    ...(p.network === 'secondary' && t.secondaryNetwork ? { vrf: t.secondaryNetwork.vrf } : {}),
  }));
  return [
    {
      type: 'run',
      phase: 'metallb',
      title: `install MetalLB ${t.settings.versions.metallbChart} (${frrK8s ? 'FRR-K8s' : 'FRR'} mode)`,
      argv: [
        ...helmBase(t),
        'upgrade',
        '--install',
        'metallb',
        'metallb',
        '--repo',
        t.settings.metallbChartRepository,
        '--version',
        t.settings.versions.metallbChart,
        '--namespace',
        METALLB_NAMESPACE,
        '--create-namespace',
        ...sets.flatMap((s) => ['--set', s]),
        '--wait',
        '--timeout',
        '10m0s',
      ],
      timeoutMs: 660_000,
    },
    {
      type: 'run',
      phase: 'metallb',
      title: 'wait for the MetalLB controller (it serves the webhook)',
      argv: [
        ...kubectl,
        'rollout',
        'status',
        'deployment/metallb-controller',
        '-n',
        METALLB_NAMESPACE,
        '--timeout=300s',
      ],
    },
    {
      type: 'run',
      phase: 'metallb',
      title: `wait for every MetalLB pod${frrK8s ? ' (speakers, FRR-K8s and its webhook)' : ' (speakers with FRR)'}`,
      argv: [
        ...kubectl,
        'wait',
        'pods',
        '-n',
        METALLB_NAMESPACE,
        '--all',
        '--for=condition=Ready',
        '--timeout=300s',
      ],
    },
    {
      type: 'run',
      phase: 'metallb',
      title: 'let the control plane announce (remove exclude-from-external-load-balancers)',
      argv: [
        ...kubectl,
        'label',
        'node',
        t.nodes[0]?.name ?? '',
        'node.kubernetes.io/exclude-from-external-load-balancers-',
      ],
      allowFailure: true,
    },
    applyAction(
      'metallb',
      'BGPPeers for every node (retried while the webhook comes up)',
      kubectl,
      metallbPeerObjects(t.label, peers, t.families, { bgpAuth: t.settings.bgpAuth }),
      { retry: { attempts: 6, delayMs: 2000, backoff: 2 } },
    ),
  ];
}

export function planBringUp(t: KindTopology, files: FrrStaticFiles): PlannedAction[] {
  return [
    ...networkActions(t),
    ...peerActions(t, files),
    ...clusterActions(t),
    ...t.nodes.flatMap((n) => nodeNetworkActions(t, n)),
    ...ovnActions(t),
    ...metallbActions(t),
  ];
}

/** Tear-down as actions too: every step tolerates "already gone". */
export function planTearDown(t: KindTopology): PlannedAction[] {
  const containers = t.peers.flatMap((p: KindPeer) => [p.probeContainer, p.container]);
  return [
    {
      type: 'run',
      phase: 'down',
      title: `delete kind cluster ${t.clusterName}`,
      argv: ['kind', 'delete', 'cluster', '--name', t.clusterName, '--kubeconfig', t.kubeconfigPath],
      allowFailure: true,
    },
    {
      type: 'run',
      phase: 'down',
      title: 'remove the peers and their sidecars',
      argv: ['docker', 'rm', '--force', ...containers],
      allowFailure: true,
    },
    ...[t.secondaryNetwork?.name, t.clusterNetwork.name]
      .filter((n): n is string => n !== undefined)
      .map(
        (name): PlannedAction => ({
          type: 'run',
          phase: 'down',
          title: `remove docker network ${name}`,
          argv: ['docker', 'network', 'rm', name],
          allowFailure: true,
        }),
      ),
  ];
}
