/**
 * The kind environment's bring-up, as planned actions (env/shared/planned-actions.ts), following
 * what the pin set's commit (kind.pinSet, pin-sets.ts) runs in its own CI for its EgressService
 * e2e lanes. Every script flag, script variable, chart value and image it relies on is read back
 * from the upstream mirrors at the pinned commits by test/kind/bring-up-upstream.test.ts.
 *
 *  networks        the nodes' docker network with fixed subnets (kind uses it through
 *                  KIND_EXPERIMENTAL_DOCKER_NETWORK) and the second network
 *  peers           the external FRR peers (stock image, capabilities by name, never --privileged)
 *                  with their probe-server sidecars
 *  ovn-source      OVN-Kubernetes fetched at the pinned commit (or the user's checkout)
 *  ovn-image       the image built from it as upstream's CI builds its test image
 *                  (`make -C dist/images fedora-image`, Go in its builder image)
 *  cluster         contrib/kind-helm.sh of that commit (test/scripts/install-kind.sh runs it;
 *                  contrib/kind.sh links to it), with the followed lane's variables from
 *                  test.yml and the project's kind config (kind-configs/, --config-file): it
 *                  creates the kind cluster, installs OVN-Kubernetes with its helm chart in the
 *                  lanes' layout (no HA, interconnect with one node per zone) and waits for it.
 *                  MetalLB is not installed by the script (KIND_INSTALL_METALLB=false): see metallb
 *  nodes           IPv6 and forwarding in every node, and every node on the second network,
 *                  routed by table 100 (a VRF or a plain table)
 *  metallb         the chart at the MetalLB release kind-common.sh installs, with the FRR image it
 *                  deploys (FRR_DEPLOYED_IMAGE), FRR mode as upstream (or FRR-K8s), the control plane
 *                  made eligible to announce, and BGPPeers to the project's peers. On purpose
 *                  unlike upstream, which runs MetalLB's dev-env (`inv dev-env -b frr`) with its
 *                  own `frr` container and reaches LoadBalancer IPs through a static route: the
 *                  suite needs its own peers, return paths learnt by BGP and per-network peers.
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { IpFamily } from '../environment.js';
import { dockerLabelArgs } from '../shared/docker-labels.js';
import { type FrrStaticFiles, frrPeerContainerActions } from '../shared/frr-peer-container.js';
import { METALLB_NAMESPACE, metallbPeerObjects } from '../shared/metallb-peers.js';
import { applyAction, type PlannedAction, type RunAction } from '../shared/planned-actions.js';
import { kindFamily } from './combinations.js';
import { splitImage } from './image-reference.js';
import { kindConfigPath, renderKindConfig } from './kind-config.js';
import { METALLB_CHARTS } from './metallb-chart.js';
import { pinSet } from './pin-sets.js';
import { KUBE_RBAC_PROXY } from './registries.js';
import {
  dockerIpRange,
  type KindNode,
  type KindOtherNetwork,
  type KindPeer,
  type KindTopology,
  OVN_NAMESPACE,
  PROBE_PORT,
} from './topology.js';
import { laneFollowed } from './upstream-support.js';

/** The label contrib/kind-helm.sh puts on every node in interconnect mode, one zone per node. */
export const ZONE_LABEL = 'k8s.ovn.org/zone-name';

export function kubectlBase(topology: KindTopology): string[] {
  return ['kubectl', '--kubeconfig', topology.kubeconfigPath, '--context', topology.context];
}

function helmBase(topology: KindTopology): string[] {
  return ['helm', '--kubeconfig', topology.kubeconfigPath, '--kube-context', topology.context];
}

