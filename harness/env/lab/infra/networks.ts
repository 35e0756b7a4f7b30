/**
 * The lab's docker networks: internal (no route off the machine), dual-stack, on subnets that
 * collide with no other docker network and no route of the host. Two labs can run at once:
 * each picks the next free subnets, and a race between two bring-ups is settled by docker
 * refusing an overlapping pool (we then pick again).
 */
import { execa } from 'execa';
import { canonicalIp, cidrsOverlap, ipv4Host, ipv6Host } from '../../../common/ip.js';
import { type Dockerode, describeDockerError, dockerode } from './docker.js';
import { LAB_LABEL } from './labels.js';
import type { DualSubnets } from './topology.js';

/** Candidate k (0..255): 10.213.k.0/24 and fd65:636c:6162:k::/64 (ULA, "ecl" "ab" in hex). */
export function candidateSubnets(k: number): DualSubnets {
  return { ipv4: `10.213.${k}.0/24`, ipv6: canonicalIp(`fd65:636c:6162:${k.toString(16)}::/64`) };
}
const CANDIDATES = 256;

/** Subnets in use on this machine: docker networks' pools and the host's own routes. */
export async function usedSubnets(docker?: Dockerode): Promise<string[]> {
  const client = docker ?? (await dockerode());
  const used: string[] = [];
  const networks = await client.listNetworks();
  await Promise.all(
    networks.map(async (summary) => {
      const info = (await client.getNetwork(summary.Id).inspect()) as {
        IPAM?: { Config?: { Subnet?: string }[] };
      };
      for (const config of info.IPAM?.Config ?? []) if (config.Subnet) used.push(config.Subnet);
    }),
  );
  for (const family of ['-4', '-6']) {
    const routes = await execa('ip', ['-j', family, 'route', 'show', 'table', 'all'], { reject: false });
    if (routes.exitCode !== 0) continue;
    for (const route of JSON.parse(routes.stdout || '[]') as { dst?: string; type?: string }[]) {
      if (!route.dst || route.dst === 'default' || route.type === 'local' || route.type === 'broadcast')
        continue;
      if (route.dst.startsWith('fe80:') || route.dst.startsWith('ff00:') || route.dst.startsWith('multicast'))
        continue;
      used.push(route.dst.includes('/') ? route.dst : `${route.dst}/${route.dst.includes(':') ? 128 : 32}`);
    }
  }
  return used;
}

export function pickFreeSubnets(used: string[]): DualSubnets | undefined {
  for (let k = 0; k < CANDIDATES; k++) {
    const candidate = candidateSubnets(k);
    if (!used.some((u) => cidrsOverlap(u, candidate.ipv4) || cidrsOverlap(u, candidate.ipv6)))
      return candidate;
  }
  return undefined;
}

export interface CreateNetworkOptions {
  name: string;
  labels: Record<string, string>;
}

/** Creates an internal dual-stack bridge network on free subnets; returns the subnets. */
export async function createLabNetwork(options: CreateNetworkOptions): Promise<DualSubnets> {
  const docker = await dockerode();
  const refused: string[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    const subnets = pickFreeSubnets([...(await usedSubnets(docker)), ...refused]);
    if (!subnets)
      throw new Error('no free subnet for a lab network in 10.213.0.0/16 and fd65:636c:6162::/48');
    try {
      await docker.createNetwork({
        Name: options.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Internal: true,
        EnableIPv6: true,
        IPAM: {
          Driver: 'default',
          Config: [
            { Subnet: subnets.ipv4, Gateway: ipv4Host(subnets.ipv4, 1) },
            { Subnet: subnets.ipv6, Gateway: ipv6Host(subnets.ipv6, 1) },
          ],
        },
        Labels: options.labels,
      });
      return subnets;
    } catch (error) {
      const message = describeDockerError(error);
      // Another bring-up took these subnets between our look and our create: pick again.
      if (/overlap/i.test(message)) {
        refused.push(subnets.ipv4, subnets.ipv6);
        continue;
      }
      throw new Error(`cannot create docker network ${options.name}: ${message}`);
    }
  }
  throw new Error(
    `cannot create docker network ${options.name}: every subnet tried overlapped another network`,
  );
}

/** Subnets of an existing lab network (for re-attaching to a lab). */
export async function networkSubnets(
  name: string,
): Promise<{ subnets: DualSubnets; labels: Record<string, string> }> {
  const docker = await dockerode();
  const info = (await docker.getNetwork(name).inspect()) as {
    IPAM?: { Config?: { Subnet?: string }[] };
    Labels?: Record<string, string>;
  };
  const configs = info.IPAM?.Config ?? [];
  const ipv4 = configs.find((c) => c.Subnet && !c.Subnet.includes(':'))?.Subnet;
  const ipv6 = configs.find((c) => c.Subnet?.includes(':'))?.Subnet;
  if (!ipv4 || !ipv6) throw new Error(`docker network ${name} is not a dual-stack lab network`);
  return { subnets: { ipv4, ipv6 }, labels: info.Labels ?? {} };
}

/** Names of docker networks carrying the lab label (of one lab, or of all labs). */
export async function labNetworks(labId?: string): Promise<{ id: string; name: string; lab: string }[]> {
  const docker = await dockerode();
  const filter = labId ? `${LAB_LABEL}=${labId}` : LAB_LABEL;
  const networks = await docker.listNetworks({ filters: { label: [filter] } });
  return networks.map((n) => ({ id: n.Id, name: n.Name, lab: n.Labels?.[LAB_LABEL] ?? '' }));
}
