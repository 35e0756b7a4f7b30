/**
 * Bring-up of a lab: images, networks, containers (all in parallel), then the waits that make
 * the lab usable: every container configured, every BGP session Established, every node with
 * the peers' service routes in its kernel. Prints one line per phase with its duration.
 */

import { ipv4Host, ipv6Host } from '../../../common/ip.js';
import type { FamilyAddresses } from '../../environment.js';
import { parseBgpSummary } from './bgp.js';
import { allowLabBridges } from './bridge-filter.js';
import {
  renderNodeNftables,
  renderNodeSetup,
  renderOvnCentralSetup,
  renderPeerServices,
  renderPeerSetup,
} from './container-setup.js';
import { type LabContainerSpec, type NetworkAttachment, startLabContainer } from './containers.js';
import { destroyLab, listLabs } from './destroy.js';
import { execIn, execScript } from './docker.js';
import { renderNodeFrrConfig, renderPeerFrrConfig, renderZebraConfig } from './frr-config.js';
import { ensureLabImages, ensureOvnLabImages, type LabImages, type Logger } from './images.js';
import { assertLabId, labLabels, networkName, newLabId, OPTIONS_LABEL } from './labels.js';
import { createLabNetwork } from './networks.js';
import {
  additionalNetworks,
  DEFAULT_NETWORK,
  type DualSubnets,
  type LabPlan,
  type LabSubnets,
  type LabTopologyOptions,
  NODE_HOST_BASE,
  OVN_CENTRAL_HOST,
  PEER_HOST,
  planLab,
} from './topology.js';

export interface LabOptions extends LabTopologyOptions {
  /** Lab id (names and labels of everything it creates). Default: `eclab-<random>`. */
  id?: string;
  /** Run id label; default: the lab id. */
  runId?: string;
  /** Progress lines (phases and timings). Default: none. */
  log?: Logger;
  /** Images to use; default: built or found by `ensureLabImages`. */
  images?: LabImages;
  /** Leave a lab that failed to come up in place for inspection. Default: false (it is removed). */
  keepOnFailure?: boolean;
  /** Bound for each wait (containers ready, BGP, routes). Default 60 s. */
  readyTimeoutMs?: number;
  /** Aborts the bring-up between phases (what was made is removed, unless keepOnFailure). */
  signal?: AbortSignal;
}

export interface BringUpTimings {
  imagesMs: number;
  networksMs: number;
  containersMs: number;
  setupMs: number;
  /** From the first container create to every BGP session Established. */
  bgpEstablishedMs: number;
  /** From the first container create to the peers' routes in every node's kernel. */
  routesMs: number;
  totalMs: number;
  /** The same, in order, as the provider interface reports phases. */
  phases: { name: string; durationMs: number }[];
}

