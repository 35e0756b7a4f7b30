/**
 * Lab containers on testcontainers' GenericContainer, extended where it stops: static IPv4 and
 * IPv6 addresses on the first network, a second network attached (with its own static
 * addresses) between create and start, sysctls, and docker's init as PID 1 so that the
 * background processes the harness starts are reaped.
 */
import { GenericContainer } from 'testcontainers';
import { describeDockerError, dockerode } from './docker.js';
import { NAME_LABEL, ROLE_LABEL } from './labels.js';

export type LabRole = 'node' | 'peer' | 'ovn-central';

/** What a lab container gets: named capabilities only (never --privileged). */
export const CAPABILITIES: Record<LabRole, string[]> = {
  // NET_ADMIN: addresses, routes, nftables. NET_RAW: tcpdump, ping, the probe client's ICMP
  // echo (a raw socket, in the pod's network namespace). SYS_ADMIN: FRR's zebra and
  // bgpd refuse to start without it (they ask for net_admin, net_raw and sys_admin), and
  // `ip netns add` bind-mounts the namespaces of pods.
  node: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'],
  peer: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'],
  // Databases and northd over TCP: no network powers needed.
  'ovn-central': [],
};

const COMMON_SYSCTLS: Record<string, string> = {
  'net.ipv6.conf.all.disable_ipv6': '0',
  'net.ipv6.conf.default.disable_ipv6': '0',
  // No duplicate-address detection: addresses (pods' too) are usable at once.
  'net.ipv6.conf.all.accept_dad': '0',
  'net.ipv6.conf.default.accept_dad': '0',
  // Policy routing (per-network tables) makes paths asymmetric on purpose.
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
};

export const SYSCTLS: Record<LabRole, Record<string, string>> = {
  node: { ...COMMON_SYSCTLS, 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' },
  peer: { ...COMMON_SYSCTLS },
  'ovn-central': { ...COMMON_SYSCTLS },
};

export interface NetworkAttachment {
  /** Docker network name. */
  network: string;
  /** Static addresses (docker needs both when the network is dual-stack). */
  ipv4: string;
  ipv6: string;
}

export interface LabContainerSpec {
  image: string;
  container: string;
  hostname: string;
  role: LabRole;
  labels: Record<string, string>;
  /** First entry is the container's primary network. */
  attachments: NetworkAttachment[];
  /** Files copied in before start (path -> content). */
  files: Record<string, string>;
  /** Host devices passed in (OVN nodes: /dev/net/tun, for Open vSwitch's userspace ports). */
  devices?: string[];
}

class LabContainer extends GenericContainer {
  constructor(private readonly spec: LabContainerSpec) {
    super(spec.image);
    const [primary] = spec.attachments;
    if (!primary) throw new Error(`container ${spec.container} needs a network`);
    this.withName(spec.container)
      .withHostname(spec.hostname)
      .withLabels({ ...spec.labels, [ROLE_LABEL]: spec.role, [NAME_LABEL]: spec.hostname })
      .withAddedCapabilities(...CAPABILITIES[spec.role])
      .withNetworkMode(primary.network)
      .withCopyContentToContainer(
        Object.entries(spec.files).map(([target, content]) => ({ target, content, mode: 0o644 })),
      );
    this.hostConfig.Sysctls = { ...SYSCTLS[spec.role] };
    this.hostConfig.Init = true;
    if (spec.devices && spec.devices.length > 0) {
      this.hostConfig.Devices = spec.devices.map((device) => ({
        PathOnHost: device,
        PathInContainer: device,
        CgroupPermissions: 'rwm',
      }));
    }
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: {
        [primary.network]: { IPAMConfig: { IPv4Address: primary.ipv4, IPv6Address: primary.ipv6 } },
      },
    };
  }

  /** Docker API 1.41 takes one network at create: the others are connected before start. */
  protected override async containerCreated(containerId: string): Promise<void> {
    const docker = await dockerode();
    for (const extra of this.spec.attachments.slice(1)) {
      try {
        await docker.getNetwork(extra.network).connect({
          Container: containerId,
          EndpointConfig: { IPAMConfig: { IPv4Address: extra.ipv4, IPv6Address: extra.ipv6 } },
        });
      } catch (error) {
        throw new Error(
          `cannot attach ${this.spec.container} to ${extra.network}: ${describeDockerError(error)}`,
        );
      }
    }
  }
}

/** Creates and starts one lab container; resolves once docker reports it running. */
export async function startLabContainer(spec: LabContainerSpec): Promise<void> {
  try {
    await new LabContainer(spec).start();
  } catch (error) {
    throw new Error(`cannot start lab container ${spec.container}: ${describeDockerError(error)}`);
  }
}
