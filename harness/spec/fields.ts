/**
 * Field schemas that several step and condition kinds share: names, named timeouts, node
 * references, where traffic comes from and goes to, and the source an expectation names.
 */
import { z } from 'zod';
import { TIMEOUT_NAMES, type TimeoutName } from './timeouts.js';

export const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a lowercase name of letters, digits and dashes');

export const timeoutName = z.enum(TIMEOUT_NAMES as [TimeoutName, ...TimeoutName[]], {
  error: () => `expected a timeout name: ${TIMEOUT_NAMES.join(', ')}`,
});

export const labels = z.record(z.string(), z.string());

export const port = z.number().int().min(1).max(65535);

/** Protocols with ports: connections and datagrams (background traffic, ingress checks). */
export const protocol = z.enum(['tcp', 'udp']);

/** What a probe sends: TCP connections, UDP datagrams, or ICMP/ICMPv6 echo requests (no port). */
export const probeProtocol = z.enum(['tcp', 'udp', 'icmp']);

/**
 * A further test namespace, by the name `requires.namespaces` declares (`other` for
 * `${namespaces.other}`); left out, the test's own namespace.
 */
export const namespaceRef = name.describe('a namespace the spec declares in requires.namespaces');

/** A node, named by its role in the scenario rather than by its (environment-specific) name. */
export const nodeRefSchema = z.union([
  z.strictObject({ egressNodeOf: name }).describe('the node chosen for an EgressService'),
  z.strictObject({ notEgressNodeOf: name }).describe('a node not chosen for an EgressService'),
  z.strictObject({ index: z.number().int().min(0) }).describe('the Nth node (0 = control-plane)'),
]);
export type NodeRef = z.output<typeof nodeRefSchema>;

/**
 * Who sends probe traffic: the Service's ready endpoints, the ready pods with these labels, or one
 * pod. `except: SET` keeps only the pods that are not in a set an earlier `recordPods` or
 * `deletePods` step recorded (the pods that arrived since), each of which must have an address no
 * pod of the set had.
 */
export const trafficFromSchema = z.union([
  z.strictObject({ endpointsOf: name, namespace: namespaceRef.optional(), except: name.optional() }),
  z.strictObject({ pods: labels, namespace: namespaceRef.optional(), except: name.optional() }),
  z.strictObject({ pod: name }),
]);
export type TrafficFrom = z.output<typeof trafficFromSchema>;

/** The pods a step names without a single pod: endpoints of a Service, or pods by labels. */
export const podGroupSchema = z.union([
  z.strictObject({ endpointsOf: name, namespace: namespaceRef.optional() }),
  z.strictObject({ pods: labels, namespace: namespaceRef.optional() }),
]);
export type PodGroup = z.output<typeof podGroupSchema>;

/** Where probe traffic goes: an external peer, a pod of the test namespace, or a node. */
export const trafficToSchema = z.union([
  z.strictObject({ peer: z.string().min(1) }),
  z.strictObject({ pod: name }),
  /** `network`: the node's address on that network (a secondary address), not its InternalIP. */
  z.strictObject({ node: nodeRefSchema, network: z.string().min(1).optional() }),
]);
export type TrafficTo = z.output<typeof trafficToSchema>;

/** Where a step captures: the kind of its target. */
export type CaptureSite = 'peer' | 'pod' | 'node';

/** The network a target names (`{node, network}`), with its place under `to`. */
export function networkOfTarget(to: TrafficTo): Array<{ name: string; at: string[] }> {
  return 'node' in to && to.network !== undefined ? [{ name: to.network, at: ['to', 'network'] }] : [];
}

export function captureSiteOf(to: TrafficTo): CaptureSite {
  if ('peer' in to) return 'peer';
  if ('pod' in to) return 'pod';
  return 'node';
}

export const sourceKind = z.enum(['loadBalancerIP', 'nodeIP', 'podIP', 'networkIP', 'egressIP']);
export type SourceKind = z.output<typeof sourceKind>;

/** What each source kind means (the probe rows of docs/specs.md say this). */
export const SOURCE_KIND_MEANINGS: Record<SourceKind, string> = {
  loadBalancerIP: 'the LoadBalancer IP of `service`',
  nodeIP: 'the address of the node the sending pod runs on',
  podIP: "the sending pod's own address",
  networkIP: "the address on `network` of the sending pod's node",
  egressIP: "this test's EgressIP address",
};

/** What `loadBalancerIP` and `networkIP` need to say which address they mean. */
export interface SourceQualifiers {
  service?: string | undefined;
  /** The namespace (declared in requires.namespaces) of `service`; the test's own if left out. */
  namespace?: string | undefined;
  network?: string | undefined;
}

/**
 * Adds an issue for each named source kind that lacks its qualifier: `loadBalancerIP` needs the
 * Service, `networkIP` the network.
 */
export function checkQualifiers(
  kinds: Array<SourceKind | undefined>,
  qualifiers: SourceQualifiers,
  ctx: z.RefinementCtx,
): void {
  if (kinds.includes('loadBalancerIP') && !qualifiers.service) {
    ctx.addIssue({
      code: 'custom',
      message: 'loadBalancerIP needs `service`: the Service whose ingress IP is meant',
    });
  }
  if (kinds.includes('networkIP') && !qualifiers.network) {
    ctx.addIssue({
      code: 'custom',
      message: 'networkIP needs `network`: the network whose node address is meant',
    });
  }
}
