/**
 * The scope guard's rules on what an object reaches, beside scope.ts's rules on its kind, name
 * and namespace: an object of an allowed kind, in a test namespace, can still take over traffic
 * or addresses that are not the test's, or hand a pod its node. Each rule has a name, so that an
 * options file can allow it for one named spec (`scopeExceptions`), and a reason, which the
 * scope-guard section of docs/safety.md repeats.
 *
 * Judged on every object the run sends: a manifest as written and rendered, and the object a
 * `patch` step makes of it (scope.ts, patchScopeIssues).
 */

import { isJsonObject, type JsonObject, objectAt } from '../common/json-object.js';
import {
  BOUNDED_RESOURCES,
  count,
  MAX_CPU_CORES,
  MAX_MEMORY_BYTES,
  MAX_REPLICAS,
  quantity,
} from './load-bounds.js';
import { podLoadIssues } from './scope-load.js';
import { loadBalancerIssues, METALLB_ANNOTATION_PREFIXES } from './scope-load-balancer.js';

export { MAX_CPU_CORES, MAX_MEMORY_BYTES, MAX_REPLICAS } from './load-bounds.js';
export { METALLB_ANNOTATION_PREFIXES } from './scope-load-balancer.js';

/** A problem the guard found: where in the object, what, and the reach rule refusing it. */
export interface ScopeIssue {
  path: Array<string | number>;
  message: string;
  /** The reach rule refusing it (this module), which an options file may allow; none: never allowed. */
  rule?: ReachRule;
}

/** How names look at the level checked: as written (`${uid}`) or rendered (the uid itself). */
export interface ScopeNames {
  /** The namespaces a namespaced object may be in: `${namespace}`, `${namespaces.X}` or their values. */
  testNamespaces: readonly string[];
  /** `${metallb.namespace}` or its value. */
  metallbNamespace: string;
  /** `${uid}` or its value: shared objects' names and owned label keys must contain it. */
  uid: string;
  /** The addresses reserved for the test: template variables as written, their values rendered. */
  reserved: Reserved;
  /** Reach rules the options file allows for this spec (`scopeExceptions`). */
  allowed?: ReadonlySet<ReachRule>;
  /**
   * The objects the spec itself creates (its manifests, named as at this level): the only owners
   * an ownerReference may name (scope.ts, ownerReferenceIssues). Absent: none.
   */
  objects?: ReadonlyArray<OwnObject>;
}

/** One of the spec's own objects: `group/Kind` (scope.ts, kindKey), name, and namespace if namespaced. */
export interface OwnObject {
  key: string;
  name: string;
  namespace?: string;
}

/** The rules an options file may name in `scopeExceptions`, each with why it exists. */
export const REACH_RULES = {
  'host-access':
    "a privileged container, the node's PID or IPC namespace, a host path or host port, privilege escalation, an added capability, an unmasked /proc, or an SELinux, seccomp, AppArmor or sysctl setting outside Pod Security baseline hands the pod its node",
  load: "more than a few replicas, large resource requests (a container's, a pod's or a spec's pods' together), extended resources, huge pages or a system priority class would starve or evict the user's workloads",
  'external-ips':
    "a Service's externalIPs make every node capture traffic to those addresses, whoever owns them (the externalIPs traffic-hijack problem)",
  'egressip-selector':
    "an EgressIP whose namespaceSelector does not name a test namespace (kubernetes.io/metadata.name) rewrites the source address of other namespaces' pods",
  'egressip-address':
    'an EgressIP address the environment did not reserve for the test may be in use elsewhere',
  'advertisement-pools':
    "a BGPAdvertisement without a list of the test's own pools, or with pool selectors, announces the cluster's other pools",
  'advertisement-attributes':
    "an aggregationLength shorter than a host route, communities, largeCommunities, localPref or a peers list change how the user's routers treat addresses that are not the test's",
  'pool-range':
    "an address pool, a pool annotation or a requested LoadBalancer address outside the test's reserved range, or a LoadBalancer Service naming no pool of the test, with a loadBalancerClass or another controller's annotations, takes addresses that belong to others",
  'pool-auto-assign':
    "a pool without autoAssign: false hands its addresses to the user's own LoadBalancer Services",
  'runtime-class':
    "a runtimeClassName selects a runtime handler the cluster's admin configured for other workloads (one may run pods with host devices or privileges, or in VMs); the probe pods need the default runtime",
} as const;

