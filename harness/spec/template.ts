/**
 * Spec templating: `${name}` in any string of a manifest or step is replaced with a value the
 * environment provides for this scenario x family. The variable set is closed so that a typo in
 * a spec is a validation error, not a manifest with a literal `${...}` in it.
 */

const VARIABLE = /\$\{([A-Za-z0-9_.-]+)\}/g;
const WHOLE_VARIABLE = /^\$\{([A-Za-z0-9_.-]+)\}$/;
const NETWORK_TABLE = /^networks\.([A-Za-z0-9_-]+)\.table$/;
/** `${pool.addresses.N}`, `${pool.ipv4.N}`, `${pool.ipv6.N}` (ranges) and `${pool.address.N}` (an address). */
const POOL_ADDRESS = /^pool\.(addresses|address|ipv4|ipv6)\.(\d{1,2})$/;

/** How many LoadBalancer addresses of each family one test may reserve (`${pool.addresses.N}`, N below it). */
export const MAX_TEST_ADDRESSES = 8;
const EXTRA_NAMESPACE = /^namespaces\.([a-z0-9-]+)$/;

/** Names a spec may use, with what they stand for (listed in docs/specs.md). */
export const TEMPLATE_VARIABLES: Record<string, string> = {
  namespace: 'the test namespace (unique per scenario x family x run)',
  uid: 'a short id unique to this scenario x family x run, for names outside the namespace',
  family: 'ipv4 or ipv6',
  ipFamily: 'IPv4 or IPv6 (Kubernetes spelling)',
  'pool.addresses': 'the LoadBalancer address range reserved for this test, for the family under test',
  'pool.ipv4': 'the IPv4 LoadBalancer range reserved for this test',
  'pool.ipv6': 'the IPv6 LoadBalancer range reserved for this test',
  'pool.addresses.N':
    "the test's N-th LoadBalancer range (from 0; `${pool.addresses}` is `${pool.addresses.0}`): a test reserves one range for each N its spec names, so that several Services get addresses of their own",
  'pool.address.N':
    'the address of `${pool.addresses.N}` (no prefix length), e.g. for `metallb.io/loadBalancerIPs`',
  'pool.ipv4.N': 'the IPv4 range of `${pool.addresses.N}`, for dual-stack pools',
  'pool.ipv6.N': 'the IPv6 range of `${pool.addresses.N}`, for dual-stack pools',
  'egressIP.address':
    "a free address on the nodes' network reserved for this test's EgressIP, for the family under test",
  'egressIP.ipv4': 'the IPv4 EgressIP address reserved for this test',
  'egressIP.ipv6': 'the IPv6 EgressIP address reserved for this test',
  'metallb.namespace': "MetalLB's namespace",
  'peer.address': "the default peer's probe address for the family",
  'probe.port': "the peers' probe port",
  'images.agnhost': 'an image with agnhost netexec (the probe server)',
  'nodes.count': 'how many nodes the environment has',
  'nodes.N': 'the name of the Nth node (0 = control-plane)',
  'namespaces.NAME':
    'a further test namespace the spec declares in requires.namespaces (created and removed by the run)',
  'networks.NAME.table':
    'the routing table on the nodes that leads to network NAME (a name from requires.networks), for spec.network',
};

export type TemplateValues = Record<string, string | number>;

export function isKnownVariable(variable: string): boolean {
  return (
    Object.hasOwn(TEMPLATE_VARIABLES, variable) ||
    /^nodes\.\d+$/.test(variable) ||
    NETWORK_TABLE.test(variable) ||
    poolAddressIndex(variable) !== undefined ||
    EXTRA_NAMESPACE.test(variable)
  );
}

/** The declared namespace a `${namespaces.NAME}` variable names, or undefined for any other variable. */
export function extraNamespaceOfVariable(variable: string): string | undefined {
  return EXTRA_NAMESPACE.exec(variable)?.[1];
}

/** N of a `${pool.addresses.N}`-style variable (below MAX_TEST_ADDRESSES), or undefined for any other. */
export function poolAddressIndex(variable: string): number | undefined {
  const match = POOL_ADDRESS.exec(variable);
  const index = match ? Number(match[2]) : undefined;
  return index !== undefined && index < MAX_TEST_ADDRESSES ? index : undefined;
}

/**
 * How many LoadBalancer addresses (of each family) a test of this spec reserves: one more than the
 * highest N its manifests and steps name in `${pool.addresses.N}` and its kin; at least one.
 */
export function addressesReserved(data: unknown): number {
  let count = 1;
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      for (const variable of variablesIn(node)) {
        const index = poolAddressIndex(variable);
        if (index !== undefined) count = Math.max(count, index + 1);
      }
    } else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        walk(key);
        walk(value);
      }
    }
  };
  walk(data);
  return count;
}

/**
 * Whether a test of this spec needs an EgressIP address of its own: a variable, a condition or an
 * expectation names one (`${egressIP.address}` and kin, `egressIPAssigned`, `source: egressIP`).
 * Only such tests take one from the environment's EgressIP range, which is small (a /26 on kind).
 */
export function usesEgressIP(data: unknown): boolean {
  if (typeof data === 'string') return data.includes('egressIP');
  if (Array.isArray(data)) return data.some(usesEgressIP);
  if (data !== null && typeof data === 'object')
    return Object.entries(data).some(([key, value]) => usesEgressIP(key) || usesEgressIP(value));
  return false;
}

/** The network a `${networks.NAME.table}` variable names, or undefined for any other variable. */
export function networkOfVariable(variable: string): string | undefined {
  return NETWORK_TABLE.exec(variable)?.[1];
}

/** The template name of a network's routing table. */
export function networkTableVariable(network: string): string {
  return `networks.${network}.table`;
}

/** The variable names a string refers to. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1] as string);
}

export class TemplateError extends Error {}

function renderString(text: string, values: TemplateValues): string | number {
  // A string that is exactly one variable keeps the value's type (ports stay numbers).
  const whole = WHOLE_VARIABLE.exec(text);
  if (whole) {
    const value = values[whole[1] as string];
    if (value === undefined) throw new TemplateError(`no value for \${${whole[1]}}`);
    return value;
  }
  return text.replace(VARIABLE, (_match, variable: string) => {
    const value = values[variable];
    if (value === undefined) throw new TemplateError(`no value for \${${variable}}`);
    return String(value);
  });
}

/** A deep copy of `data` with every template variable replaced. */
export function render<T>(data: T, values: TemplateValues): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return renderString(node, values);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [renderString(k, values), walk(v)]));
    }
    return node;
  };
  return walk(data) as T;
}
