/**
 * Reading the Kubernetes objects the checks look at. Field paths follow the upstream APIs:
 * Service `status.loadBalancer.ingress[].ip`, Pod `status.conditions[type=Ready]`,
 * EgressService `status.host`, and the node label OVN-Kubernetes sets on the chosen node.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ClusterApi, IpFamily, KubeObject, ObjectRef } from '../env/environment.js';

export const EGRESS_SERVICE_API = 'k8s.ovn.org/v1';

/** The label OVN-Kubernetes puts on the node chosen for an EgressService. */
export function egressLabelKey(namespace: string, service: string): string {
  return `egress-service.k8s.ovn.org/${namespace}-${service}`;
}

export function serviceRef(namespace: string, name: string): ObjectRef {
  return { apiVersion: 'v1', kind: 'Service', namespace, name };
}

export function egressServiceRef(namespace: string, name: string): ObjectRef {
  return { apiVersion: EGRESS_SERVICE_API, kind: 'EgressService', namespace, name };
}

export function refOf(object: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  return ref;
}

function field(object: unknown, ...path: string[]): unknown {
  let node = object;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Reflect.get(node, key);
  }
  return node;
}

export function familyOf(address: string): IpFamily | undefined {
  if (isIPv4(address)) return 'ipv4';
  if (isIPv6(address)) return 'ipv6';
  return undefined;
}

/** The Service's LoadBalancer ingress IP of one family, if it has one. */
export async function ingressIP(
  cluster: ClusterApi,
  namespace: string,
  service: string,
  family: IpFamily,
): Promise<string | undefined> {
  return (await ingressIPs(cluster, namespace, service, family))[0];
}

/** Every ingress IP of the family the Service's status lists, in its order. */
export async function ingressIPs(
  cluster: ClusterApi,
  namespace: string,
  service: string,
  family: IpFamily,
): Promise<string[]> {
  const object = await cluster.get(serviceRef(namespace, service));
  const ingress = field(object, 'status', 'loadBalancer', 'ingress');
  if (!Array.isArray(ingress)) return [];
  return ingress
    .map((entry) => field(entry, 'ip'))
    .filter((ip): ip is string => typeof ip === 'string' && familyOf(ip) === family);
}

export function podReady(pod: KubeObject): boolean {
  const conditions = field(pod, 'status', 'conditions');
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => field(c, 'type') === 'Ready' && field(c, 'status') === 'True') &&
    field(pod, 'metadata', 'deletionTimestamp') === undefined
  );
}

export function podNode(pod: KubeObject): string | undefined {
  const node = field(pod, 'spec', 'nodeName');
  return typeof node === 'string' ? node : undefined;
}

export function podIPs(pod: KubeObject): string[] {
  const ips = field(pod, 'status', 'podIPs');
  if (Array.isArray(ips))
    return ips.map((p) => field(p, 'ip')).filter((ip): ip is string => typeof ip === 'string');
  const ip = field(pod, 'status', 'podIP');
  return typeof ip === 'string' ? [ip] : [];
}

export function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export async function podsMatching(
  cluster: ClusterApi,
  namespace: string,
  labels: Record<string, string>,
): Promise<KubeObject[]> {
  return cluster.list('v1', 'Pod', namespace, selectorString(labels));
}

/** Ready pods that back a Service (its selector), in name order. */
export async function endpointPods(
  cluster: ClusterApi,
  namespace: string,
  service: string,
): Promise<KubeObject[]> {
  const object = await cluster.get(serviceRef(namespace, service));
  if (!object) throw new Error(`Service ${namespace}/${service} does not exist`);
  const selector = field(object, 'spec', 'selector') as Record<string, string> | undefined;
  if (!selector || Object.keys(selector).length === 0) throw new Error(`Service ${service} has no selector`);
  const pods = await podsMatching(cluster, namespace, selector);
  return pods.filter(podReady).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export interface Placement {
  /** `status.host` of the EgressService: undefined when the object or field is absent. */
  host: string | undefined;
  exists: boolean;
  /** Nodes carrying the egress-service label of the Service. */
  labelledNodes: string[];
}

export async function placementOf(cluster: ClusterApi, namespace: string, name: string): Promise<Placement> {
  const [object, nodes] = await Promise.all([
    cluster.get(egressServiceRef(namespace, name)),
    cluster.nodes(),
  ]);
  const key = egressLabelKey(namespace, name);
  const host = field(object, 'status', 'host');
  return {
    exists: object !== undefined,
    host: typeof host === 'string' ? host : undefined,
    labelledNodes: nodes.filter((n) => Object.hasOwn(n.labels, key)).map((n) => n.name),
  };
}

export function describePlacement(p: Placement): string {
  const host = !p.exists
    ? 'no EgressService'
    : p.host === undefined
      ? 'status.host unset'
      : `status.host '${p.host}'`;
  const labels =
    p.labelledNodes.length === 0 ? 'no node labelled' : `labelled: ${p.labelledNodes.join(', ')}`;
  return `${host}, ${labels}`;
}
