/**
 * The kind cluster configuration handed to upstream's contrib/kind-helm.sh (`--config-file`):
 * the project's own kind-configs/ovn-kubernetes.yaml, with what depends on the environment filled
 * in (the IP family, the pod and service subnets kind-helm.sh also gives OVN-Kubernetes, and
 * the nodes). Rendering is pure: the plan shows the file it will write.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { PACKAGE_ROOT } from '../shared/frr-peer-container.js';
import type { KindTopology } from './topology.js';

/** Where the configuration lives, relative to the repository (or installed package) root. */
export const KIND_CONFIG_SOURCE = 'kind-configs/ovn-kubernetes.yaml';

export function readKindConfigBase(root = PACKAGE_ROOT): string {
  return readFileSync(join(root, KIND_CONFIG_SOURCE), 'utf8');
}

export function kindConfigPath(t: KindTopology): string {
  return join(t.settings.workDir, 'kind-config.yaml');
}

/**
 * The configuration for this environment. podSubnet and serviceSubnet are the ones kind-helm.sh
 * hands OVN-Kubernetes (NET_CIDR_*, SVC_CIDR_* defaults of kind-common.sh, topology.ts), so kind
 * and the CNI agree; ipFamily is kind's name for the family (`dual` for dual-stack).
 */
export function renderKindConfig(t: KindTopology, base: string): string {
  const doc = parseDocument(base);
  const families = t.families;
  doc.setIn(['networking', 'ipFamily'], t.ipFamily);
  doc.setIn(['networking', 'podSubnet'], families.map((f) => t.podSubnets[f]).join(','));
  doc.setIn(['networking', 'serviceSubnet'], families.map((f) => t.serviceSubnets[f]).join(','));
  doc.set(
    'nodes',
    t.nodes.map((n) => ({ role: n.role })),
  );
  return `# rendered from ${KIND_CONFIG_SOURCE} for kind environment ${t.id}\n${doc.toString({ lineWidth: 0 })}`;
}