export type ReachRule = keyof typeof REACH_RULES;
export const REACH_RULE_NAMES = Object.keys(REACH_RULES) as [ReachRule, ...ReachRule[]];

/** An options-file entry (`scopeExceptions`) allowing one reach rule for one named spec. */
export interface ScopeException {
  rule: ReachRule;
  spec: string;
  reason: string;
}

/** The reach rules `exceptions` allow for the spec `id`. */
export function allowedRules(exceptions: readonly ScopeException[], id: string): ReadonlySet<ReachRule> {
  return new Set(exceptions.filter((e) => e.spec === id).map((e) => e.rule));
}

/** What a test may reach besides its names: the addresses the environment reserved for it. */
export interface Reserved {
  /** A pool range (`${pool.addresses.N}` and kin, or its rendered value). */
  poolRange(text: string): boolean;
  /** One LoadBalancer address (`${pool.address.N}`, or its value). */
  poolAddress(text: string): boolean;
  /** An EgressIP address (`${egressIP.address}` and kin, or its value). */
  egressIP(text: string): boolean;
}

/** As written: only the template variables that name a reserved address. */
export const RESERVED_AS_WRITTEN: Reserved = {
  poolRange: (text) => /^\$\{pool\.(addresses|ipv4|ipv6)(\.\d+)?\}$/.test(text),
  poolAddress: (text) => /^\$\{pool\.address\.\d+\}$/.test(text),
  egressIP: (text) => /^\$\{egressIP\.(address|ipv4|ipv6)\}$/.test(text),
};

/** Rendered: the values of those variables for this test (empty values: the family is absent). */
export function reservedValues(values: Record<string, string | number>): Reserved {
  const of = (pattern: RegExp) =>
    new Set(
      Object.entries(values)
        .filter(([name, value]) => pattern.test(name) && value !== '')
        .map(([, value]) => String(value)),
    );
  const ranges = of(/^pool\.(addresses|ipv4|ipv6)(\.\d+)?$/);
  const addresses = of(/^pool\.address\.\d+$/);
  const egressIPs = of(/^egressIP\.(address|ipv4|ipv6)$/);
  return {
    poolRange: (text) => ranges.has(text),
    poolAddress: (text) => addresses.has(text),
    egressIP: (text) => egressIPs.has(text),
  };
}

type Obj = JsonObject;
const isObject = isJsonObject;
const listAt = (value: Obj, key: string): unknown[] => {
  const inner = value[key];
  return Array.isArray(inner) ? inner : [];
};
const present = (value: unknown) =>
  value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);

function issue(rule: ReachRule, path: Array<string | number>, what: string): ScopeIssue {
  return { rule, path, message: `refused (${rule}): ${what}` };
}

/**
 * Pod Security Standards "baseline" (kubernetes.io/docs/concepts/security/pod-security-standards,
 * the Baseline table), which the suite follows exactly except where it is stricter (no added
 * capability at all, no privilege escalation) and for hostNetwork, which the catalogue's
 * host-networked endpoints need (such a test runs alone), and for volume types, where the guard
 * follows Pod Security "restricted" (VOLUME_TYPES). runAsUser 0 and runAsNonRoot are
 * "restricted"-level controls: baseline allows them, and so does the guard.
 */
const BASELINE_SELINUX_TYPES: ReadonlySet<string> = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
/** Baseline's safe sysctls (namespaced, unable to affect other pods or the node). */
const BASELINE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
/**
 * The volume types a test's pod may use: Pod Security "restricted"'s list without inline csi (any
 * driver with any attributes, run by the node). Every other type has the node's kubelet mount
 * from a server (nfs, iscsi, rbd, cephfs, glusterfs, fc, portworxVolume), run code (gitRepo,
 * CVE-2024-10220; flexVolume) or pull an image (image): outside "traffic stays inside". hostPath
 * is refused with its own message (POD_FIELDS).
 */
