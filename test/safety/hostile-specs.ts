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

/** Objects inside the guard as written, which the patches below turn into hostile ones. */
const DEPLOYMENT =
  '{ apiVersion: apps/v1, kind: Deployment, metadata: { name: web, namespace: "${namespace}" }, spec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: x }] } } } }';
const EGRESS_IP =
  '{ apiVersion: k8s.ovn.org/v1, kind: EgressIP, metadata: { name: "${uid}-eip" }, spec: { egressIPs: ["${egressIP.address}"], namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "${namespace}" } }, podSelector: { matchLabels: { app: web } } } }';
const POOL =
  '{ apiVersion: metallb.io/v1beta1, kind: IPAddressPool, metadata: { name: "${uid}-pool", namespace: "${metallb.namespace}" }, spec: { addresses: ["${pool.addresses}"], autoAssign: false } }';
const ADVERTISEMENT =
  '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: "${metallb.namespace}" }, spec: { ipAddressPools: ["${uid}-pool"] } }';
const SERVICE =
  '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}", annotations: { metallb.io/address-pool: "${uid}-pool" } }, spec: { type: LoadBalancer, ports: [{ port: 80 }] } }';
const patchOf = (patch: string) => `  - patch: { manifest: m, patch: ${patch} }\n`;

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
    error: /BGPPeer \(metallb\.io\/v1beta2\) is outside a test's scope/,
  },
  // Hostile round of issue #22 (H1): a peer named from the test still peers with any address.
  {
    name: 'a BGPPeer named from the test, to an address of its choosing',
    manifest:
      '{ apiVersion: metallb.io/v1beta2, kind: BGPPeer, metadata: { name: "${uid}-peer", namespace: "${metallb.namespace}" }, spec: { myASN: 64512, peerASN: 65001, peerAddress: 192.0.2.254 } }',
    error: /BGPPeer \(metallb\.io\/v1beta2\) is outside a test's scope/,
  },
  {
    name: 'an FRRConfiguration adding a neighbor',
    manifest:
      '{ apiVersion: frrk8s.metallb.io/v1beta1, kind: FRRConfiguration, metadata: { name: "${uid}-frr", namespace: "${metallb.namespace}" }, spec: { bgp: { routers: [{ asn: 64512, neighbors: [{ address: 192.0.2.254, asn: 65001 }] }] } } }',
    error: /FRRConfiguration \(frrk8s\.metallb\.io\/v1beta1\) is outside a test's scope/,
  },
  // Hostile round (M1): hand-written endpoints point a Service at any address (CVE-2021-25740).
  {
    name: 'hand-written Endpoints to the API server',
    manifest:
      '{ apiVersion: v1, kind: Endpoints, metadata: { name: web, namespace: "${namespace}" }, subsets: [{ addresses: [{ ip: 10.96.0.1 }], ports: [{ port: 443 }] }] }',
    error: /manifests\.m\.kind: Endpoints \(v1\) is outside a test's scope/,
  },
  {
    name: 'a hand-written EndpointSlice',
    manifest:
      '{ apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: { name: web, namespace: "${namespace}" }, addressType: IPv4, endpoints: [{ addresses: [192.0.2.77] }] }',
    error: /manifests\.m\.kind: EndpointSlice \(discovery\.k8s\.io\/v1\) is outside/,
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
      /manifests\.m\.spec\.containers(\.0|\[0\])\.securityContext\.privileged: refused \(host-access\): a privileged container/,
  },
  {
    name: "a pod mounting the node's root",
    manifest:
      '{ apiVersion: apps/v1, kind: Deployment, metadata: { name: d, namespace: "${namespace}" }, spec: { template: { spec: { volumes: [{ name: root, hostPath: { path: / } }], containers: [] } } } }',
    error: /hostPath: refused \(host-access\): a host path/,
  },
  {
    name: "a pod in the node's PID namespace",
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { hostPID: true, containers: [] } }',
    error: /hostPID: refused \(host-access\)/,
  },
  {
    name: 'a pod adding capabilities',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, securityContext: { capabilities: { add: [SYS_ADMIN] } } }] } }',
    error: /capabilities\.add: refused \(host-access\): added capabilities/,
  },
  // Hostile round of issue #22: Pod Security baseline (H2, M2) and load bounds (M3).
  {
    name: "a container port bound to the node's port 22 (H2)",
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, ports: [{ containerPort: 22, hostPort: 22 }] }] } }',
    error: /ports\[0\]\.hostPort: refused \(host-access\): a host port/,
  },
  {
    name: 'an SELinux type spc_t (M2)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { securityContext: { seLinuxOptions: { type: spc_t } }, containers: [{ name: c, image: x }] } }',
    error: /seLinuxOptions: refused \(host-access\): an SELinux type/,
  },
  {
    name: 'an SELinux user (M2)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, securityContext: { seLinuxOptions: { user: system_u } } }] } }',
    error: /seLinuxOptions: refused \(host-access\)/,
  },
  {
    name: 'an Unconfined seccomp profile (M2)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, securityContext: { seccompProfile: { type: Unconfined } } }] } }',
    error: /seccompProfile: refused \(host-access\): an Unconfined seccomp/,
  },
  {
    name: 'an Unconfined AppArmor profile (M2)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { securityContext: { appArmorProfile: { type: Unconfined } }, containers: [{ name: c, image: x }] } }',
    error: /appArmorProfile: refused \(host-access\): an Unconfined AppArmor/,
  },
  {
    name: 'the AppArmor annotation unconfined (M2)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}", annotations: { container.apparmor.security.beta.kubernetes.io/c: unconfined } }, spec: { containers: [{ name: c, image: x }] } }',
    error: /refused \(host-access\): AppArmor profile 'unconfined'/,
  },
  {
    name: 'an unsafe sysctl (M2)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { securityContext: { sysctls: [{ name: kernel.msgmax, value: "1" }] }, containers: [{ name: c, image: x }] } }',
    error: /sysctls: refused \(host-access\): a sysctl outside/,
  },
  {
    name: 'a Windows host process (M2)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, securityContext: { windowsOptions: { hostProcess: true } } }] } }',
    error: /hostProcess: refused \(host-access\)/,
  },
  {
    name: '100000 replicas (M3)',
    manifest:
      '{ apiVersion: apps/v1, kind: Deployment, metadata: { name: d, namespace: "${namespace}" }, spec: { replicas: 100000, template: { spec: { containers: [] } } } }',
    error: /spec\.replicas: refused \(load\): more than 32 replicas/,
  },
  {
    name: 'a 64-CPU request (M3)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, resources: { requests: { cpu: "64", memory: 512Gi } } }] } }',
    error: /resources\.requests: refused \(load\): a request over 2 CPUs/,
  },
  {
    name: 'a system priority class (M3)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { priorityClassName: system-node-critical, containers: [{ name: c, image: x }] } }',
    error: /priorityClassName: refused \(load\): a system priority class/,
  },
  // Hostile round (M11): a name that reads as another one (U+202E), printed by the dry run.
  {
    name: 'an object name with a right-to-left override',
    manifest:
      '{ apiVersion: v1, kind: ConfigMap, metadata: { name: "web\u202egpj", namespace: "${namespace}" } }',
    error: /metadata\.name: 'web\\u202egpj' is not a Kubernetes name: expected a DNS-1123 subdomain/,
  },
  {
    name: 'a BGPAdvertisement with largeCommunities (hostile round)',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: "${metallb.namespace}" }, spec: { ipAddressPools: ["${uid}-pool"], largeCommunities: ["65535:0:65281"] } }',
    error: /largeCommunities: refused \(advertisement-attributes\)/,
  },
  {
    name: 'a BGPAdvertisement naming peers (hostile round)',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: "${metallb.namespace}" }, spec: { ipAddressPools: ["${uid}-pool"], peers: [upstream-router] } }',
    error: /peers: refused \(advertisement-attributes\)/,
  },
  // Patches: the object a patch makes is judged like a manifest, and keeps its identity.
  {
    name: 'a patch making a Deployment privileged',
    manifest: DEPLOYMENT,
    steps: patchOf(
      '{ spec: { template: { spec: { containers: [{ name: c, image: x, securityContext: { privileged: true } }] } } } }',
    ),
    error:
      /steps\[1\]\.patch\.patch\.spec\.template\.spec\.containers.*manifest m patched: refused \(host-access\): a privileged container/,
  },
  {
    name: 'a patch adding SYS_ADMIN',
    manifest: DEPLOYMENT,
    steps: patchOf(
      '{ spec: { template: { spec: { containers: [{ name: c, image: x, securityContext: { capabilities: { add: [SYS_ADMIN] } } }] } } } }',
    ),
    error: /patched: refused \(host-access\): added capabilities/,
  },
  {
    name: 'a patch adding hostPID',
    manifest: DEPLOYMENT,
    steps: patchOf('{ spec: { template: { spec: { hostPID: true } } } }'),
    error:
      /spec\.template\.spec\.hostPID: manifest m patched: refused \(host-access\): the node's PID namespace/,
  },
  {
    name: 'a patch mounting hostPath /',
    manifest: DEPLOYMENT,
    steps: patchOf('{ spec: { template: { spec: { volumes: [{ name: root, hostPath: { path: / } }] } } } }'),
    error: /patched: refused \(host-access\): a host path/,
  },
  {
    name: "a patch widening an EgressIP's namespace selector",
    manifest: EGRESS_IP,
    steps: patchOf('{ spec: { namespaceSelector: null } }'),
    error: /patched: refused \(egressip-selector\)/,
  },
  {
    name: "a patch retargeting an EgressIP's namespace selector",
    manifest: EGRESS_IP,
    steps: patchOf(
      '{ spec: { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } } } }',
    ),
    error: /patched: refused \(egressip-selector\).*found 'kube-system'/,
  },
  {
    name: 'a patch renaming an object',
    manifest: DEPLOYMENT,
    steps: patchOf('{ metadata: { name: coredns } }'),
    error: /metadata\.name: manifest m patched: a patch may not change metadata\.name/,
  },
  {
    name: 'a patch moving an object into another namespace',
    manifest: DEPLOYMENT,
    steps: patchOf('{ metadata: { namespace: kube-system } }'),
    error: /patched: a patch may not change metadata\.namespace/,
  },
  {
    name: 'a patch changing the kind',
    manifest: DEPLOYMENT,
    steps: patchOf('{ kind: DaemonSet }'),
    error: /patched: a patch may not change kind/,
  },
  {
    name: 'a patch adding externalIPs to a Service',
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}" }, spec: { ports: [{ port: 80 }] } }',
    steps: patchOf('{ spec: { externalIPs: [8.8.8.8] } }'),
    error: /patched: refused \(external-ips\)/,
  },
  // What an object reaches, as written.
  {
    name: 'a Service with externalIPs naming a public address',
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}" }, spec: { externalIPs: [8.8.8.8], ports: [{ port: 53 }] } }',
    error: /manifests\.m\.spec\.externalIPs: refused \(external-ips\)/,
  },
  {
    name: 'a Service with externalIPs naming a cluster address',
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}" }, spec: { externalIPs: ["10.96.0.10"], ports: [{ port: 53 }] } }',
    error: /refused \(external-ips\)/,
  },
  {
    name: "a Service taking addresses from a user's pool",
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}", annotations: { metallb.io/address-pool: production } }, spec: { type: LoadBalancer } }',
    error: /refused \(pool-range\): pool 'production' is not the test's/,
  },
  {
    name: 'a Service asking for a fixed LoadBalancer address',
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}", annotations: { metallb.io/loadBalancerIPs: 192.0.2.7 } }, spec: { type: LoadBalancer } }',
    error: /refused \(pool-range\): '192\.0\.2\.7' is not an address reserved/,
  },
  {
    name: 'an EgressIP with empty selectors (every pod of the cluster)',
    manifest:
      '{ apiVersion: k8s.ovn.org/v1, kind: EgressIP, metadata: { name: "${uid}-eip" }, spec: { egressIPs: ["${egressIP.address}"], namespaceSelector: {}, podSelector: {} } }',
    error: /manifests\.m\.spec\.namespaceSelector: refused \(egressip-selector\)/,
  },
  {
    name: 'an EgressIP selecting namespaces by expression',
    manifest:
      '{ apiVersion: k8s.ovn.org/v1, kind: EgressIP, metadata: { name: "${uid}-eip" }, spec: { egressIPs: ["${egressIP.address}"], namespaceSelector: { matchExpressions: [{ key: kubernetes.io/metadata.name, operator: Exists }] } } }',
    error: /refused \(egressip-selector\)/,
  },
  {
    name: 'an EgressIP with an address not reserved for the test',
    manifest:
      '{ apiVersion: k8s.ovn.org/v1, kind: EgressIP, metadata: { name: "${uid}-eip" }, spec: { egressIPs: [10.0.0.1], namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "${namespace}" } } } }',
    error: /spec\.egressIPs(\.0|\[0\]): refused \(egressip-address\)/,
  },
  {
    name: 'a BGPAdvertisement with no pool list (every pool)',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: "${metallb.namespace}" }, spec: {} }',
    error: /refused \(advertisement-pools\): expected spec\.ipAddressPools/,
  },
  {
    name: 'a BGPAdvertisement selecting pools by label',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: "${metallb.namespace}" }, spec: { ipAddressPools: ["${uid}-pool"], ipAddressPoolSelectors: [{ matchLabels: {} }] } }',
    error: /refused \(advertisement-pools\): pool selectors/,
  },
  {
    name: "a BGPAdvertisement of a user's pool",
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: "${metallb.namespace}" }, spec: { ipAddressPools: [production] } }',
    error: /refused \(advertisement-pools\): pool 'production' is not the test's/,
  },
  {
    name: 'a BGPAdvertisement with aggregationLength 0',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: "${metallb.namespace}" }, spec: { ipAddressPools: ["${uid}-pool"], aggregationLength: 0 } }',
    error: /spec\.aggregationLength: refused \(advertisement-attributes\)/,
  },
  {
    name: 'a BGPAdvertisement with communities',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: BGPAdvertisement, metadata: { name: "${uid}-adv", namespace: "${metallb.namespace}" }, spec: { ipAddressPools: ["${uid}-pool"], communities: ["65535:65281"] } }',
    error: /spec\.communities: refused \(advertisement-attributes\)/,
  },
  {
    name: 'a patch removing the pool list of a BGPAdvertisement',
    manifest: ADVERTISEMENT,
    steps: patchOf('{ spec: { ipAddressPools: null } }'),
    error: /patched: refused \(advertisement-pools\)/,
  },
  {
    name: 'an auto-assigned pool covering half the address space',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: IPAddressPool, metadata: { name: "${uid}-pool", namespace: "${metallb.namespace}" }, spec: { addresses: [0.0.0.0/1] } }',
    error: /spec\.addresses(\.0|\[0\]): refused \(pool-range\): '0\.0\.0\.0\/1' is not the range reserved/,
  },
  {
    name: 'a pool of the reserved range, auto-assigned',
    manifest:
      '{ apiVersion: metallb.io/v1beta1, kind: IPAddressPool, metadata: { name: "${uid}-pool", namespace: "${metallb.namespace}" }, spec: { addresses: ["${pool.addresses}"] } }',
    error: /refused \(pool-auto-assign\): expected autoAssign: false/,
  },
  {
    name: 'a patch widening a pool',
    manifest: POOL,
    steps: patchOf('{ spec: { addresses: [10.0.0.0/8] } }'),
    error: /patched: refused \(pool-range\)/,
  },
  {
    name: "unlabelNode of a node's hostname label",
    manifest: SAFE,
    steps: '  - unlabelNode: { node: { index: 0 }, key: kubernetes.io/hostname }\n',
    error: /unlabelNode\.key: node label 'kubernetes\.io\/hostname' is not the suite's/,
  },
  {
    name: 'unlabelNode of k8s.ovn.org/egress-assignable (hostile round)',
    manifest: SAFE,
    steps: '  - unlabelNode: { node: { index: 0 }, key: k8s.ovn.org/egress-assignable }\n',
    error: /unlabelNode\.key: unlabelNode of 'k8s\.ovn\.org\/egress-assignable' is not the suite's/,
  },
  {
    name: 'labelNode of the control-plane role',
    manifest: SAFE,
    steps: '  - labelNode: { node: { index: 0 }, key: node-role.kubernetes.io/control-plane, value: "" }\n',
    error: /labelNode\.key: node label 'node-role\.kubernetes\.io\/control-plane' is not the suite's/,
  },
  // Hostile round 3 (docs/hardening.md): MetalLB's deprecated annotation prefix, YAML 1.1
  // booleans, ExternalName, finalizers, strategic-merge directives.
  {
    name: "a Service taking a user's pool by the deprecated metallb.universe.tf/address-pool (round 3)",
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}", annotations: { metallb.universe.tf/address-pool: production } }, spec: { type: LoadBalancer } }',
    error:
      /annotations\.metallb\.universe\.tf\/address-pool: refused \(pool-range\): pool 'production' is not the test's/,
  },
  {
    name: 'a Service asking for a cluster address by the deprecated metallb.universe.tf/loadBalancerIPs (round 3)',
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}", annotations: { metallb.universe.tf/loadBalancerIPs: 10.96.0.1 } }, spec: { type: LoadBalancer } }',
    error: /refused \(pool-range\): '10\.96\.0\.1' is not an address reserved/,
  },
  {
    name: "a Service sharing a user's address by allow-shared-ip (either prefix) (round 3)",
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}", annotations: { metallb.universe.tf/allow-shared-ip: ingress } }, spec: { type: LoadBalancer } }',
    error: /allow-shared-ip: refused \(pool-range\): sharing key 'ingress' is not the test's/,
  },
  {
    name: 'a patch adding the deprecated pool annotation (round 3)',
    manifest: SERVICE,
    steps: patchOf('{ metadata: { annotations: { metallb.universe.tf/address-pool: production } } }'),
    error: /patched: refused \(pool-range\): pool 'production'/,
  },
  {
    name: 'privileged: yes, a YAML 1.1 true (round 3)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, securityContext: { privileged: yes } }] } }',
    error:
      /securityContext\.privileged: unquoted 'yes' is a string in YAML 1\.2 but true to YAML 1\.1 readers such as kubectl/,
  },
  {
    name: 'hostPID: on (round 3)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { hostPID: on, containers: [{ name: c, image: x }] } }',
    error: /spec\.hostPID: unquoted 'on' is a string/,
  },
  {
    name: 'a patch making allowPrivilegeEscalation ON (round 3)',
    manifest: DEPLOYMENT,
    steps: patchOf(
      '{ spec: { template: { spec: { containers: [{ name: c, image: x, securityContext: { allowPrivilegeEscalation: ON } }] } } } }',
    ),
    error: /allowPrivilegeEscalation: unquoted 'ON' is a string/,
  },
  {
    name: 'an octal mode 0777, 511 to YAML 1.1 (round 3)',
    manifest:
      '{ apiVersion: v1, kind: ConfigMap, metadata: { name: c, namespace: "${namespace}" }, data: { mode: 0777 } }',
    error: /data\.mode: unquoted '0777' is 777 in YAML 1\.2 but 511/,
  },
  {
    name: 'a quoted "yes" for privileged, a string to every reader (round 3)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, securityContext: { privileged: "yes" } }] } }',
    error: /privileged: privileged must be true or false, found string 'yes'/,
  },
  {
    name: 'a Service of type ExternalName (CVE-2021-25740 class) (round 3)',
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}" }, spec: { type: ExternalName, externalName: kubernetes.default.svc.cluster.local } }',
    error: /spec\.type: a Service of type ExternalName is outside a test's scope/,
  },
  {
    name: 'a patch turning a Service into ExternalName (round 3)',
    manifest: SERVICE,
    steps: patchOf('{ spec: { type: ExternalName, externalName: example.com } }'),
    error: /patched: a Service of type ExternalName/,
  },
  {
    name: 'an object with a finalizer nothing removes (round 3)',
    manifest:
      '{ apiVersion: v1, kind: ConfigMap, metadata: { name: c, namespace: "${namespace}", finalizers: [example.com/never] } }',
    error: /metadata\.finalizers: metadata\.finalizers is outside a test's scope/,
  },
  {
    name: 'a patch with a strategic-merge $patch directive (round 3)',
    manifest: DEPLOYMENT,
    steps: patchOf(
      '{ spec: { template: { spec: { $patch: replace, containers: [{ name: c, image: x }] } } } }',
    ),
    error: /'\$patch' is a strategic merge patch directive/,
  },
  {
    name: 'a gitRepo volume (round 4, CVE-2024-10220)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, gitRepo: { repository: "https://example.com/r.git" } }], containers: [{ name: c, image: x }] } }',
    error:
      /spec\.volumes\[0\]\.gitRepo: refused \(host-access\): volume type gitRepo is outside a test's scope/,
  },
  {
    name: 'a nfs volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, nfs: { server: 1.1.1.1, path: / } }], containers: [{ name: c, image: x }] } }',
    error: /spec\.volumes\[0\]\.nfs: refused \(host-access\): volume type nfs is outside a test's scope/,
  },
  {
    name: 'a iscsi volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, iscsi: { targetPortal: "1.1.1.1:3260", iqn: "iqn.2001-04.com.example:x", lun: 0 } }], containers: [{ name: c, image: x }] } }',
    error: /spec\.volumes\[0\]\.iscsi: refused \(host-access\): volume type iscsi is outside a test's scope/,
  },
  {
    name: 'a rbd volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, rbd: { monitors: ["1.1.1.1:6789"], image: x } }], containers: [{ name: c, image: x }] } }',
    error: /spec\.volumes\[0\]\.rbd: refused \(host-access\): volume type rbd is outside a test's scope/,
  },
  {
    name: 'a cephfs volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, cephfs: { monitors: ["1.1.1.1:6789"] } }], containers: [{ name: c, image: x }] } }',
    error:
      /spec\.volumes\[0\]\.cephfs: refused \(host-access\): volume type cephfs is outside a test's scope/,
  },
  {
    name: 'a glusterfs volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, glusterfs: { endpoints: e, path: p } }], containers: [{ name: c, image: x }] } }',
    error:
      /spec\.volumes\[0\]\.glusterfs: refused \(host-access\): volume type glusterfs is outside a test's scope/,
  },
  {
    name: 'a fc volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, fc: { wwids: [x] } }], containers: [{ name: c, image: x }] } }',
    error: /spec\.volumes\[0\]\.fc: refused \(host-access\): volume type fc is outside a test's scope/,
  },
  {
    name: 'a flexVolume volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, flexVolume: { driver: example.com/x } }], containers: [{ name: c, image: x }] } }',
    error:
      /spec\.volumes\[0\]\.flexVolume: refused \(host-access\): volume type flexVolume is outside a test's scope/,
  },
  {
    name: 'a portworxVolume volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, portworxVolume: { volumeID: x } }], containers: [{ name: c, image: x }] } }',
    error:
      /spec\.volumes\[0\]\.portworxVolume: refused \(host-access\): volume type portworxVolume is outside a test's scope/,
  },
  {
    name: 'an inline csi volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, csi: { driver: hostpath.csi.k8s.io, volumeAttributes: { path: / } } }], containers: [{ name: c, image: x }] } }',
    error: /spec\.volumes\[0\]\.csi: refused \(host-access\): volume type csi is outside a test's scope/,
  },
  {
    name: 'a image volume (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, image: { reference: evil/img } }], containers: [{ name: c, image: x }] } }',
    error: /spec\.volumes\[0\]\.image: refused \(host-access\): volume type image is outside a test's scope/,
  },
  {
    name: 'a patch adding an nfs volume to a pod template (round 4)',
    manifest: DEPLOYMENT,
    steps: patchOf(
      '{ spec: { template: { spec: { volumes: [{ name: r, nfs: { server: 1.1.1.1, path: / } }] } } } }',
    ),
    error: /volumes\[0\]\.nfs: manifest m patched: refused \(host-access\): volume type nfs/,
  },
  {
    name: 'StatefulSet volumeClaimTemplates of 100Ti (round 4)',
    manifest:
      '{ apiVersion: apps/v1, kind: StatefulSet, metadata: { name: s, namespace: "${namespace}" }, spec: { selector: { matchLabels: { app: s } }, serviceName: s, template: { metadata: { labels: { app: s } }, spec: { containers: [{ name: c, image: x }] } }, volumeClaimTemplates: [{ metadata: { name: d }, spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 100Ti } } } }] } }',
    error:
      /volumeClaimTemplates\[0\]\.spec\.resources\.requests: refused \(load\): a request over 2 CPUs or 2Gi of memory or storage/,
  },
  {
    name: 'an ephemeral volume claiming 1Pi (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, ephemeral: { volumeClaimTemplate: { spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Pi } } } } } }], containers: [{ name: c, image: x }] } }',
    error: /ephemeral\.volumeClaimTemplate\.spec\.resources\.requests: refused \(load\)/,
  },
  {
    name: 'a Memory emptyDir of 1Ti (round 4)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { volumes: [{ name: v, emptyDir: { medium: Memory, sizeLimit: 1Ti } }], containers: [{ name: c, image: x }] } }',
    error: /emptyDir\.sizeLimit: refused \(load\): an emptyDir over 2Gi/,
  }, // Hostile round 5 (F1, F11): a LoadBalancer Service gets its address from the test's pool only.
  {
    name: "a LoadBalancer Service naming no pool and no address: MetalLB assigns from the user's pools (round 5)",
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}" }, spec: { type: LoadBalancer, ports: [{ port: 80 }] } }',
    error:
      /manifests\.m\.spec\.type: refused \(pool-range\): a LoadBalancer Service naming no pool and no address/,
  },
  {
    name: 'a patch removing the pool annotation of a LoadBalancer Service (round 5)',
    manifest: SERVICE,
    steps: patchOf('{ metadata: { annotations: { metallb.io/address-pool: null } } }'),
    error: /patched: refused \(pool-range\): a LoadBalancer Service naming no pool and no address/,
  },
  {
    name: 'a LoadBalancer Service of another controller (loadBalancerClass, round 5)',
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}", annotations: { metallb.io/address-pool: "${uid}-pool" } }, spec: { type: LoadBalancer, loadBalancerClass: example.com/other, ports: [{ port: 80 }] } }',
    error:
      /spec\.loadBalancerClass: refused \(pool-range\): loadBalancerClass 'example\.com\/other' hands the Service to another/,
  },
  {
    name: "another load balancer's address annotation (kube-vip, round 5)",
    manifest:
      '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}", annotations: { metallb.io/address-pool: "${uid}-pool", kube-vip.io/loadbalancerIPs: 8.8.8.8 } }, spec: { type: LoadBalancer, ports: [{ port: 80 }] } }',
    error:
      /annotations\.kube-vip\.io\/loadbalancerIPs: refused \(pool-range\): annotation 'kube-vip\.io\/loadbalancerIPs' may be another load balancer's/,
  },
  // Hostile round 5 (F10): the load rule per pod, and for extended resources and huge pages.
  {
    name: 'a pod of two 2-CPU containers (round 5)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: a, image: x, resources: { requests: { cpu: "2" } } }, { name: b, image: x, resources: { requests: { cpu: "2" } } }] } }',
    error: /manifests\.m\.spec: refused \(load\): a pod's containers together request 4 CPUs \(over 2 CPUs\)/,
  },
  {
    name: 'a Deployment whose sidecar and app container together request 3Gi (round 5)',
    manifest:
      '{ apiVersion: apps/v1, kind: Deployment, metadata: { name: d, namespace: "${namespace}" }, spec: { selector: { matchLabels: { app: d } }, template: { metadata: { labels: { app: d } }, spec: { initContainers: [{ name: s, image: x, restartPolicy: Always, resources: { limits: { memory: 1536Mi } } }], containers: [{ name: c, image: x, resources: { requests: { memory: 1536Mi } } }] } } } }',
    error:
      /spec\.template\.spec: refused \(load\): a pod's containers together request 3Gi of memory \(over 2Gi\)/,
  },
  {
    name: 'a container asking for GPUs (round 5)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, resources: { limits: { nvidia.com/gpu: "8" } } }] } }',
    error: /containers\[0\]\.resources\.limits: refused \(load\): an extended resource or huge pages/,
  },
  {
    name: 'a container asking for 100Gi of huge pages (round 5)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { containers: [{ name: c, image: x, resources: { requests: { hugepages-2Mi: 100Gi, memory: 1Gi } } }] } }',
    error: /containers\[0\]\.resources\.requests: refused \(load\): an extended resource or huge pages/,
  },
  // Hostile round 5 (F11): a node index past the nodes the spec requires.
  {
    name: 'labelNode of node 9 in a spec requiring one node (round 5)',
    steps: '  - labelNode: { node: { index: 9 }, key: egress-conformance.io/x, value: a }\n',
    error:
      /steps\[1\]\.labelNode\.node\.index: node index 9 is past the nodes the spec requires \(requires\.nodes is 1\)/,
  },
  // Hostile round (low): runtimeClassName and ownerReferences passed the guard.
  {
    name: 'a Pod with a runtimeClassName (low)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}" }, spec: { runtimeClassName: privileged-handler, containers: [{ name: c, image: x }] } }',
    error: /manifests\.m\.spec\.runtimeClassName: refused \(runtime-class\): a runtime class/,
  },
  {
    name: 'a patch adding a runtimeClassName to a pod template (low)',
    manifest: DEPLOYMENT,
    steps: patchOf('{ spec: { template: { spec: { runtimeClassName: kata } } } }'),
    error: /spec\.template\.spec\.runtimeClassName: manifest m patched: refused \(runtime-class\)/,
  },
  {
    name: 'a Pod owned (controller) by a ReplicaSet the spec does not create (low)',
    manifest:
      '{ apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "${namespace}", labels: { app: production }, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: production-7d4f, uid: 0b7c9d6e-0000-4000-8000-000000000001, controller: true }] }, spec: { containers: [{ name: c, image: x }] } }',
    error:
      /manifests\.m\.metadata\.ownerReferences\[0\]: an ownerReference to ReplicaSet 'production-7d4f' is outside a test's scope/,
  },
  {
    name: 'a pod template owned by an object the spec does not create (low)',
    manifest:
      '{ apiVersion: apps/v1, kind: Deployment, metadata: { name: web, namespace: "${namespace}" }, spec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web }, ownerReferences: [{ apiVersion: v1, kind: ConfigMap, name: user-config, uid: x }] }, spec: { containers: [{ name: c, image: x }] } } } }',
    error: /spec\.template\.metadata\.ownerReferences\[0\]: an ownerReference to ConfigMap 'user-config'/,
  },
  {
    name: "a patch making an object a dependent of a user's Deployment, blocking its deletion (low)",
    manifest: DEPLOYMENT,
    steps: patchOf(
      '{ metadata: { ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: production, uid: x, blockOwnerDeletion: true }] } }',
    ),
    error:
      /metadata\.ownerReferences\[0\]: manifest m patched: an ownerReference to Deployment 'production' is outside/,
  },
  {
    name: 'an EgressIP owned by a Node (a cluster-scoped owner the spec does not create) (low)',
    manifest: EGRESS_IP.replace(
      'metadata: { name: "${uid}-eip" }',
      'metadata: { name: "${uid}-eip", ownerReferences: [{ apiVersion: v1, kind: Node, name: "${nodes.0}", uid: x }] }',
    ),
    error: /metadata\.ownerReferences\[0\]: an ownerReference to Node/,
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
${entry.steps ?? ''}  - expect: { condition: { noEgressLabel: { service: m } } }
`;
}
