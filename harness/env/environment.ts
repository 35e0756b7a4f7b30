/**
 * The one interface every provider (kind, existing, lab) implements. Scenarios and the runner
 * only ever see this: they never learn which provider is behind it.
 */
import type { ProviderName } from './provider-names.js';

export type IpFamily = 'ipv4' | 'ipv6';
export const IP_FAMILIES: readonly IpFamily[] = ['ipv4', 'ipv6'];

export type { ProviderName };

/** Addresses of one thing, per IP family it has. */
export type FamilyAddresses = Partial<Record<IpFamily, string>>;

/**
 * Label on every test namespace and every object a test applies, valued with the run's id, so
 * that `down` finds what a crashed run left outside its namespaces too (MetalLB pools, EgressIPs).
 */
export const RUN_LABEL = 'egress-conformance.io/run';

export interface NodeInfo {
  name: string;
  /** The node's address on the cluster (default) network, per family. */
  addresses: FamilyAddresses;
  /** The node's address on each additional network, keyed by network name. */
  networkAddresses: Record<string, FamilyAddresses>;
  labels: Record<string, string>;
  ready: boolean;
}

export interface NetworkInfo {
  /** `default` is the cluster's own network; others are reached through routing tables. */
  name: string;
  /** Routing-table id or name on the nodes that points at this network (`spec.network`). */
  routingTable?: string;
  subnets: FamilyAddresses;
}

export interface PeerInfo {
  name: string;
  /** Network the peer sits on (`default` or an additional network's name). */
  network: string;
  /** Address the peer's probe server listens on, per family ("outside" the cluster). */
  addresses: FamilyAddresses;
  asn: number;
  probePort: number;
  /**
   * Further ports the peer's probe server answers on. A probe that names no port takes any one
   * of `probePort` and these that no other test is capturing on, so that tests side by side
   * probe the peer at once, each capture holding only its own flow. Absent: `probePort` only.
   */
  probePorts?: number[];
}

export type FeatureSource = 'inferred' | 'declared' | 'provider';

export interface FeatureSupport {
  name: string;
  supported: boolean;
  source: FeatureSource;
  /** Why it is unsupported, or how it was inferred. */
  reason?: string;
}

export interface ImplementationInfo {
  /** e.g. "OVN-Kubernetes" or "egress-conformance reference lab". */
  name: string;
  version: string;
  /** True for the embedded reference lab: its results are never a certification. */
  reference: boolean;
  url?: string;
}

export interface EnvironmentDescription {
  provider: ProviderName;
  /** Identifier of this environment instance (labels on everything it created). */
  id: string;
  implementation: ImplementationInfo;
  families: IpFamily[];
  nodes: NodeInfo[];
  networks: NetworkInfo[];
  peers: PeerInfo[];
  features: FeatureSupport[];
  /** LoadBalancer address ranges the scenarios may hand to MetalLB pools, per family. */
  loadBalancerRanges: FamilyAddresses;
  /**
   * Free addresses on the nodes' own network that scenarios may give EgressIP objects, per
   * family (an EgressIP must be an address the nodes' network carries). Absent: no EgressIP
   * scenarios (feature EgressIPPriority is not supported).
   */
  egressIPRanges?: FamilyAddresses;
  /** Where MetalLB's objects live (IPAddressPool, BGPAdvertisement, BGPPeer). */
  metallbNamespace: string;
  /** Images the scenario manifests may name, e.g. `agnhost`. */
  images: Record<string, string>;
  /** Versions and settings that identify the environment in reports (never secrets). */
  fingerprint: Record<string, string>;
  /**
   * The environment's own timeout defaults (milliseconds by timeout name), e.g. a shorter
   * negative-check window where changes settle fast. Scenarios and --timeout still override.
   */
  timeoutDefaults?: Record<string, number>;
  /** How many tests the environment runs side by side unless `--parallel` says otherwise. */
  parallelism?: number;
  /**
   * How often a `wait` re-reads a condition (default 500 ms). Where a read is cheap and the
   * implementation settles within a pass of its controller, a shorter interval finds the state
   * sooner; the consecutive-success count of each wait stays as the spec says.
   */
  pollIntervalMs?: number;
  /**
   * Where the environment can capture probe traffic; default all three. A cluster the harness
   * reaches only through its API and an external peer can capture at the peer alone.
   */
  probeTargets?: Array<'peer' | 'pod' | 'node'>;
  /**
   * Why the environment does not restart the EgressService controllers (a `stopController`
   * step); absent: it does. A user's own cluster is not disrupted unless the user says so.
   */
  noControllerRestart?: string;
}

/** A Kubernetes object as plain data: what a manifest says. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** How a delete is guarded: with `uid`, only that very object is deleted (a precondition). */
export interface DeleteOptions {
  uid?: string;
}

/** The Kubernetes API as the scenarios need it. */
export interface ClusterApi {
  createNamespace(name: string, labels: Record<string, string>): Promise<void>;
  /** Deletes the namespace and waits until it is gone (or the timeout passes). */
  deleteNamespace(name: string, timeoutMs: number, options?: DeleteOptions): Promise<void>;
  /** Server-side create-or-update. */
  apply(object: KubeObject): Promise<void>;
  /** JSON merge patch. */
  patch(ref: ObjectRef, patch: Record<string, unknown>): Promise<void>;
  /**
   * Delete; a missing object is not an error, nor is one whose uid is not `options.uid` (someone
   * else's object of that name: left alone).
   */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<void>;
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]>;
  /** Sets (value is a string) or removes (value is null) a node label. */
  labelNode(node: string, key: string, value: string | null): Promise<void>;
  nodes(): Promise<NodeInfo[]>;
}

