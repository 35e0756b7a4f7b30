/**
 * Specs that would harm the cluster they run on, each refused by the scope guard
 * (harness/spec/scope.ts): a manifest (YAML flow text) or steps, with what the one-line error
 * must name. Used by the dry-run and validate tests in this folder.
 */

export interface HostileSpec {
  name: string;
  /** The manifest `m`, as YAML flow text (absent: the base ConfigMap). */
  manifest?: string;
  /** Steps after `apply: [m]`, as YAML block lines (two-space indented list items). */
  steps?: string;
  /** Text the error line must contain. */
  error: RegExp;
}

const SAFE = '{ apiVersion: v1, kind: ConfigMap, metadata: { name: safe, namespace: "${namespace}" } }';

export const HOSTILE_SPECS: HostileSpec[] = [
  {
    name: 'a Namespace kube-system',
    manifest: '{ apiVersion: v1, kind: Namespace, metadata: { name: kube-system } }',
    error: /manifests\.m\.kind: Namespace \(v1\) is outside a test's scope/,
  },
  {
    name: 'a ClusterRoleBinding to cluster-admin',
    manifest:
      '{ apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: { name: "${uid}-crb" }, roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }, subjects: [{ kind: ServiceAccount, name: default, namespace: "${namespace}" }] }',
    error: /ClusterRoleBinding .* is outside a test's scope/,
  },
  {
    name: 'a RoleBinding in the test namespace',
    manifest:
      '{ apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: { name: rb, namespace: "${namespace}" }, roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin }, subjects: [] }',
    error: /RoleBinding .* is outside a test's scope/,
  },
  {
    name: 'a Node, applied then deleted',
    manifest: '{ apiVersion: v1, kind: Node, metadata: { name: "${nodes.0}" } }',
    steps: '  - delete: [m]\n',
    error: /manifests\.m\.kind: Node \(v1\) is outside/,
  },
  {
    name: 'a ConfigMap in kube-system',
    manifest: '{ apiVersion: v1, kind: ConfigMap, metadata: { name: x, namespace: kube-system } }',
    error: /manifests\.m\.metadata\.namespace: 'kube-system' is not a test namespace/,
  },
  {
    name: 'a Deployment with no namespace',
    manifest: '{ apiVersion: apps/v1, kind: Deployment, metadata: { name: web }, spec: {} }',
    error: /Deployment without metadata\.namespace/,
  },
  {
    name: 'a Service in default',
    manifest: '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: default } }',
    error: /'default' is not a test namespace/,
  },
  {
    name: 'a namespace named like the test but not declared',
    manifest: '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}-x" } }',
    error: /-x' is not a test namespace/,
  },
  {
    name: 'a MetalLB pool with a fixed name',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: IPAddressPool, metadata: { name: production, namespace: "${metallb.namespace}" }, spec: { addresses: ["${pool.addresses}"] } }',
    error: /IPAddressPool 'production' is shared by the cluster: its name must contain/,
  },
  {
    name: "a MetalLB advertisement outside MetalLB's namespace",
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: kube-system } }',
    error: /BGPAdvertisement belongs in (metallb-system|\$\{metallb\.namespace\}), found 'kube-system'/,
  },
  {
    name: 'an EgressIP with a fixed name',
    manifest:
      '{ apiVersion: k8s.ovn.org/v1, kind: EgressIP, metadata: { name: prod-egress }, spec: { egressIPs: ["${egressIP.address}"] } }',
    error: /EgressIP 'prod-egress' is shared by the cluster/,
  },
  {
    name: 'a BGPPeer with a fixed name',
    manifest:
      '{ apiVersion: metallb.io/v1beta2, kind: BGPPeer, metadata: { name: router, namespace: "${metallb.namespace}" }, spec: { myASN: 64512, peerASN: 64500, peerAddress: 192.0.2.1 } }',
    error: /BGPPeer 'router' is shared by the cluster/,
  },
  {
    name: 'a validating webhook',
    manifest:
      '{ apiVersion: admissionregistration.k8s.io/v1, kind: ValidatingWebhookConfiguration, metadata: { name: "${uid}-wh" }, webhooks: [] }',
    error: /ValidatingWebhookConfiguration .* is outside/,
  },
  {
    name: 'a mutating webhook',
    manifest:
      '{ apiVersion: admissionregistration.k8s.io/v1, kind: MutatingWebhookConfiguration, metadata: { name: "${uid}-wh" }, webhooks: [] }',
    error: /MutatingWebhookConfiguration .* is outside/,
  },
  {
    name: 'a CRD',
    manifest:
      '{ apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: { name: "${uid}s.example.com" } }',
    error: /CustomResourceDefinition .* is outside/,
  },
  {
    name: 'a Secret',
    manifest: '{ apiVersion: v1, kind: Secret, metadata: { name: s, namespace: "${namespace}" } }',
    error: /Secret \(v1\) is outside/,
  },
  {
    name: 'a privileged pod',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, securityContext: { privileged: true } }] } }',
    error:
      /manifests\.m\.spec\.containers(\.0|\[0\])\.securityContext\.privileged: refused: a privileged container/,
  },
  {
    name: "a pod mounting the node's root",
    manifest:
      '{ apiVersion: apps/v1, kind: Deployment, metadata: { name: d, namespace: "${namespace}" }, spec: { template: { spec: { volumes: [{ name: root, hostPath: { path: / } }], containers: [] } } } }',
    error: /hostPath: refused: a host path/,
  },
  {
    name: "a pod in the node's PID namespace",
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { hostPID: true, containers: [] } }',
    error: /hostPID: refused/,
  },
  {
    name: 'a pod adding capabilities',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, securityContext: { capabilities: { add: [SYS_ADMIN] } } }] } }',
    error: /capabilities\.add: refused: added capabilities/,
  },
  {
    name: "unlabelNode of a node's hostname label",
    manifest: SAFE,
    steps: '  - unlabelNode: { node: { index: 0 }, key: kubernetes.io/hostname }\n',
    error: /unlabelNode\.key: node label 'kubernetes\.io\/hostname' is not the suite's/,
  },
  {
    name: 'labelNode of the control-plane role',
    manifest: SAFE,
    steps: '  - labelNode: { node: { index: 0 }, key: node-role.kubernetes.io/control-plane, value: "" }\n',
    error: /labelNode\.key: node label 'node-role\.kubernetes\.io\/control-plane' is not the suite's/,
  },
];

/** The spec text of a hostile entry (or of a safe one, with `manifest` and `steps` of your own). */
export function specText(id: string, entry: Pick<HostileSpec, 'manifest' | 'steps'>): string {
  return `id: ${id}
title: hostile
statements: [ES-SNAT-1]
profile: core
features: [SourceIPLoadBalancer]
manifests:
  m: ${entry.manifest ?? SAFE}
steps:
  - apply: [m]
${entry.steps ?? ''}`;
}
