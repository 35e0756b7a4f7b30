/**
 * A stock FRR peer in a container of its own, as planned actions: its configuration files, the
 * FRR container attached to its network with fixed addresses, the probe server (agnhost netexec)
 * as a sidecar in its network namespace, and any "outside" addresses on its loopback. The kind
 * provider starts two of these; the existing provider one (container mode). The FRR image stays
 * stock: tcpdump, the probe server and `ip` run in sidecars, never inside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IpFamily } from '../environment.js';
import { dockerLabelArgs, type EnvironmentLabel } from './docker-labels.js';
import { type FrrPeer, renderPeerFrrConfig } from './frr-peer-config.js';
import type { PlannedAction } from './planned-actions.js';

/**
 * The images a container peer needs, pinned and overridable by the providers' settings:
 * - FRR from FRR's own quay.io namespace (what MetalLB's dev-env and chart use for FRR);
 * - agnhost, the Kubernetes e2e image; `netexec` is the probe server upstream's
 *   test/e2e/egress_services.go runs on its external container;
 * - a tools image with tcpdump, curl, nc and ip for the sidecars.
 */
export const PEER_IMAGES = {
  frr: 'quay.io/frrouting/frr:9.1.0',
  agnhost: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
  tools: 'docker.io/nicolaka/netshoot:v0.13',
} as const;

/** Static FRR files shipped in `frr/` (read once, passed in so that planning stays pure). */
export interface FrrStaticFiles {
  daemons: string;
  vtysh: string;
}

/** The repository (or installed package) root: harness/env/shared or dist/env/shared, three up. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function readFrrStaticFiles(root = PACKAGE_ROOT): FrrStaticFiles {
  return {
    daemons: readFileSync(join(root, 'frr', 'daemons'), 'utf8'),
    vtysh: readFileSync(join(root, 'frr', 'vtysh.conf'), 'utf8'),
  };
}

/**
 * The `docker run` arguments that attach the peer to its network with fixed addresses and give
 * its daemons the capabilities they need, by name (never --privileged).
 */
export function frrPeerAttachArgs(peer: Pick<FrrPeer, 'dockerNetwork' | 'interfaceAddresses'>): string[] {
  return [
    '--network',
    peer.dockerNetwork,
    ...(peer.interfaceAddresses.ipv4 ? ['--ip', peer.interfaceAddresses.ipv4] : []),
    ...(peer.interfaceAddresses.ipv6 ? ['--ip6', peer.interfaceAddresses.ipv6] : []),
    '--cap-add',
    'NET_ADMIN',
    '--cap-add',
    'NET_RAW',
    '--cap-add',
    'SYS_ADMIN',
  ];
}

export interface FrrPeerContainerOptions {
  /** Phase name in the plan. */
  phase: string;
  label: EnvironmentLabel;
  images: { frr: string; agnhost: string; tools: string };
  families: IpFamily[];
  /** Render the BGP password placeholder into the config. */
  bgpAuth: boolean;
  nodeAsn?: number;
  probePort: number;
  files: FrrStaticFiles;
}

export function frrPeerContainerActions(peer: FrrPeer, o: FrrPeerContainerOptions): PlannedAction[] {
  const config = renderPeerFrrConfig(peer, {
    families: o.families,
    bgpAuth: o.bgpAuth,
    ...(o.nodeAsn !== undefined ? { nodeAsn: o.nodeAsn } : {}),
  });
  const write = (file: string, what: string, content: string): PlannedAction => ({
    type: 'write',
    phase: o.phase,
    title: `${what} of ${peer.name}`,
    path: join(peer.configDir, file),
    content,
  });
  const actions: PlannedAction[] = [
    write('frr.conf', 'FRR config', config),
    write('daemons', 'FRR daemons', o.files.daemons),
    write('vtysh.conf', 'vtysh.conf', o.files.vtysh),
    {
      type: 'run',
      phase: o.phase,
      title: `start ${peer.name} (stock FRR image) on ${peer.dockerNetwork}`,
      argv: [
        'docker',
        'run',
        '--detach',
        '--name',
        peer.container,
        '--hostname',
        peer.name,
        ...dockerLabelArgs(o.label, peer.name),
        ...frrPeerAttachArgs(peer),
        '--sysctl',
        'net.ipv6.conf.all.disable_ipv6=0',
        '--sysctl',
        'net.ipv6.conf.all.forwarding=1',
        '--sysctl',
        'net.ipv4.ip_forward=1',
        '--volume',
        `${peer.configDir}:/etc/frr`,
        o.images.frr,
      ],
    },
    {
      type: 'run',
      phase: o.phase,
      title: `start the probe server in ${peer.name}'s network namespace (agnhost netexec, TCP and UDP ${o.probePort})`,
      argv: [
        'docker',
        'run',
        '--detach',
        '--name',
        peer.probeContainer,
        ...dockerLabelArgs(o.label, `${peer.name}-probe`),
        '--network',
        `container:${peer.container}`,
        o.images.agnhost,
        'netexec',
        `--http-port=${o.probePort}`,
        `--udp-port=${o.probePort}`,
      ],
    },
  ];
  for (const family of o.families) {
    const address = peer.loopbackAddresses[family];
    if (!address) continue;
    actions.push({
      type: 'run',
      phase: o.phase,
      title: `add ${address} to ${peer.name}'s loopback (tools sidecar in its namespace)`,
      argv: [
        'docker',
        'run',
        '--rm',
        '--network',
        `container:${peer.container}`,
        '--cap-add',
        'NET_ADMIN',
        o.images.tools,
        'ip',
        ...(family === 'ipv6' ? ['-6'] : []),
        'addr',
        'add',
        `${address}/${family === 'ipv4' ? 32 : 128}`,
        'dev',
        'lo',
      ],
    });
  }
  return actions;
}