export const VOLUME_TYPES: ReadonlySet<string> = new Set([
  'configMap',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
/** A pod's (or template's, or patch's) volumes of a type outside VOLUME_TYPES. */
function volumeTypeIssues(volumes: unknown[], path: Array<string | number>): ScopeIssue[] {
  return volumes.flatMap((volume, i) =>
    Object.keys(isObject(volume) ? volume : {})
      .filter((type) => type !== 'name' && type !== 'hostPath' && !VOLUME_TYPES.has(type))
      .map((type) =>
        issue(
          'host-access',
          [...path, i, type],
          `volume type ${type} is outside a test's scope (expected one of ${[...VOLUME_TYPES].join(', ')})`,
        ),
      ),
  );
}
const unconfined = (v: unknown) => isObject(v) && v.type === 'Unconfined';
const nonEmpty = (v: unknown) => v !== undefined && v !== null && v !== '';
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_ANNOTATIONS = [
  'seccomp.security.alpha.kubernetes.io/pod',
  'container.seccomp.security.alpha.kubernetes.io/',
];

const tooMany = (v: unknown) => count(v) > MAX_REPLICAS;
/** Requests or limits beyond the bounds (NaN, a template as written, is judged once rendered). */
function tooLarge(v: unknown): boolean {
  if (!isObject(v)) return false;
  return (
    quantity(v.cpu) > MAX_CPU_CORES ||
    quantity(v.memory) > MAX_MEMORY_BYTES ||
    quantity(v['ephemeral-storage']) > MAX_MEMORY_BYTES ||
    quantity(v.storage) > MAX_MEMORY_BYTES
  );
}

/**
 * Requests or limits naming a resource the load bounds do not measure: an extended resource
 * (`nvidia.com/gpu`, any `domain/name`) or huge pages, a device or pinned memory of the node.
 */
const unboundedResource = (v: unknown) =>
  isObject(v) && Object.keys(v).some((r) => !BOUNDED_RESOURCES.has(r));
const UNBOUNDED_WHAT = `an extended resource or huge pages (a resource other than ${[...BOUNDED_RESOURCES].join(', ')}: a GPU, a device, pinned memory)`;

const POD_FIELDS: ReadonlyArray<
  [key: string, bad: (value: unknown) => boolean, rule: ReachRule, what: string]
> = [
  ['privileged', (v) => v === true, 'host-access', 'a privileged container'],
  ['hostPID', (v) => v === true, 'host-access', "the node's PID namespace"],
  ['hostIPC', (v) => v === true, 'host-access', "the node's IPC namespace"],
  ['hostPath', (v) => v !== undefined && v !== null, 'host-access', "a host path (the node's files)"],
  ['allowPrivilegeEscalation', (v) => v === true, 'host-access', 'privilege escalation'],
  ['procMount', (v) => v !== undefined && v !== 'Default', 'host-access', 'an unmasked /proc'],
  [
    'hostPort',
    (v) => v !== undefined && v !== null && count(v) !== 0,
    'host-access',
    "a host port (a port on the node's own addresses)",
  ],
  ['hostProcess', (v) => v === true, 'host-access', 'a Windows host process'],
  [
    'seLinuxOptions',
    (v) =>
      isObject(v) &&
      (!BASELINE_SELINUX_TYPES.has(String(v.type ?? '')) || nonEmpty(v.user) || nonEmpty(v.role)),
    'host-access',
    'an SELinux type, user or role outside Pod Security baseline (type container_t, container_init_t, container_kvm_t or container_engine_t; no user, no role)',
  ],
  ['seccompProfile', unconfined, 'host-access', 'an Unconfined seccomp profile'],
  ['appArmorProfile', unconfined, 'host-access', 'an Unconfined AppArmor profile'],
  [
    'sysctls',
    (v) => Array.isArray(v) && v.some((s) => !BASELINE_SYSCTLS.has(String(isObject(s) ? s.name : s))),
    'host-access',
    `a sysctl outside Pod Security baseline's safe set (${[...BASELINE_SYSCTLS].join(', ')})`,
  ],
  ['replicas', tooMany, 'load', `more than ${MAX_REPLICAS} replicas`],
  ['parallelism', tooMany, 'load', `more than ${MAX_REPLICAS} pods at once`],
  ['completions', tooMany, 'load', `more than ${MAX_REPLICAS} completions`],
  [
    'priorityClassName',
    (v) => typeof v === 'string' && v.startsWith('system-'),
    'load',
    "a system priority class (it would evict the cluster's own pods)",
  ],
  ['requests', tooLarge, 'load', `a request over ${MAX_CPU_CORES} CPUs or 2Gi of memory or storage`],
  ['limits', tooLarge, 'load', `a limit over ${MAX_CPU_CORES} CPUs or 2Gi of memory or storage`],
  ['sizeLimit', (v) => quantity(v) > MAX_MEMORY_BYTES, 'load', 'an emptyDir over 2Gi'],
  [
    'runtimeClassName',
    (v) => v !== undefined && v !== null && v !== '',
    'runtime-class',
    "a runtime class (it selects the node's runtime handler, which may be privileged)",
  ],
  ['requests', unboundedResource, 'load', UNBOUNDED_WHAT],
  ['limits', unboundedResource, 'load', UNBOUNDED_WHAT],
];

/**
 * Pod fields read as booleans, which must be written as one: a string such as `yes` or `on` is the
 * guard's string but the cluster's true once a YAML 1.1 reader (kubectl) or a lenient decoder
 * reads it, so it would pass `privileged` as "not true" and still make a privileged container.
 * Never allowed by an exception: the fix is to write true or false.
 */
const BOOLEAN_FIELDS: ReadonlySet<string> = new Set([
  'privileged',
  'hostPID',
  'hostIPC',
  'hostNetwork',
  'hostUsers',
  'hostProcess',
  'allowPrivilegeEscalation',
  'readOnlyRootFilesystem',
  'runAsNonRoot',
  'automountServiceAccountToken',
  'shareProcessNamespace',
]);
function notBoolean(key: string, value: unknown): ScopeIssue | undefined {
  if (!BOOLEAN_FIELDS.has(key) || value === undefined || value === null || typeof value === 'boolean')
    return undefined;
  return {
    path: [key],
    message: `${key} must be true or false, found ${typeof value} '${String(value)}' (YAML 1.1 readers such as kubectl read yes, on and y as true)`,
  };
}

/** The fields of a ConfigMap or Secret whose keys and values are data, never read as pod fields. */
const OPAQUE_DATA: ReadonlySet<string> = new Set(['data', 'stringData', 'binaryData']);

/** An annotation that relaxes a pod's confinement (the annotation forms of AppArmor and seccomp). */
function annotationEscape(key: string, value: unknown): string | undefined {
  const text = String(value);
  if (key.startsWith(APPARMOR_ANNOTATION) && text !== 'runtime/default' && !text.startsWith('localhost/'))
    return `AppArmor profile '${text}'`;
  if (SECCOMP_ANNOTATIONS.some((a) => key.startsWith(a)) && text === 'unconfined')
    return 'an unconfined seccomp profile';
  return undefined;
}

/** What one field (at `at`, its key last) itself puts outside a test's scope; undefined: look inside it. */
function fieldIssue(key: string, value: unknown, at: Array<string | number>): ScopeIssue | undefined {
  const loose = notBoolean(key, value);
  if (loose) return { ...loose, path: at };
  const parent = at[at.length - 2];
  const found = POD_FIELDS.find(([k, bad]) => k === key && bad(value));
  const annotation = parent === 'annotations' ? annotationEscape(key, value) : undefined;
  if (found) return issue(found[2], at, `${found[3]} is outside a test's scope`);
  if (annotation) return issue('host-access', at, `${annotation} is outside a test's scope`);
  if (key === 'add' && parent === 'capabilities' && present(value))
    return issue('host-access', at, "added capabilities are outside a test's scope");
  return undefined;
}

/**
 * Fields anywhere in an object that would hand a pod its node (Pod Security baseline) or load the
 * cluster beyond a test, wherever its pod spec sits (Pod, template, jobTemplate, or a field a
 * later API adds). Walked with a stack, not recursion: a spec's nesting is the spec author's choice.
 */
function hostAccess(object: unknown): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  const stack: Array<{ node: unknown; path: Array<string | number> }> = [{ node: object, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: Array<string | number> };
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        stack.push({ node: item, path: [...path, i] });
      });
      continue;
    }
    if (!isObject(node)) continue;
    // A ConfigMap's or Secret's data is text for its readers, not pod fields of the cluster's.
    const opaque = path.length === 0 && (node.kind === 'ConfigMap' || node.kind === 'Secret');
    for (const [key, value] of Object.entries(node)) {
      if (opaque && OPAQUE_DATA.has(key)) continue;
      const found = fieldIssue(key, value, [...path, key]);
      if (found) issues.push(found);
      else stack.push({ node: value, path: [...path, key] });
      if (key === 'volumes' && Array.isArray(value)) issues.push(...volumeTypeIssues(value, [...path, key]));
    }
  }
  return issues;
}

