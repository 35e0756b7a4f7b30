/**
 * Typed views of the objects the reference implementation reads. Manifests are plain data; these
 * functions pick out the fields the controllers need, with Kubernetes' defaults.
 */
import { canonicalIp } from '../../../common/ip.js';
import type { IpFamily, KubeObject } from '../../environment.js';
import type { LabelSelector } from './selector.js';

function at<T>(object: unknown, ...path: string[]): T | undefined {
  let node = object;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node as T | undefined;
}

export interface ServicePort {
  name?: string;
  protocol: 'tcp' | 'udp';
  port: number;
  targetPort: number;
  /** spec.ports[].nodePort, when set (the lab's API server allocates none; the reference does). */
  nodePort?: number;
}

export interface ServiceView {
  namespace: string;
  name: string;
  type: string;
  selector: Record<string, string>;
  ports: ServicePort[];
  families: IpFamily[];
  pool: string | undefined;
  /** The addresses the Service requests (MetalLB's loadBalancerIPs annotation), if any. */
  requested?: string[] | undefined;
  externalTrafficPolicy: 'Cluster' | 'Local';
  ingress: string[];
}

/**
 * The requested-address annotations MetalLB v0.14.9 reads, the current one first: comma-separated
 * addresses (controller/service.go at v0.14.9: AnnotationLoadBalancerIPs = "metallb.io/" +
 * "loadBalancerIPs", read by getDesiredLbIPs; a change of it clears the assignment in
 * convergeBalancer and allocates the requested addresses).
 */
export const REQUESTED_IPS_ANNOTATIONS = [
  'metallb.io/loadBalancerIPs',
  'metallb.universe.tf/loadBalancerIPs',
];

/** The pool annotations MetalLB reads: the current one, then the older one OpenShift's docs use. */
export const POOL_ANNOTATIONS = ['metallb.io/address-pool', 'metallb.universe.tf/address-pool'];

export function serviceView(object: KubeObject, defaultFamily: IpFamily): ServiceView {
  const families = (at<string[]>(object, 'spec', 'ipFamilies') ?? []).map((f) =>
    f === 'IPv6' ? 'ipv6' : 'ipv4',
  ) as IpFamily[];
  const annotations = object.metadata.annotations ?? {};
  const ingress = (at<Array<{ ip?: string }>>(object, 'status', 'loadBalancer', 'ingress') ?? [])
    .map((i) => i.ip)
    .filter((ip): ip is string => typeof ip === 'string');
  return {
    namespace: object.metadata.namespace ?? 'default',
    name: object.metadata.name,
    type: at<string>(object, 'spec', 'type') ?? 'ClusterIP',
    selector: at<Record<string, string>>(object, 'spec', 'selector') ?? {},
    ports: (at<Array<Record<string, unknown>>>(object, 'spec', 'ports') ?? []).map((p) => {
      const port = Number(p.port);
      const target = typeof p.targetPort === 'number' ? p.targetPort : port;
      const view: ServicePort = { protocol: p.protocol === 'UDP' ? 'udp' : 'tcp', port, targetPort: target };
      if (typeof p.name === 'string') view.name = p.name;
      if (typeof p.nodePort === 'number') view.nodePort = p.nodePort;
      return view;
    }),
    families: families.length > 0 ? families : [defaultFamily],
    pool: POOL_ANNOTATIONS.map((a) => annotations[a]).find((v) => v !== undefined),
    requested: requestedIPs(
      REQUESTED_IPS_ANNOTATIONS.map((a) => annotations[a]).find((v) => v !== undefined),
    ),
    externalTrafficPolicy:
      at<string>(object, 'spec', 'externalTrafficPolicy') === 'Local' ? 'Local' : 'Cluster',
    ingress,
  };
}

export interface EgressServiceView {
  namespace: string;
  name: string;
  sourceIPBy: 'LoadBalancerIP' | 'Network';
  nodeSelector: LabelSelector | undefined;
  network: string | undefined;
}

export function egressServiceView(object: KubeObject): EgressServiceView {
  return {
    namespace: object.metadata.namespace ?? 'default',
    name: object.metadata.name,
    sourceIPBy: at<string>(object, 'spec', 'sourceIPBy') === 'Network' ? 'Network' : 'LoadBalancerIP',
    nodeSelector: at<LabelSelector>(object, 'spec', 'nodeSelector'),
    network: at<string>(object, 'spec', 'network'),
  };
}

/** What the lab runs for a pod: agnhost netexec's ports, read from the container's args. */
export interface PodServer {
  httpPort: number | undefined;
  udpPort: number | undefined;
}

export function podServer(object: KubeObject): PodServer {
  const containers = at<Array<{ args?: string[]; command?: string[] }>>(object, 'spec', 'containers') ?? [];
  const args = containers.flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]);
  const flag = (name: string) => {
    const arg = args.find((a) => a.startsWith(`--${name}=`));
    return arg ? Number(arg.split('=')[1]) : undefined;
  };
  return { httpPort: flag('http-port'), udpPort: flag('udp-port') };
}

export interface PodView {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nodeName: string | undefined;
  hostNetwork: boolean;
  ips: string[];
  ready: boolean;
  deleting: boolean;
}

export function podView(object: KubeObject): PodView {
  const conditions = at<Array<{ type: string; status: string }>>(object, 'status', 'conditions') ?? [];
  return {
    namespace: object.metadata.namespace ?? 'default',
    name: object.metadata.name,
    labels: object.metadata.labels ?? {},
    nodeName: at<string>(object, 'spec', 'nodeName'),
    hostNetwork: at<boolean>(object, 'spec', 'hostNetwork') === true,
    ips: (at<Array<{ ip: string }>>(object, 'status', 'podIPs') ?? []).map((p) => p.ip),
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    deleting: object.metadata.deletionTimestamp !== undefined,
  };
}

export function selectorOf(object: KubeObject, ...path: string[]): LabelSelector | undefined {
  return at<LabelSelector>(object, ...path);
}

export function field<T>(object: unknown, ...path: string[]): T | undefined {
  return at<T>(object, ...path);
}

function requestedIPs(annotation: string | undefined): string[] | undefined {
  if (annotation === undefined || annotation.trim() === '') return undefined;
  return annotation.split(',').map((ip) => canonicalIp(ip.trim()));
}