export async function bringUpLab(
  options: LabOptions = {},
): Promise<{ plan: LabPlan; timings: BringUpTimings }> {
  const id = options.id ?? newLabId();
  assertLabId(id);
  const runId = options.runId ?? id;
  const log = options.log ?? (() => {});
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const started = Date.now();
  let mark = started;
  const phases: { name: string; durationMs: number }[] = [];
  const phase = (name: string, detail = ''): number => {
    const now = Date.now();
    const took = now - mark;
    mark = now;
    phases.push({ name, durationMs: took });
    log(`lab ${id}: ${name}${detail ? ` (${detail})` : ''} ${(took / 1000).toFixed(1)} s`);
    options.signal?.throwIfAborted();
    return took;
  };
  // Never clean up (below) a lab this call did not create.
  if ((await listLabs()).includes(id)) {
    throw new Error(`lab ${id} already exists: attach to it (Lab.attach) or remove it (destroyLab)`);
  }

  try {
    options.signal?.throwIfAborted();
    const dataPlane = options.dataPlane ?? 'linux';
    let images = options.images ?? (await ensureLabImages({ log }));
    if (dataPlane === 'ovn' && !images.ovnNode) {
      images = { ...images, ovnNode: (await ensureOvnLabImages({ log })).node };
    }
    const imagesMs = phase('images');

    const labels = labLabels(id, runId);
    const topology: LabTopologyOptions = {
      nodes: options.nodes ?? 3,
      families: options.families ?? ['ipv4', 'ipv6'],
      secondaryNetwork: options.secondaryNetwork ?? true,
      tertiaryNetwork: options.tertiaryNetwork ?? true,
      dataPlane,
      ...(options.gatewayMode ? { gatewayMode: options.gatewayMode } : {}),
    };
    // Sequential: each network must see the earlier ones' subnets as taken.
    const subnets: LabSubnets = {
      default: await createLabNetwork({
        name: networkName(id, DEFAULT_NETWORK),
        labels: { ...labels, [OPTIONS_LABEL]: JSON.stringify(topology) },
      }),
    };
    for (const network of additionalNetworks(topology)) {
      subnets[network] = await createLabNetwork({ name: networkName(id, network), labels });
    }
    const plan = planLab(id, runId, topology, subnets);
    // Lab traffic to addresses outside the docker subnets (service addresses, pod CIDRs,
    // LoadBalancer IPs) must cross the bridge: see bridge-filter.ts.
    await allowLabBridges(
      id,
      plan.networks.map((n) => n.dockerName),
    );
    const networksMs = phase(
      'networks',
      plan.networks.map((n) => `${n.name} ${n.subnets.ipv4} ${n.subnets.ipv6}`).join(', '),
    );

    const firstStart = Date.now();
    // Every start settles before a failure is thrown: the clean-up below must not race a
    // container still being created or attached to a network (it would outlive the lab, or
    // leave the network an endpoint with no container).
    const starts = await Promise.allSettled(
      containerSpecs(plan, images, labels).map((spec) => startLabContainer(spec)),
    );
    const failedStart = starts.find((start) => start.status === 'rejected');
    if (failedStart) throw failedStart.reason;
    const containersMs = phase('containers', `${plan.nodes.length} nodes, ${plan.peers.length} peers`);

    await Promise.all(
      [...plan.nodes, ...plan.peers, ...(plan.ovnCentral ? [plan.ovnCentral] : [])].map((member) =>
        waitContainerReady(member.container, timeoutMs),
      ),
    );
    const setupMs = phase('setup');

    await waitBgpEstablished(plan, timeoutMs);
    const bgpEstablishedMs = Date.now() - firstStart;
    phase(
      'bgp',
      `all sessions Established ${(bgpEstablishedMs / 1000).toFixed(1)} s after the first container create`,
    );

    await waitPeerRoutes(plan, timeoutMs);
    const routesMs = Date.now() - firstStart;
    phase('routes', "peers' service routes in every node's kernel");
    const totalMs = Date.now() - started;
    log(`lab ${id}: up in ${(totalMs / 1000).toFixed(1)} s`);
    return {
      plan,
      timings: { imagesMs, networksMs, containersMs, setupMs, bgpEstablishedMs, routesMs, totalMs, phases },
    };
  } catch (error) {
    if (!options.keepOnFailure) {
      await destroyLab(id).catch((cleanup: unknown) =>
        log(`lab ${id}: clean-up after failure failed: ${cleanup}`),
      );
    }
    throw error;
  }
}

function dockerAddresses(subnets: DualSubnets, host: number): { ipv4: string; ipv6: string } {
  return { ipv4: ipv4Host(subnets.ipv4, host), ipv6: ipv6Host(subnets.ipv6, host) };
}

export function containerSpecs(
  plan: LabPlan,
  images: LabImages,
  labels: Record<string, string>,
): LabContainerSpec[] {
  const ovn = plan.dataPlane === 'ovn';
  if (ovn && !images.ovnNode) throw new Error('the OVN data plane needs the OVN node image');
  const nodes = plan.nodes.map(
    (node): LabContainerSpec => ({
      image: ovn ? (images.ovnNode as string) : images.node,
      ...(ovn ? { devices: ['/dev/net/tun'] } : {}),
      container: node.container,
      hostname: node.name,
      role: 'node',
      labels,
      attachments: plan.networks.map(
        (network): NetworkAttachment => ({
          network: network.dockerName,
          ...dockerAddresses(network.subnets, NODE_HOST_BASE + node.index),
        }),
      ),
      files: {
        '/etc/lab/setup.sh': renderNodeSetup(plan, node),
        '/etc/lab/base.nft': renderNodeNftables(plan, node),
        '/etc/frr/zebra.conf': renderZebraConfig(node.name),
        '/etc/frr/bgpd.conf': renderNodeFrrConfig(plan, node),
      },
    }),
  );
  const peers = plan.peers.map((peer): LabContainerSpec => {
    const network = plan.networks.find((n) => n.name === peer.network);
    if (!network) throw new Error(`peer ${peer.name} is on an unknown network ${peer.network}`);
    return {
      image: images.peer,
      container: peer.container,
      hostname: peer.name,
      role: 'peer',
      labels,
      attachments: [{ network: network.dockerName, ...dockerAddresses(network.subnets, PEER_HOST) }],
      files: {
        '/etc/lab/setup.sh': renderPeerSetup(plan, peer),
        '/etc/lab/services.sh': renderPeerServices(peer),
        '/etc/frr/zebra.conf': renderZebraConfig(peer.name),
        '/etc/frr/bgpd.conf': renderPeerFrrConfig(plan, peer),
      },
    };
  });
  const central: LabContainerSpec[] = [];
  if (plan.ovnCentral) {
    const network = plan.networks[0]!;
    central.push({
      image: images.ovnNode as string,
      container: plan.ovnCentral.container,
      hostname: 'ovn-central',
      role: 'ovn-central',
      labels,
      attachments: [{ network: network.dockerName, ...dockerAddresses(network.subnets, OVN_CENTRAL_HOST) }],
      files: { '/etc/lab/setup.sh': renderOvnCentralSetup(plan) },
    });
  }
  // Peers first: every node's sessions wait for its peer, so the peer should be up first; OVN's
  // databases before the nodes, whose ovn-controller connects to them (and retries meanwhile).
  return [...peers, ...central, ...nodes];
}