// MetalLB's two annotation prefixes, and the load-balancer rules beyond their values: scope-load-balancer.ts.

/** A Service's MetalLB annotations under one prefix: the pool, the requested addresses, the sharing key. */
function metallbAnnotationIssues(annotations: Obj, prefix: string, names: ScopeNames): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  for (const [name, what] of [
    ['address-pool', 'pool'],
    ['allow-shared-ip', 'sharing key'],
  ] as const) {
    const key = `${prefix}/${name}`;
    const value = annotations[key];
    if (value !== undefined && !String(value).includes(names.uid)) {
      issues.push(
        issue(
          'pool-range',
          ['metadata', 'annotations', key],
          `${what} '${String(value)}' is not the test's: it must contain ${names.uid}`,
        ),
      );
    }
  }
  const key = `${prefix}/loadBalancerIPs`;
  const requested = annotations[key];
  if (requested !== undefined) {
    const outside = String(requested)
      .split(',')
      .map((a) => a.trim())
      .filter((a) => !names.reserved.poolAddress(a));
    if (outside.length > 0) {
      issues.push(
        issue(
          'pool-range',
          ['metadata', 'annotations', key],
          `'${outside.join(', ')}' is not an address reserved for the test: expected \${pool.address.N}`,
        ),
      );
    }
  }
  return issues;
}

