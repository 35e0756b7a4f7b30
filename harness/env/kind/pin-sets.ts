/**
 * The two worlds the kind provider can bring up, each a pin set: one record of everything a
 * bring-up uses, read from ovn-kubernetes/ovn-kubernetes at one commit (what that commit's own CI
 * uses for its EgressService e2e lanes), and those lanes themselves.
 *
 * Every pinned value carries the file and the line it was read from; `lanes` is what
 * test/kind/upstream-support.test.ts derives from the commit's .github/workflows/test.yml,
 * test/Makefile, test/scripts/e2e-cp.sh and test/e2e/egress_services.go (it runs upstream's
 * script for every matrix entry). Both are checked against the mirror at the commit, so a pin
 * set is changed by re-reading upstream (`npm run upstream:check`), not by editing a claim.
 */
import type { KindFamily } from './combinations.js';
import type { UpstreamCaseName } from './upstream-cases.js';

/** A value and the line of the pinned commit's file it was read from (which contains it). */
export interface PinnedValue {
  value: string;
  path: string;
  quote: string;
}

/** One matrix entry of test.yml's e2e job that runs EgressService e2e cases. */
export interface UpstreamLane {
  /** JOB_NAME as test.yml builds it. */
  job: string;
  /** Index in the e2e job's matrix include list (two entries may share a job name). */
  entry: number;
  family: KindFamily;
  gatewayMode: 'shared' | 'local';
  /** MetalLB's BGP backend as contrib/kind-common.sh installs it (`inv dev-env -b ...`). */
  metallbMode: 'frr' | 'frr-k8s';
  /** The lane's variables for the bring-up scripts, as test.yml's e2e job sets them ('' left out). */
  flags: Record<string, string>;
  cases: UpstreamCaseName[];
}

export interface PinSet {
  name: PinSetName;
  ovnKubernetes: { repository: string; ref: string; commit: string; committed: string };
  /** kind as test/scripts/install-kind.sh downloads it. */
  kind: PinnedValue;
  /** The node image tag (kind-common.sh runs kind with --image KIND_IMAGE:K8S_VERSION). */
  kubernetes: PinnedValue;
  /**
   * Set when the commit's CI builds the node image itself (no kindest/node of that version is
   * published): install-kind.sh's `kind build node-image`, which the plan then runs too.
   */
  nodeImageBuild?: PinnedValue;
  helm: PinnedValue;
  go: PinnedValue;
  /** The base image of the image upstream's CI tests (dist/images/Dockerfile.fedora). */
  baseImage: PinnedValue;
  metallb: PinnedValue;
  metallbInstall: PinnedValue;
  frrImage: PinnedValue;
  /** How upstream's CI keeps `kind load` working on ubuntu-24.04's Docker (kind#3795). */
  dockerImageStore: PinnedValue;
  /**
   * The variables that select the lanes' layout (no HA, interconnect, one node per zone), where
   * the commit's scripts still have a choice; master's kind-helm.sh knows only single-node zones
   * (values-single-node-zone.yaml) and reads none of them.
   */
  layoutVariables: Record<string, string>;
  lanes: UpstreamLane[];
}

export const PIN_SET_NAMES = ['v1.3', 'master'] as const;
export type PinSetName = (typeof PIN_SET_NAMES)[number];
export const DEFAULT_PIN_SET: PinSetName = 'v1.3';

const REPOSITORY = 'https://github.com/ovn-kubernetes/ovn-kubernetes';
const SNAPSHOTTER: PinnedValue = {
  value: 'containerd-snapshotter disabled',
  path: '.github/workflows/test.yml',
  quote: `jq '. + {"features":{"containerd-snapshotter": false}}'`,
};

