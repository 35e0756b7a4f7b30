/**
 * What the reference implementation needs of the machines it runs on, and nothing more: the
 * cluster's layout, shell on the nodes (its data plane is nftables and `ip rule`), pods as
 * network namespaces running the probe server, BGP announcements, and a node's failed state.
 * The reference declares this; whoever runs it (the lab's adapter, `../machines.ts`) provides it,
 * so the reference never reaches into the lab's infrastructure.
 */
import type { FamilyAddresses, IpFamily } from '../../environment.js';

export interface MachineNode {
  name: string;
  /** The node's address on the default network, per family. */
  addresses: FamilyAddresses;
  /** Its address on each additional network, by network name. */
  networkAddresses: Record<string, FamilyAddresses>;
  /** The labels its kubelet registers the Node with. */
  labels: Record<string, string>;
  /** Its pod subnet per family (with OVN: .1 its router port, .2 its management port). */
  podCidrs?: FamilyAddresses;
}

export interface MachineNetwork {
  name: string;
  subnets: Partial<Record<IpFamily, string>>;
  /** The routing table on the nodes that leads to this network (absent for the default one). */
  routingTable?: { id: number; name: string };
}

/** An external BGP peer, and the network it sits on. */
export interface MachinePeer {
  name: string;
  network: string;
}

export interface ClusterLayout {
  families: readonly IpFamily[];
  /** The cluster's pod CIDRs (in-cluster destinations are never rewritten). */
  clusterPodCidrs: FamilyAddresses;
  nodes: readonly MachineNode[];
  networks: readonly MachineNetwork[];
  peers: readonly MachinePeer[];
  /**
   * What carries pod traffic: the node kernels (`linux`, default), or OVN (`ovn`): then the
   * reference reroutes endpoints' traffic by OVN logical router policies, not by ip rules.
   */
  dataPlane?: 'linux' | 'ovn';
}

export interface Machines {
  readonly layout: ClusterLayout;
  /** Runs a shell script on a node; rejects when it fails. */
  runScript(node: string, script: string): Promise<unknown>;
  /** A pod's network namespace on a node, with one address per family. */
  createPod(node: string, pod: string): Promise<{ ips: FamilyAddresses }>;
  deletePod(node: string, pod: string): Promise<void>;
  listPods(node: string): Promise<ReadonlyArray<{ name: string }>>;
  /** The probe server (agnhost netexec's protocol) in a pod; `name` is what it answers to `hostname`. */
  startServer(node: string, pod: string, port: number, name: string): Promise<void>;
  /** The probe server on the node's own network (a host-networked pod), told apart by `owner`. */
  startHostServer(node: string, owner: string, port: number, name: string): Promise<void>;
  stopHostServer(node: string, owner: string, port: number): Promise<void>;
  stopHostServers(node: string): Promise<void>;
  /** A host prefix announced over BGP from the node to the named peers (MetalLB's speaker). */
  announce(node: string, prefix: string, peers: string[]): Promise<void>;
  withdraw(node: string, prefix: string, peers: string[]): Promise<void>;
  isNodeFailed(node: string): Promise<boolean>;
  restoreNode(node: string): Promise<void>;
  /** With the OVN data plane: runs `ovn-nbctl <argv>` against the northbound database. */
  ovnNbctl?(argv: readonly string[]): Promise<unknown>;
  /** The network namespace of a pod on its node (`ip netns exec <it>`), for rules inside the pod. */
  podNetns?(pod: string): string;
}

/** A node of the layout by name; throws for one the cluster does not have. */
export function layoutNode(layout: ClusterLayout, name: string): MachineNode {
  const node = layout.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`the cluster has no node ${name}`);
  return node;
}