function serviceIssues(object: Obj, names: ScopeNames): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  const spec = objectAt(object, 'spec');
  if (present(spec.externalIPs)) {
    issues.push(
      issue(
        'external-ips',
        ['spec', 'externalIPs'],
        'a Service with externalIPs captures traffic to addresses it does not own',
      ),
    );
  }
  if (present(spec.loadBalancerIP) && !names.reserved.poolAddress(String(spec.loadBalancerIP))) {
    issues.push(
      issue(
        'pool-range',
        ['spec', 'loadBalancerIP'],
        `'${spec.loadBalancerIP}' is not an address reserved for the test: expected \${pool.address.N}`,
      ),
    );
  }
  const annotations = objectAt(objectAt(object, 'metadata'), 'annotations');
  for (const prefix of METALLB_ANNOTATION_PREFIXES)
    issues.push(...metallbAnnotationIssues(annotations, prefix, names));
  issues.push(...loadBalancerIssues(object, names));
  return issues;
}

function egressIPIssues(object: Obj, names: ScopeNames): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  const spec = objectAt(object, 'spec');
  const namespace = objectAt(objectAt(spec, 'namespaceSelector'), 'matchLabels')[
    'kubernetes.io/metadata.name'
  ];
  if (typeof namespace !== 'string' || !names.testNamespaces.includes(namespace)) {
    issues.push(
      issue(
        'egressip-selector',
        ['spec', 'namespaceSelector'],
        `expected namespaceSelector.matchLabels kubernetes.io/metadata.name: a test namespace (${names.testNamespaces.join(' or ')}), found ${namespace === undefined ? 'none' : `'${String(namespace)}'`}`,
      ),
    );
  }
  const addresses = listAt(spec, 'egressIPs');
  addresses.forEach((address, i) => {
    if (!names.reserved.egressIP(String(address))) {
      issues.push(
        issue(
          'egressip-address',
          ['spec', 'egressIPs', i],
          `'${String(address)}' is not the EgressIP address reserved for the test: expected \${egressIP.address}`,
        ),
      );
    }
  });
  return issues;
}