/** Waits (inside the container: one round trip) for the entrypoint's ready or failed mark. */
export async function waitContainerReady(container: string, timeoutMs: number): Promise<void> {
  const tries = Math.ceil(timeoutMs / 100);
  await execScript(
    container,
    `i=0
while [ ! -e /run/lab/ready ]; do
  if [ -e /run/lab/failed ]; then
    step=$(cat /run/lab/failed); echo "container start-up step '$step' failed:" >&2; cat "/run/lab/$step.log" >&2; exit 1
  fi
  i=$((i + 1)); if [ $i -gt ${tries} ]; then echo "not ready after ${timeoutMs} ms" >&2; exit 1; fi
  sleep 0.1
done`,
    { timeoutMs: timeoutMs + 5000 },
  );
}

/** Sessions each peer must have Established: one per node and family on the peer's network. */
export function expectedPeerSessions(plan: LabPlan): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  for (const peer of plan.peers) {
    const addresses: string[] = [];
    for (const node of plan.nodes) {
      const on: FamilyAddresses | undefined =
        peer.network === DEFAULT_NETWORK ? node.addresses : node.networkAddresses[peer.network];
      for (const family of plan.families) {
        const address = on?.[family];
        if (address) addresses.push(address);
      }
    }
    expected.set(peer.name, addresses);
  }
  return expected;
}

/** Polls every peer's `show bgp summary json` until all its node sessions are Established. */
export async function waitBgpEstablished(plan: LabPlan, timeoutMs: number, only?: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const expected = expectedPeerSessions(plan);
  await Promise.all(
    plan.peers.map(async (peer) => {
      const wanted = (expected.get(peer.name) ?? []).filter((a) => !only || only.includes(a));
      let missing: string[] = wanted;
      while (Date.now() < deadline) {
        const summary = await execIn(peer.container, ['vtysh', '-c', 'show bgp summary json'], {
          timeoutMs: 10_000,
        });
        const sessions = parseBgpSummary(summary.stdout);
        missing = wanted.filter(
          (address) => sessions.find((s) => s.neighbor === address)?.state !== 'Established',
        );
        if (missing.length === 0) return;
        await sleep(200);
      }
      throw new Error(
        `BGP sessions of ${peer.name} not Established within ${timeoutMs} ms: ${missing.join(', ')}`,
      );
    }),
  );
}

/** Waits until every node routes each default-network peer's service addresses (learnt over BGP). */
export async function waitPeerRoutes(plan: LabPlan, timeoutMs: number, nodes?: string[]): Promise<void> {
  const prefixes = plan.peers
    .filter((p) => p.network === DEFAULT_NETWORK)
    .flatMap((p) => plan.families.map((family) => ({ family, address: p.serviceAddresses[family] })))
    .filter((p): p is { family: 'ipv4' | 'ipv6'; address: string } => p.address !== undefined);
  const test = prefixes
    .map((p) => `ip ${p.family === 'ipv4' ? '-4' : '-6'} route show ${p.address} | grep -q .`)
    .join(' && ');
  const tries = Math.ceil(timeoutMs / 100);
  await Promise.all(
    plan.nodes
      .filter((node) => !nodes || nodes.includes(node.name))
      .map((node) =>
        execScript(
          node.container,
          `i=0
until ${test || 'true'}; do
  i=$((i + 1)); if [ $i -gt ${tries} ]; then echo "no route to ${prefixes.map((p) => p.address).join(', ')} after ${timeoutMs} ms" >&2; ip route >&2; ip -6 route >&2; exit 1; fi
  sleep 0.1
done`,
          { timeoutMs: timeoutMs + 5000 },
        ),
      ),
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