function networkActions(t: KindTopology): PlannedAction[] {
  const networks = [
    { ...t.clusterNetwork, role: 'cluster-network' },
    ...t.otherNetworks.map((n) => ({ name: n.name, subnets: n.subnets, role: `${n.network}-network` })),
  ];
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

/** OVN-Kubernetes at the pinned commit: a shallow fetch of exactly that commit, checked out detached. */
function sourceActions(t: KindTopology): PlannedAction[] {
  if (t.settings.ovnKubernetesSourcePath) return [];
  const dir = t.ovnSource;
  const commit = t.settings.versions.ovnKubernetesCommit;
  // A checkout made by an earlier bring-up of the same settings is reused.
  const done = join(dir, 'contrib', 'kind-helm.sh');
  const step = (title: string, argv: string[]): RunAction => ({
    type: 'run',
    phase: 'ovn-source',
    title,
    argv,
    unlessExists: done,
  });
  return [
    step('an empty repository for the OVN-Kubernetes source', ['git', 'init', '--quiet', dir]),
    {
      ...step(`fetch OVN-Kubernetes ${commit} (${t.settings.versions.ovnKubernetesBranch})`, [
        'git',
        '-C',
        dir,
        'fetch',
        '--depth',
        '1',
        t.settings.ovnKubernetesRepository,
        commit,
      ]),
      retry: { attempts: 3, delayMs: 5000, backoff: 2 },
    },
    step(`check out ${commit}`, ['git', '-C', dir, 'checkout', '--quiet', '--detach', commit]),
  ];
}

function imageActions(t: KindTopology): PlannedAction[] {
  const image = t.ovnImage.reference;
  if (!t.ovnImage.build) {
    return [
      {
        type: 'run',
        phase: 'ovn-image',
        title: `make ${image} available to kind load (pulled unless it is already in docker)`,
        argv: ['sh', '-c', `docker image inspect ${image} >/dev/null 2>&1 || docker pull ${image}`],
        timeoutMs: 1_800_000,
      },
    ];
  }
  return [
    {
      type: 'run',
      phase: 'ovn-image',
      // As test.yml's build jobs do: the Go build runs in the Makefile's builder image, the
      // result is Dockerfile.fedora on the pinned base image.
      title: `build ${image} with dist/images/Makefile fedora-image (base ${t.settings.baseImage})`,
      argv: [
        'make',
        '-C',
        join(t.ovnSource, 'dist', 'images'),
        `IMAGE=${image}`,
        'OCI_BIN=docker',
        'fedora-image',
      ],
      timeoutMs: 3_600_000,
    },
  ];
}

/** The lane a bring-up takes its variables from: the no-HA interconnect lane of its family and gateway mode. */
export function laneOf(t: KindTopology) {
  // MetalLB's mode does not reach kind-helm.sh (the plan installs MetalLB itself).
  return laneFollowed(pinSet(t.settings.pinSet), {
    family: kindFamily(t.families),
    gatewayMode: t.settings.gatewayMode,
    metallbMode: 'frr',
  });
}

/**
 * contrib/kind-helm.sh's environment: the followed lane's variables (test.yml's e2e job env),
 * then the layout and names of this environment. Every name is a variable kind-common.sh or
 * kind-helm.sh reads at the pinned commit (test/kind/bring-up-upstream.test.ts).
 */
export function kindHelmEnvironment(t: KindTopology): Record<string, string> {
  const node = splitImage(t.settings.images.node);
  return {
    ...(laneOf(t)?.flags ?? {}),
    KIND_CLUSTER_NAME: t.clusterName,
    KUBECONFIG: t.kubeconfigPath,
    // Read by kind itself: the nodes join the network this plan created.
    KIND_EXPERIMENTAL_DOCKER_NETWORK: t.clusterNetwork.name,
    KIND_IMAGE: node.repository,
    K8S_VERSION: node.tag,
    PLATFORM_IPV4_SUPPORT: String(t.families.includes('ipv4')),
    PLATFORM_IPV6_SUPPORT: String(t.families.includes('ipv6')),
    OVN_GATEWAY_MODE: t.settings.gatewayMode,
    KIND_NUM_WORKER: String(t.settings.workers),
    // No HA, interconnect, one node per zone, where the commit's scripts still offer a choice.
    ...pinSet(t.settings.pinSet).layoutVariables,
    OVN_IMAGE: t.ovnImage.reference,
    // The plan installs MetalLB itself, with its own peers (see the header).
    KIND_INSTALL_METALLB: 'false',
    // The host's IPv6 sysctls are doctor's to check; the script is not to sudo for them.
    KIND_ALLOW_SYSTEM_WRITES: 'false',
  };
}

function clusterActions(t: KindTopology, kindConfigBase: string): PlannedAction[] {
  const lane = laneOf(t);
  const actions: PlannedAction[] = [
    {
      type: 'write',
      phase: 'cluster',
      title: 'kind cluster configuration (kind-configs/ovn-kubernetes.yaml for this environment)',
      path: kindConfigPath(t),
      content: renderKindConfig(t, kindConfigBase),
    },
    {
      type: 'run',
      phase: 'cluster',
      title:
        `create kind cluster ${t.clusterName} and install OVN-Kubernetes (${t.settings.gatewayMode} gateway) ` +
        `with contrib/kind-helm.sh, ${lane ? `variables of upstream lane ${lane.job}` : "no upstream lane: the scripts' defaults"}`,
      env: kindHelmEnvironment(t),
      argv: [join(t.ovnSource, 'contrib', 'kind-helm.sh'), '--config-file', kindConfigPath(t)],
      timeoutMs: 2_700_000,
    },
  ];
  const build = pinSet(t.settings.pinSet).nodeImageBuild;
  const node = splitImage(t.settings.images.node);
  if (build && node.repository === 'kindest/node') {
    // As the commit's install-kind.sh: no kindest/node of this version is published (kind#4157).
    actions.splice(1, 0, {
      type: 'run',
      phase: 'cluster',
      title: `build the kind node image ${t.settings.images.node} (${build.path}, no published image)`,
      argv: [
        'sh',
        '-c',
        `docker image inspect ${t.settings.images.node} >/dev/null 2>&1 || kind build node-image --image ${t.settings.images.node} ${node.tag}`,
      ],
      timeoutMs: 3_600_000,
    });
  }
  for (const image of t.settings.loadImages) {
    actions.push({
      type: 'run',
      phase: 'cluster',
      title: `load ${image} into the nodes`,
      argv: ['kind', 'load', 'docker-image', '--name', t.clusterName, image],
    });
  }
  return actions;
}

function nodeSysctlAction(node: KindNode): RunAction {
  return {
    type: 'run',
    phase: 'nodes',
    // kind-helm.sh enables IPv6 and forwarding (docker_disable_ipv6); a restarted node needs them
    // again, and addresses must survive the link flap of moving an interface into a VRF.
    title: `IPv6, forwarding and kept addresses in ${node.name}`,
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
  // The docker network connections survive a restart; the VRFs, routes and sysctls do not.
  const network = options.afterRestart
    ? t.otherNetworks.flatMap((net) => networkRoutingActions(t, net, node))
    : nodeNetworkActions(t, node);
  return [nodeSysctlAction(node), ...network];
}

/**
 * The other networks on one node, each as upstream's multiple-networks e2e attaches its networks
 * (`docker network connect`, then the client's address routed by the network's table): connect,
 * then a VRF with its table or routes in a plain table.
 */
export function nodeNetworkActions(t: KindTopology, node: KindNode): PlannedAction[] {
  const connects = t.otherNetworks.map((net) => connectAction(net, node));
  const routing = t.otherNetworks.flatMap((net) => networkRoutingActions(t, net, node));
  return [...connects, ...routing];
}

function connectAction(net: KindOtherNetwork, node: KindNode): RunAction {
  const addresses = node.networkAddresses[net.network] ?? {};
  return {
    type: 'run',
    phase: 'nodes',
    title: `connect ${node.name} to ${net.name}`,
    argv: [
      'docker',
      'network',
      'connect',
      ...(addresses.ipv4 ? ['--ip', addresses.ipv4] : []),
      ...(addresses.ipv6 ? ['--ip6', addresses.ipv6] : []),
      net.name,
      node.name,
    ],
  };
}

function networkRoutingActions(t: KindTopology, net: KindOtherNetwork, node: KindNode): PlannedAction[] {
  const peer = t.peers.find((p) => p.name === net.peer);
  if (!peer) return [];
  const family: IpFamily = t.families.includes('ipv4') ? 'ipv4' : 'ipv6';
  const exec = ['docker', 'exec', node.name];
  const run = (title: string, argv: string[]): RunAction => ({
    type: 'run',
    phase: 'nodes',
    title,
    argv,
  });
  const actions: PlannedAction[] = [];
  if (net.routing === 'vrf') {
    actions.push(
      run(`VRF ${net.vrf} (table ${net.table}) on ${node.name}`, [
        ...exec,
        'ip',
        'link',
        'add',
        net.vrf,
        'type',
        'vrf',
        'table',
        String(net.table),
      ]),
      run(`bring ${net.vrf} up on ${node.name}`, [...exec, 'ip', 'link', 'set', net.vrf, 'up']),
      run(`enslave ${node.name}'s ${net.name} interface to ${net.vrf}`, [
        ...exec,
        'sh',
        '-c',
        `ip link set dev "$(ip -o addr show to ${net.subnets[family]} | awk '{print $2}' | head -n1)" master ${net.vrf}`,
      ]),
    );
  }
  for (const f of t.families) {
    const destination = peer.loopbackAddresses[f];
    const via = peer.interfaceAddresses[f];
    if (!destination || !via) continue;
    actions.push(
      run(`route to ${peer.name}'s ${destination} in table ${net.table} on ${node.name}`, [
        ...exec,
        'ip',
        ...(f === 'ipv6' ? ['-6'] : []),
        'route',
        'replace',
        `${destination}/${f === 'ipv4' ? 32 : 128}`,
        'via',
        via,
        // In a VRF the route goes into its table through the device, as upstream's route goes
        // into a plain table by number (test/e2e/egress_services.go).
        ...(net.routing === 'vrf' ? ['vrf', net.vrf] : ['table', String(net.table)]),
      ]),
    );
  }
  return actions;
}

/** The MetalLB chart's values for this install (keys checked against the chart in upstream-facts.yaml). */
export function metallbValues(t: KindTopology): Record<string, unknown> {
  const frrK8s = t.settings.metallbMode === 'frr-k8s';
  const frrImage = splitImage(t.settings.images.frr);
  // Only a chart that still defaults kube-rbac-proxy to the retired registry gets the override.
  const rbacProxy = METALLB_CHARTS[t.settings.pinSet].rbacProxyOnRetiredRegistry
    ? { prometheus: { rbacProxy: { ...KUBE_RBAC_PROXY } } }
    : {};
  const values: Record<string, unknown> = {
    frrk8s: { enabled: frrK8s },
    speaker: {
      frr: frrK8s ? { enabled: false } : { enabled: true, image: frrImage },
      ...(t.settings.images.metallbSpeaker ? { image: splitImage(t.settings.images.metallbSpeaker) } : {}),
    },
    // The chart's kube-rbac-proxy default is on a retired registry up to v0.15 (registries.ts).
    ...rbacProxy,
    // FRR-K8s is a subchart: its values sit under its chart name. Up to 0.0.21 its controller
    // always runs a kube-rbac-proxy sidecar (charts/frr-k8s/templates/controller.yaml), from gcr.io.
    ...(frrK8s ? { 'frr-k8s': { frrk8s: { frr: { image: frrImage } }, ...rbacProxy } } : {}),
    ...(t.settings.images.metallbController
      ? { controller: { image: splitImage(t.settings.images.metallbController) } }
      : {}),
  };
  return values;
}

export function metallbValuesPath(t: KindTopology): string {
  return join(t.settings.workDir, 'metallb-values.yaml');
}

function metallbActions(t: KindTopology): PlannedAction[] {
  const kubectl = kubectlBase(t);
  const frrK8s = t.settings.metallbMode === 'frr-k8s';
  const peers = t.peers.map((p: KindPeer) => {
    // In a VRF the session to peer2 (peer3) runs in it; with a plain table, in the default VRF.
    const net = t.otherNetworks.find((n) => n.peer === p.name);
    return {
      name: p.name,
      asn: p.asn,
      addresses: p.interfaceAddresses,
      ...(net?.routing === 'vrf' ? { vrf: net.vrf } : {}),
    };
  });
  return [
    {
      type: 'write',
      phase: 'metallb',
      title: `MetalLB chart values (${frrK8s ? 'FRR-K8s' : 'FRR'} mode)`,
      path: metallbValuesPath(t),
      content: stringify(metallbValues(t), { lineWidth: 0 }),
    },
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
        '--values',
        metallbValuesPath(t),
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
      title:
        'let the control plane announce (remove exclude-from-external-load-balancers, as kind-common does)',
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

export function planBringUp(t: KindTopology, files: FrrStaticFiles, kindConfigBase: string): PlannedAction[] {
  return [
    ...networkActions(t),
    ...peerActions(t, files),
    ...sourceActions(t),
    ...imageActions(t),
    ...clusterActions(t, kindConfigBase),
    ...t.nodes.flatMap((n) => nodeSetupActions(t, n, { afterRestart: false })),
    ...metallbActions(t),
  ];
}

/**
 * A node that was removed from the cluster registers again without the zone label kind-helm.sh put
 * on it (label_ovn_single_node_zones); ovnkube-node reads its zone from that label when it
 * starts (dist/images/ovnkube.sh get_node_zone), so the label goes back and the pod restarts.
 */
export function zoneRelabelActions(t: KindTopology, node: string): PlannedAction[] {
  const kubectl = kubectlBase(t);
  return [
    {
      type: 'run',
      phase: 'restore',
      title: `put ${node} back in its own zone`,
      argv: [...kubectl, 'label', 'node', node, `${ZONE_LABEL}=${node}`, '--overwrite'],
    },
    {
      type: 'run',
      phase: 'restore',
      title: `restart ovnkube-node on ${node} in its zone`,
      argv: [
        ...kubectl,
        'delete',
        'pod',
        '-n',
        OVN_NAMESPACE,
        '-l',
        'name=ovnkube-node',
        '--field-selector',
        `spec.nodeName=${node}`,
        '--wait=false',
      ],
    },
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
    ...[...t.otherNetworks.map((n) => n.name), t.clusterNetwork.name].map(
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