function advertisementIssues(object: Obj, names: ScopeNames): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  const spec = objectAt(object, 'spec');
  const pools = listAt(spec, 'ipAddressPools');
  if (pools.length === 0) {
    issues.push(
      issue(
        'advertisement-pools',
        ['spec'],
        "expected spec.ipAddressPools listing the test's pools: without it every pool of the cluster is announced",
      ),
    );
  }
  pools.forEach((pool, i) => {
    if (!String(pool).includes(names.uid)) {
      issues.push(
        issue(
          'advertisement-pools',
          ['spec', 'ipAddressPools', i],
          `pool '${String(pool)}' is not the test's: its name must contain ${names.uid}`,
        ),
      );
    }
  });
  if (present(spec.ipAddressPoolSelectors)) {
    issues.push(
      issue(
        'advertisement-pools',
        ['spec', 'ipAddressPoolSelectors'],
        "pool selectors can select the cluster's other pools: name the test's pools in ipAddressPools",
      ),
    );
  }
  for (const [key, hostRoute] of [
    ['aggregationLength', 32],
    ['aggregationLengthV6', 128],
  ] as const) {
    if (spec[key] !== undefined && Number(spec[key]) !== hostRoute) {
      issues.push(
        issue(
          'advertisement-attributes',
          ['spec', key],
          `${key} ${String(spec[key])} announces more than the test's addresses: expected ${hostRoute} or none`,
        ),
      );
    }
  }
  // largeCommunities and peers (which sessions announce) are the user's routing policy as well.
  for (const key of ['communities', 'largeCommunities', 'localPref', 'peers']) {
    if (present(spec[key])) {
      issues.push(
        issue(
          'advertisement-attributes',
          ['spec', key],
          `${key} changes how the user's routers route: not set by a test`,
        ),
      );
    }
  }
  return issues;
}

function poolIssues(object: Obj, names: ScopeNames): ScopeIssue[] {
  const issues: ScopeIssue[] = [];
  const spec = objectAt(object, 'spec');
  const addresses = listAt(spec, 'addresses');
  if (addresses.length === 0) {
    issues.push(
      issue('pool-range', ['spec'], "expected spec.addresses: the test's reserved range (${pool.addresses})"),
    );
  }
  addresses.forEach((range, i) => {
    if (!names.reserved.poolRange(String(range))) {
      issues.push(
        issue(
          'pool-range',
          ['spec', 'addresses', i],
          `'${String(range)}' is not the range reserved for the test: expected \${pool.addresses} (or .N, \${pool.ipv4}, \${pool.ipv6})`,
        ),
      );
    }
  });
  if (spec.autoAssign !== false) {
    issues.push(
      issue(
        'pool-auto-assign',
        ['spec', 'autoAssign'],
        `expected autoAssign: false, found ${spec.autoAssign === undefined ? 'none (MetalLB assigns by default)' : String(spec.autoAssign)}`,
      ),
    );
  }
  return issues;
}

const BY_KIND: ReadonlyMap<string, (object: Obj, names: ScopeNames) => ScopeIssue[]> = new Map([
  ['Service', serviceIssues],
  ['k8s.ovn.org/EgressIP', egressIPIssues],
  ['metallb.io/BGPAdvertisement', advertisementIssues],
  ['metallb.io/IPAddressPool', poolIssues],
]);

/** Why an object of an allowed kind reaches beyond the test (`key`: its `group/Kind`). */
export function reachIssues(key: string, object: unknown, names: ScopeNames): ScopeIssue[] {
  const byKind = BY_KIND.get(key);
  return [
    ...hostAccess(object),
    ...podLoadIssues(object),
    ...(byKind && isObject(object) ? byKind(object, names) : []),
  ];
}