export const PIN_SETS: Record<PinSetName, PinSet> = {
  'v1.3': {
    name: 'v1.3',
    ovnKubernetes: {
      repository: REPOSITORY,
      ref: 'release-1.3',
      commit: '251895cd534fcdc797a9fdbb7f289a95b63ea4af',
      committed: '2026-05-05',
    },
    kind: {
      value: 'v0.27.0',
      path: 'test/scripts/install-kind.sh',
      quote: 'KIND_URL=https://kind.sigs.k8s.io/dl/v0.27.0/kind-linux-${ARCH}',
    },
    kubernetes: { value: 'v1.35.0', path: 'test/scripts/install-kind.sh', quote: 'K8S_VERSION="v1.35.0"' },
    helm: { value: 'v3.17.2', path: 'test/scripts/install-kind.sh', quote: 'HELM_VERSION="v3.17.2"' },
    go: { value: '1.25.1', path: 'go-controller/go.mod', quote: 'toolchain go1.25.1' },
    baseImage: {
      value: 'quay.io/fedora/fedora:43',
      path: 'dist/images/Dockerfile.fedora',
      quote: 'FROM quay.io/fedora/fedora:43 AS koji',
    },
    metallb: { value: 'v0.15.3', path: 'contrib/kind-common.sh', quote: 'local metallb_version=v0.15.3' },
    metallbInstall: {
      value: 'dev-env, FRR mode',
      path: 'contrib/kind-common.sh',
      quote: 'GOBIN="" inv dev-env -n ovn -b frr -p bgp -i "${ip_family}"',
    },
    frrImage: {
      value: 'quay.io/frrouting/frr:10.6.0',
      path: 'contrib/kind-common.sh',
      quote: 'readonly FRR_DEPLOYED_IMAGE=quay.io/frrouting/frr:10.6.0',
    },
    dockerImageStore: SNAPSHOTTER,
    layoutVariables: { OVN_HA: 'false', OVN_ENABLE_INTERCONNECT: 'true', KIND_NUM_NODES_PER_ZONE: '1' },
    lanes: [
      {
        job: 'control-plane-HA-shared-ipv6-noSnatGW-1br-ic-disabled',
        entry: 8,
        family: 'ipv6',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'true',
          OVN_ENABLE_INTERCONNECT: 'false',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'false',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-HA-shared-ipv4-snatGW-1br-ic-disabled',
        entry: 9,
        family: 'ipv4',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'true',
          OVN_ENABLE_INTERCONNECT: 'false',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'false',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-HA-shared-ipv4-snatGW-1br-ic-disabled',
        entry: 10,
        family: 'ipv4',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'true',
          OVN_ENABLE_INTERCONNECT: 'false',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'false',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'true',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-noHA-shared-ipv4-snatGW-1br-ic-single-node-zones',
        entry: 11,
        family: 'ipv4',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'false',
          OVN_ENABLE_INTERCONNECT: 'true',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'false',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'true',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-noHA-local-ipv4-noSnatGW-1br-ic-single-node-zones',
        entry: 12,
        family: 'ipv4',
        gatewayMode: 'local',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'false',
          OVN_ENABLE_INTERCONNECT: 'true',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'true',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: [
          'without-selectors',
          'network-without-snat',
          'host-networked',
          'with-selectors',
          'egressip-priority',
          'etp-local',
          'ingress-reply-network',
          'multiple-networks',
        ],
      },
      {
        job: 'control-plane-noHA-local-ipv6-noSnatGW-1br-ic-single-node-zones',
        entry: 13,
        family: 'ipv6',
        gatewayMode: 'local',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'false',
          OVN_ENABLE_INTERCONNECT: 'true',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'false',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: [
          'without-selectors',
          'network-without-snat',
          'host-networked',
          'with-selectors',
          'egressip-priority',
          'etp-local',
          'ingress-reply-network',
          'multiple-networks',
        ],
      },
      {
        job: 'control-plane-noHA-shared-ipv4-noSnatGW-2br-ic-single-node-zones',
        entry: 14,
        family: 'ipv4',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'false',
          OVN_ENABLE_INTERCONNECT: 'true',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'true',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-noHA-shared-ipv6-noSnatGW-2br-ic-single-node-zones',
        entry: 15,
        family: 'ipv6',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'false',
          OVN_ENABLE_INTERCONNECT: 'true',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'true',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'false',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'true',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-noHA-shared-ipv4-SnatGW-1br-ic-single-node-zones',
        entry: 29,
        family: 'ipv4',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_HA: 'false',
          OVN_ENABLE_INTERCONNECT: 'true',
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'false',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'true',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
    ],
  },
  master: {
    name: 'master',
    ovnKubernetes: {
      repository: REPOSITORY,
      ref: 'master',
      commit: '8871cd9cec9c45d6da1baf9e3b06eb575f49039c',
      committed: '2026-08-21',
    },
    kind: {
      value: 'v0.32.0',
      path: 'test/scripts/install-kind.sh',
      quote: 'KIND_URL=https://kind.sigs.k8s.io/dl/v0.32.0/kind-linux-${ARCH}',
    },
    kubernetes: { value: 'v1.36.2', path: 'test/scripts/install-kind.sh', quote: 'K8S_VERSION="v1.36.2"' },
    nodeImageBuild: {
      value: 'kind build node-image',
      path: 'test/scripts/install-kind.sh',
      quote: 'kind build node-image --image kindest/node:${K8S_VERSION} ${K8S_VERSION}',
    },
    helm: { value: 'v3.17.2', path: 'test/scripts/install-kind.sh', quote: 'HELM_VERSION="v3.17.2"' },
    go: { value: '1.26.3', path: 'go-controller/go.mod', quote: 'toolchain go1.26.3' },
    baseImage: {
      value: 'quay.io/fedora/fedora:43',
      path: 'dist/images/Dockerfile.fedora',
      quote: 'FROM quay.io/fedora/fedora:43 AS koji',
    },
    metallb: { value: 'v0.16.1', path: 'contrib/kind-common.sh', quote: 'local metallb_version=v0.16.1' },
    metallbInstall: {
      value: 'dev-env, FRR mode',
      path: 'contrib/kind-common.sh',
      quote: 'GOBIN="" inv dev-env -n ovn -b frr -p bgp -i "${ip_family}"',
    },
    frrImage: {
      value: 'quay.io/frrouting/frr:10.6.0',
      path: 'contrib/kind-common.sh',
      quote: 'readonly FRR_DEPLOYED_IMAGE=quay.io/frrouting/frr:10.6.0',
    },
    dockerImageStore: SNAPSHOTTER,
    layoutVariables: {},
    lanes: [
      {
        job: 'control-plane-shared-ipv4-snatGW-1br-ic-single-node-zones-fedora',
        entry: 8,
        family: 'ipv4',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'false',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'true',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-local-ipv4-noSnatGW-1br-ic-single-node-zones-ubuntu',
        entry: 9,
        family: 'ipv4',
        gatewayMode: 'local',
        metallbMode: 'frr',
        flags: {
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'true',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: [
          'without-selectors',
          'network-without-snat',
          'host-networked',
          'with-selectors',
          'egressip-priority',
          'etp-local',
          'ingress-reply-network',
          'multiple-networks',
        ],
      },
      {
        job: 'control-plane-local-ipv6-noSnatGW-1br-ic-single-node-zones-fedora',
        entry: 10,
        family: 'ipv6',
        gatewayMode: 'local',
        metallbMode: 'frr',
        flags: {
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'false',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: [
          'without-selectors',
          'network-without-snat',
          'host-networked',
          'with-selectors',
          'egressip-priority',
          'etp-local',
          'ingress-reply-network',
          'multiple-networks',
        ],
      },
      {
        job: 'control-plane-shared-ipv4-noSnatGW-2br-ic-single-node-zones-fedora',
        entry: 11,
        family: 'ipv4',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'true',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-shared-ipv6-noSnatGW-2br-ic-single-node-zones-fedora',
        entry: 12,
        family: 'ipv6',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'true',
          OVN_SECOND_BRIDGE: 'true',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'false',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'true',
          OVN_DISABLE_FORWARDING: 'false',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
      {
        job: 'control-plane-shared-ipv4-SnatGW-1br-ic-single-node-zones-fedora',
        entry: 22,
        family: 'ipv4',
        gatewayMode: 'shared',
        metallbMode: 'frr',
        flags: {
          OVN_DISABLE_SNAT_MULTIPLE_GWS: 'false',
          OVN_SECOND_BRIDGE: 'false',
          OVN_MULTICAST_ENABLE: 'true',
          OVN_HYBRID_OVERLAY_ENABLE: 'true',
          OVN_EMPTY_LB_EVENTS: 'true',
          OVN_NETWORK_QOS_ENABLE: 'true',
          OVN_ENABLE_DNSNAMERESOLVER: 'false',
          OVN_UNPRIVILEGED_MODE: 'false',
          OVN_DISABLE_FORWARDING: 'true',
        },
        cases: ['without-selectors', 'host-networked', 'with-selectors', 'egressip-priority', 'etp-local'],
      },
    ],
  },
};

export function pinSet(name: PinSetName = DEFAULT_PIN_SET): PinSet {
  return PIN_SETS[name];
}
