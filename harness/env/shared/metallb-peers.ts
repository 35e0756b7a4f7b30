/**
 * MetalLB's configuration for the peers: one BGPPeer per peer and IP family (MetalLB opens one
 * session per BGPPeer address), applying to every node (no nodeSelectors: every speaker peers),
 * plus the password Secret when the sessions are authenticated. Pools and advertisements are the
 * scenarios' own objects.
 */
import type { IpFamily, KubeObject } from '../environment.js';
import type { EnvironmentLabel } from './docker-labels.js';
import { BGP_PASSWORD_PLACEHOLDER, BGP_TIMERS, NODE_ASN } from './frr-peer-config.js';

/** Where MetalLB's chart and manifests install it by default. */
export const METALLB_NAMESPACE = 'metallb-system';

export interface MetalLbPeer {
  name: string;
  asn: number;
  addresses: Partial<Record<IpFamily, string>>;
  /** Host VRF the session runs in (MetalLB BGPPeer `vrf`, FRR-based modes). */
  vrf?: string;
}

/**
 * The password Secret's name in an environment. Every object of the environment's own is named by
 * its id, as a spec's are by `${uid}`: two environments on one cluster (two CI jobs, two
 * checkouts) applied a Secret and BGPPeers of fixed names with server-side apply and
 * `--force-conflicts`, so each took the other's peers over and each cleanup removed the other's
 * (hostile round 5, F12); a user's objects of those names went the same way.
 */
export function bgpPasswordSecretName(label: EnvironmentLabel): string {
  return `${label.id}-bgp-auth`;
}

/** A BGPPeer's name: the environment's id, the peer and the family (one session per family). */
export function bgpPeerName(label: EnvironmentLabel, peer: string, family: IpFamily): string {
  return `${label.id}-${peer}-${family === 'ipv4' ? 'v4' : 'v6'}`;
}

export function metallbPeerObjects(
  label: EnvironmentLabel,
  peers: MetalLbPeer[],
  families: IpFamily[],
  options: { bgpAuth: boolean; namespace?: string; nodeAsn?: number },
): KubeObject[] {
  const namespace = options.namespace ?? METALLB_NAMESPACE;
  const labels = { [label.key]: label.id };
  const objects: KubeObject[] = [];
  if (options.bgpAuth) {
    // MetalLB reads the password from a kubernetes.io/basic-auth Secret, key `password`.
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: bgpPasswordSecretName(label), namespace, labels },
      type: 'kubernetes.io/basic-auth',
      stringData: { password: BGP_PASSWORD_PLACEHOLDER },
    });
  }
  for (const peer of peers) {
    for (const family of families) {
      const address = peer.addresses[family];
      if (!address) continue;
      objects.push({
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: bgpPeerName(label, peer.name, family), namespace, labels },
        spec: {
          myASN: options.nodeAsn ?? NODE_ASN,
          peerASN: peer.asn,
          peerAddress: address,
          keepaliveTime: `${BGP_TIMERS.keepalive}s`,
          holdTime: `${BGP_TIMERS.hold}s`,
          ...(peer.vrf ? { vrf: peer.vrf } : {}),
          ...(options.bgpAuth ? { passwordSecret: { name: bgpPasswordSecretName(label), namespace } } : {}),
        },
      });
    }
  }
  return objects;
}