/** Protocols with ports: what background traffic and ingress checks use. */
export type TransportProtocol = 'tcp' | 'udp';

/** What a probe sends: TCP connections, UDP datagrams, or ICMP (ICMPv6 for IPv6) echo requests. */
export type ProbeProtocol = TransportProtocol | 'icmp';

/** Where probe traffic goes: an external peer, a pod, or a node. */
export type ProbeTarget =
  | { kind: 'peer'; peer: string }
  | { kind: 'pod'; namespace: string; pod: string }
  /** `address`: one of the node's other addresses (e.g. on another network), not its InternalIP. */
  | { kind: 'node'; node: string; address?: string };

export interface ProbeSource {
  namespace: string;
  pod: string;
}

/** A probe's flow as the diagnostics of a failed test trace it (source pods to the target). */
export interface ProbeFlow {
  sources: ProbeSource[];
  /** The target address the traffic was sent to. */
  address: string;
  port: number;
  protocol: ProbeProtocol;
}

export interface ProbeRequest {
  /** Unique per run; names the capture file. */
  id: string;
  family: IpFamily;
  sources: ProbeSource[];
  target: ProbeTarget;
  protocol: ProbeProtocol;
  /** The target's port; not used by an `icmp` probe (echo requests have none). */
  port: number;
  /** Connections (TCP), datagrams (UDP) or echo requests (ICMP) each source sends. */
  attempts: number;
  /** Directory the capture file is written to. */
  artifactDir: string;
  timeoutMs: number;
  /**
   * Other peers that capture the same flow (target address, port, protocol) while the probe
   * runs: where the flow must not arrive, e.g. another network's client sharing the target's
   * address (ES-NET-4). Each capture comes back in `ProbeEvidence.watched`.
   */
  watchPeers?: string[];
  /**
   * Background traffic: each source sends one attempt every `intervalMs` until `signal` aborts,
   * at most `attempts` times (the bound); the capture runs until then.
   */
  continuous?: {
    intervalMs: number;
    signal: AbortSignal;
    /** Called once the capture is listening, before the first attempt. */
    onCapturing?: () => void;
  };
}

export interface ProbeAttempt {
  source: ProbeSource;
  node: string;
  podIP: string;
  ok: boolean;
  /** The client address the server saw, as echoed back (a second witness, not the evidence). */
  echoedClient?: string;
  error?: string;
  /** When the attempt began (ms since the epoch) and how long it took, where the client tells. */
  startedAtMs?: number;
  durationMs?: number;
}

export interface ProbeEvidence {
  request: ProbeRequest;
  /** The target address the traffic was sent to. */
  targetAddress: string;
  /** Path of the capture (pcap or pcapng) taken at the target. */
  capturePath: string;
  /** The captures of `request.watchPeers`, taken over the same time as the target's. */
  watched?: Array<{ peer: string; capturePath: string }>;
  attempts: ProbeAttempt[];
  startedAt: string;
  finishedAt: string;
}

/** An ingress check: the peer connects to an address/port and records who answered. */
export interface IngressRequest {
  peer: string;
  /**
   * The client's own address: the peer's address for the family. For a peer "outside" a
   * network (its address is reachable from the nodes only through that network's routing
   * table), a reply that ignores the table never arrives: that is what ES-NET-3 observes.
   */
  source?: string;
  address: string;
  port: number;
  protocol: TransportProtocol;
  attempts: number;
  timeoutMs: number;
}

export interface IngressResult {
  /** Attempts made: the first failed one ends the check (the condition needs every one to answer). */
  attempts: number;
  succeeded: number;
  /** Backend names (pod hostnames) that answered, with counts. */
  answeredBy: Record<string, number>;
  errors: string[];
}

export interface BgpRoute {
  prefix: string;
  nextHops: string[];
}

export interface Environment {
  describe(): Promise<EnvironmentDescription>;
  readonly cluster: ClusterApi;
  /**
   * Where a run keeps its ledger of the objects it creates (run/ledger.ts), so that `down` can
   * remove what a killed run left; absent where the environment is removed whole (the lab).
   */
  readonly stateDir?: string;
  probe(request: ProbeRequest): Promise<ProbeEvidence>;
  ingress(request: IngressRequest): Promise<IngressResult>;
  /** Routes the named peer has learnt over BGP, for one family. */
  bgpRoutes(peer: string, family: IpFamily): Promise<BgpRoute[]>;
  /** Makes a node not ready (and unreachable for egress); `restoreNode` undoes it. */
  failNode(node: string): Promise<void>;
  restoreNode(node: string): Promise<void>;
  /**
   * Stops the EgressService controller (the `stopController` step); resolves once it is down,
   * with what was stopped. `startController` starts it again, with no memory of before: it
   * rebuilds its view from the cluster's objects and repairs what it finds, as on a restart.
   */
  stopController(): Promise<string>;
  startController(): Promise<string>;
  /**
   * Writes a diagnostics bundle for a failed test into dir; `failedFlows` are the flows of its
   * failed probes (the first is traced where the environment can: ovn-trace on kind/existing).
   */
  collectDiagnostics(namespace: string, dir: string, failedFlows?: ProbeFlow[]): Promise<void>;
  /** Tears down what this run created, unless the environment is kept for reuse. */
  close(options: { keep: boolean }): Promise<void>;
}
