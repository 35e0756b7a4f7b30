/** The lab provider's infrastructure: images, topology, and the primitives on a running lab. */
export type { BgpSession } from './bgp.js';
export type { BringUpTimings, LabOptions } from './bring-up.js';
export type { CaptureHandle, CaptureResult, StartCaptureOptions } from './capture.js';
export { BASE_NFT_TABLE } from './container-setup.js';
export { destroyAllLabs, destroyLab, labTempDir, listLabs } from './destroy.js';
export { ExecError, type ExecOptions, type ExecResult } from './docker.js';
export { ensureLabImages, type LabImages } from './images.js';
export { type ConnectOptions, Lab, type LabRoute } from './lab.js';
export { LAB_LABEL, newLabId, RUN_LABEL } from './labels.js';
export { FAILED_NFT_TABLE } from './node-failure.js';
export type { LabPod } from './pods.js';
export {
  CLUSTER_POD_CIDRS,
  DEFAULT_NETWORK,
  type DualSubnets,
  type LabNetworkPlan,
  type LabNodePlan,
  type LabPeerPlan,
  type LabPlan,
  type LabTopologyOptions,
  LOAD_BALANCER_RANGES,
  NODE_ASN,
  PEER_ASN,
  PROBE_PORT,
  planLab,
  SECONDARY_NETWORK,
  SECONDARY_PEER_ASN,
  SECONDARY_TABLE,
  SHARED_CLIENT_ADDRESSES,
  TERTIARY_NETWORK,
  TERTIARY_PEER_ASN,
  TERTIARY_TABLE,
} from './topology.js';
