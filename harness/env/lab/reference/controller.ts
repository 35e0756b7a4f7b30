/**
 * The reference implementation's controller: one reconcile loop that plays the parts of the
 * Kubernetes scheduler and kubelet (pods on nodes), MetalLB (ingress IPs, BGP announcements) and
 * OVN-Kubernetes (EgressService placement, label, SNAT and steering), programming the machines
 * (machines.ts) for real. It behaves as one Behaviour record says (behaviour.ts): conformant, or
 * with a known fault's deviations. It runs whenever an object, a label or a node's readiness
 * changes, until a pass changes nothing.
 */
import { createHash } from 'node:crypto';
import type { FamilyAddresses, IpFamily, KubeObject } from '../../environment.js';
import { type Behaviour, CONFORMANT } from './behaviour.js';
import {
  type DataplaneState,
  type EgressPlacement,
  EMPTY_DATAPLANE,
  type IngressRule,
  renderNodeDataplane,
} from './dataplane.js';
import { type Placement, type PlacementEndpoints, placeEgressServices } from './egress-placement.js';
import { egressPlacementOf } from './egress-rules.js';
import { layoutNode, type Machines } from './machines.js';
import { advertisementOf, allocateIngress, announcingNodes, poolContaining, poolOf } from './metallb.js';
import {
  type EgressServiceView,
  egressServiceView,
  field,
  podServer,
  podView,
  type ServiceView,
  serviceView,
} from './model.js';
import { egressNetwork, resolveNetwork } from './networks.js';
import { OvnEgressProgrammer, withRetainedSnat } from './ovn-egress.js';
import { EGRESS_LABEL_PREFIX, labelsWanted, publishedHost } from './publication.js';
import { selectorMatches } from './selector.js';
import type { ObjectStore } from './store.js';

export interface RunningPod {
  node: string;
  labName: string;
  hostNetwork: boolean;
  ips: FamilyAddresses;
  ports: number[];
}

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Lab pod names are unique across namespaces and short enough for the lab's limits. */
function labPodName(namespace: string, name: string): string {
  const plain = `${namespace}.${name}`;
  if (plain.length <= 90) return plain;
  return `${plain.slice(0, 70)}.${createHash('sha256').update(plain).digest('hex').slice(0, 12)}`;
}

function podRef(pod: KubeObject) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
  };
}

function familyOf(address: string): IpFamily {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

export type ControllerLog = (line: string) => void;

export class ReferenceController {
  private readonly running = new Map<string, RunningPod>();
  /**
   * Pods being started, by key: as a kubelet does, the controller starts a pod's network
   * namespace and server without holding up its pass (which serves every test), and the pod
   * turns Ready when they are up.
   */
  private readonly starting = new Map<string, Promise<void>>();
  /** The store generation the last finished pass reconciled, and who waits for the next pass. */
  private reconciledGeneration = -1;
  private passWaiters: Array<() => void> = [];
  private readonly appliedScripts = new Map<string, string>();
  /** The data plane state each node was last put into, so that changes apply as differences. */
  private readonly appliedStates = new Map<string, DataplaneState>();
  private readonly announced = new Map<string, Set<string>>();
  private readonly placements = new Map<string, string>();
  private readonly notReady = new Set<string>();
  private loop: Promise<void> = Promise.resolve();
  private dirty = false;
  private stopped = false;
  private lastError: Error | undefined;
  private podCounter = 0;
  private readonly logLines: string[] = [];

  /** When each current placement was published, for a delayed data plane (`egressRulesDelayMs`). */
  private readonly placedAt = new Map<string, number>();
  /** The EgressServices' specs as last reconciled, by `namespace/name`. */
  private readonly egressSpecs = new Map<string, EgressServiceView>();
  /** Services placed on every node (sourceIPBy Network). */
  private readonly placedEverywhere = new Set<string>();
  /** Labels left on the nodes a service failed over from (`keepLabelOnFailedNode`). */
  private readonly staleLabels = new Map<string, Set<string>>();
  /**
   * The pods each placed service's egress rules are for, by pod key, when they are not simply its
   * endpoints now: those it selected when placed (`endpointsReadOnce`), or every endpoint since
   * (`keepFormerEndpoints`).
   */
  private readonly podsAtPlacement = new Map<string, Set<string>>();
  /** Placed services whose egress rules a neighbour's deletion flushed (`flushNamespaceOnDelete`). */
  private readonly flushed = new Set<string>();
  /** The ingress IPs each service had when placed (`loadBalancerIPReadOnce`). */
  private readonly ingressAtPlacement = new Map<string, string[]>();
  /** `node|label` of the egress-service labels this controller wanted at some pass (`strayLabels`). */
  private readonly labelsWanted = new Set<string>();
  /** With the OVN data plane: the reroute and no-reroute policies (inactive otherwise). */
  private readonly ovn: OvnEgressProgrammer;

  constructor(
    private readonly machines: Machines,
    private readonly store: ObjectStore,
    private readonly sink: ControllerLog = () => {},
    /** How it behaves: conformant, or with a known fault's deviations (faults.ts). */
    private readonly behaviour: Behaviour = CONFORMANT,
  ) {
    this.ovn = new OvnEgressProgrammer(machines, behaviour.ovn);
  }

  private get layout() {
    return this.machines.layout;
  }

  private log(line: string): void {
    this.logLines.push(`${new Date().toISOString()} ${line}`);
    if (this.logLines.length > 500) this.logLines.shift();
    this.sink(line);
  }

  /** The controller's recent actions, for diagnostics. */
  recentLog(): string[] {
    return [...this.logLines];
  }

  /** Where a pod runs in the lab, once the controller has started it. */
  runningPod(namespace: string, name: string): Readonly<RunningPod> | undefined {
    return this.running.get(podKey(namespace, name));
  }

  /** Seeds the Node objects and starts reacting to changes (again, after a reset). */
  start(): void {
    this.stopped = false;
    for (const node of this.layout.nodes) this.registerNode(node.name, true);
    this.store.onChange(() => this.trigger());
    this.trigger();
  }

  stop(): void {
    this.stopped = true;
    for (const waiter of this.passWaiters.splice(0)) waiter();
  }

  /**
   * The Node object of a lab node, as its kubelet registers it: created when missing (after a
   * removal), or reset to the node's own labels when `reset` is set (a fresh start).
   */
  registerNode(name: string, reset = false): void {
    const node = layoutNode(this.layout, name);
    if (!reset && this.store.get({ apiVersion: 'v1', kind: 'Node', name })) return;
    this.store.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { ...node.labels } } });
  }

  isReady(node: string): boolean {
    return !this.notReady.has(node);
  }

  setNodeReady(node: string, ready: boolean): void {
    if (ready) this.notReady.delete(node);
    else this.notReady.add(node);
    this.trigger();
  }

  /**
   * A failed node's speaker as after a power cycle: nothing announced. Called while the node is
   * still cut off, so that its BGP sessions come back with no stale announcement to withdraw.
   * Withdrawing right after they come back is not reliable with the lab's FRR 8.4: seen here, the
   * node's table no longer had the prefix while `show bgp summary` still counted it as sent, and
   * the peer kept its route via the node (withdrawals lost while a new session's update-group
   * coalesce timer runs: FRRouting/frr#16830, #17667).
   */
  async forgetAnnouncements(node: string): Promise<void> {
    if (!this.notReady.has(node)) throw new Error(`node ${node} is not failed: its announcements are live`);
    // In the reconcile loop's turn: a pass that began before the failure may still be writing
    // this node's announcements, and would put back what is forgotten here.
    const forget = this.loop.then(async () => {
      const current = this.announced.get(node) ?? new Set<string>();
      for (const entry of [...current]) {
        const [prefix = '', peers = ''] = entry.split('|');
        this.log(`${node} forgets ${prefix} to ${peers} (restarted speaker)`);
        await this.machines.withdraw(node, prefix, peers.split(','));
        current.delete(entry);
      }
      this.announced.delete(node);
    });
    this.loop = forget.catch(() => undefined);
    await forget;
  }

  /** Resolves once the controller has nothing left to do; rejects with the last reconcile error. */
  async settled(): Promise<void> {
    for (;;) {
      const current = this.loop;
      await current;
      await Promise.all(this.starting.values());
      if (current === this.loop && !this.dirty && this.starting.size === 0) break;
    }
    if (this.lastError) {
      const error = this.lastError;
      this.lastError = undefined;
      throw error;
    }
  }

  /**
   * Resolves once a pass has reconciled the store as it is now and no pod of `namespace` runs or
   * starts any more: what deleting the namespace waits for, without waiting for the rest of the
   * cluster (other tests) to go quiet.
   */
  async namespaceSettled(namespace: string): Promise<void> {
    const generation = this.store.generation;
    const inNamespace = (key: string) => key.startsWith(`${namespace}/`);
    for (;;) {
      const podsLeft = [...this.running.keys(), ...this.starting.keys()].some(inNamespace);
      if (this.stopped || (this.reconciledGeneration >= generation && !podsLeft)) return;
      await new Promise<void>((resolve) => this.passWaiters.push(resolve));
    }
  }

  private trigger(): void {
    if (this.stopped) return;
    if (this.dirty) return;
    this.dirty = true;
    this.loop = this.loop.then(async () => {
      // Let a burst of changes (one `apply` of several manifests) land before reconciling.
      await new Promise((r) => setTimeout(r, 20));
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        const before = this.store.generation;
        try {
          await this.reconcile();
        } catch (error) {
          this.lastError = error as Error;
          this.log(`reconcile failed: ${(error as Error).message}`);
        }
        if (this.store.generation !== before) this.dirty = true;
        this.reconciledGeneration = Math.max(this.reconciledGeneration, before);
        for (const waiter of this.passWaiters.splice(0)) waiter();
      }
    });
  }

  // ------------------------------------------------------------------ reconcile

  private async reconcile(): Promise<void> {
    this.reconcileDeployments();
    this.schedulePods();
    await this.reconcilePods();
    const services = this.reconcileIngress();
    if (this.egressStopped) return this.reconcileWhileStopped(services);
    const placements = this.placeEgressServices(services);
    // The data plane first, status.host and the label after: once a placement is published, the
    // SNAT is already in place (ES-LEAK-1), as upstream intends and does not always manage.
    await this.reconcileDataplane(services);
    this.publishEgressServices(placements);
    await this.reconcileAnnouncements(services);
  }

  private nodeViews() {
    return this.store.list('Node').map((n) => ({
      name: n.metadata.name,
      labels: n.metadata.labels ?? {},
      ready: !this.notReady.has(n.metadata.name),
    }));
  }

  /** Deployments: the right number of pods, spread across ready nodes like topologySpreadConstraints. */
  private reconcileDeployments(): void {
    for (const deployment of this.store.list('Deployment')) {
      const namespace = deployment.metadata.namespace ?? 'default';
      const name = deployment.metadata.name;
      const replicas = Number(field(deployment, 'spec', 'replicas') ?? 1);
      const template = field<KubeObject>(deployment, 'spec', 'template') ?? ({} as KubeObject);
      const owned = this.store
        .list('Pod', namespace)
        .filter(
          (p) => (p.metadata.ownerReferences as Array<{ name: string }> | undefined)?.[0]?.name === name,
        );
      for (const extra of owned.slice(replicas)) {
        this.store.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name: extra.metadata.name });
      }
      for (let i = owned.length; i < replicas; i++) {
        const suffix = createHash('sha256')
          .update(`${namespace}/${name}/${this.podCounter++}`)
          .digest('hex')
          .slice(0, 5);
        const spec = structuredClone((template.spec ?? {}) as Record<string, unknown>);
        this.store.apply({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${name}-${suffix}`,
            namespace,
            labels: { ...(template.metadata?.labels ?? {}) },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }],
          },
          spec,
        });
      }
    }
    // Pods bound to a node that left the cluster go (the pod garbage collector's part); their
    // Deployment replaces them on the nodes that are left.
    const members = new Set(this.store.list('Node').map((n) => n.metadata.name));
    for (const pod of this.store.list('Pod')) {
      const node = field<string>(pod, 'spec', 'nodeName');
      if (node && !members.has(node)) {
        this.store.delete({
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: pod.metadata.namespace as string,
          name: pod.metadata.name,
        });
      }
    }
    // Pods whose Deployment is gone go with it.
    for (const pod of this.store.list('Pod')) {
      const owner = (pod.metadata.ownerReferences as Array<{ kind: string; name: string }> | undefined)?.[0];
      if (owner?.kind !== 'Deployment') continue;
      const exists = this.store.get({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: pod.metadata.namespace as string,
        name: owner.name,
      });
      if (!exists) {
        this.store.delete({
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: pod.metadata.namespace as string,
          name: pod.metadata.name,
        });
      }
    }
  }

  /** The scheduler: a ready node matching nodeSelector, fewest pods of the same owner first. */
  private schedulePods(): void {
    const nodes = this.nodeViews().filter((n) => n.ready);
    const pods = this.store.list('Pod');
    for (const pod of pods) {
      if (field(pod, 'spec', 'nodeName')) continue;
      const selector = field<Record<string, string>>(pod, 'spec', 'nodeSelector');
      const candidates = nodes.filter((n) => selectorMatches({ matchLabels: selector ?? {} }, n.labels));
      if (candidates.length === 0) continue;
      // The owner with its namespace: every test's Deployment is called `web`, and tests run
      // side by side; without the namespace one test's pods would skew another's spread.
      const ownerOf = (p: KubeObject) =>
        `${p.metadata.namespace ?? ''}/${JSON.stringify(p.metadata.ownerReferences ?? p.metadata.name)}`;
      const owner = ownerOf(pod);
      const count = (node: string) =>
        pods.filter((p) => field(p, 'spec', 'nodeName') === node && ownerOf(p) === owner).length;
      const chosen = candidates.reduce((best, n) => (count(n.name) < count(best.name) ? n : best));
      this.store.patch(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: pod.metadata.namespace as string,
          name: pod.metadata.name,
        },
        { spec: { nodeName: chosen.name } },
      );
      const updated = pods.find((p) => p === pod);
      if (updated) (updated.spec as Record<string, unknown>).nodeName = chosen.name;
    }
  }

  /**
   * The kubelet: a network namespace and the probe server for every scheduled pod, started in
   * the background (the pod turns Ready once they are up, and that change starts a pass), and
   * removed once the pod is gone.
   */
  private async reconcilePods(): Promise<void> {
    const pods = this.store.list('Pod').filter((p) => field(p, 'spec', 'nodeName'));
    const wanted = new Set(pods.map((p) => podKey(p.metadata.namespace ?? 'default', p.metadata.name)));
    const removals = [...this.running.entries()]
      .filter(([key]) => !wanted.has(key))
      .map(async ([key, pod]) => {
        this.running.delete(key);
        if (pod.hostNetwork) {
          for (const port of pod.ports) await this.machines.stopHostServer(pod.node, pod.labName, port);
        } else {
          await this.machines.deletePod(pod.node, pod.labName);
        }
      });
    await Promise.all(removals);
    for (const pod of pods) {
      const view = podView(pod);
      const key = podKey(view.namespace, view.name);
      const running = this.running.get(key);
      if (running) this.publishPodStatus(view.namespace, view.name, running);
      else if (!this.starting.has(key)) this.startPod(pod, key);
    }
  }

  private startPod(pod: KubeObject, key: string): void {
    const started = this.runPod(pod).then(
      (running) => {
        this.running.set(key, running);
        this.publishPodStatus(podView(pod).namespace, podView(pod).name, running);
        // A pod deleted while it started has no status to change: a pass removes it.
        this.trigger();
      },
      (error: Error) => {
        this.podFailed(pod, error);
        if (!this.store.get(podRef(pod))) this.trigger();
      },
    );
    const tracked = started.finally(() => this.starting.delete(key));
    this.starting.set(key, tracked);
  }

  /**
   * A pod that cannot start (e.g. a host port another pod holds) stays not ready with the reason,
   * as the kubelet leaves it; the rest of the cluster carries on.
   */
  private podFailed(pod: KubeObject, error: Error): void {
    const view = podView(pod);
    const reason = error.message.split('\n').find((line) => line.trim() !== '') ?? 'failed to start';
    this.log(`pod ${view.namespace}/${view.name} failed to start: ${reason}`);
    this.store.setStatus(
      { apiVersion: 'v1', kind: 'Pod', namespace: view.namespace, name: view.name },
      {
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False', reason: 'StartFailed', message: reason }],
      },
    );
  }

  private async runPod(pod: KubeObject): Promise<RunningPod> {
    const view = podView(pod);
    const node = view.nodeName as string;
    const labName = labPodName(view.namespace, view.name);
    const server = podServer(pod);
    const ports = [...new Set([server.httpPort, server.udpPort].filter((p): p is number => p !== undefined))];
    let ips: FamilyAddresses;
    if (view.hostNetwork) {
      ips = { ...layoutNode(this.layout, node).addresses };
      for (const port of ports) await this.machines.startHostServer(node, labName, port, view.name);
    } else {
      ips = (await this.machines.createPod(node, labName)).ips;
      for (const port of ports) await this.machines.startServer(node, labName, port, view.name);
    }
    return { node, labName, hostNetwork: view.hostNetwork, ips, ports };
  }

  /** Running, and Ready while its node is. */
  private publishPodStatus(namespace: string, name: string, running: RunningPod): void {
    const ready = !this.notReady.has(running.node);
    const podIPs = this.layout.families.map((f) => running.ips[f]).filter((ip): ip is string => !!ip);
    this.store.setStatus(
      { apiVersion: 'v1', kind: 'Pod', namespace, name },
      {
        phase: 'Running',
        hostIP: layoutNode(this.layout, running.node).addresses[this.layout.families[0] as IpFamily],
        podIP: podIPs[0],
        podIPs: podIPs.map((ip) => ({ ip })),
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      },
    );
  }

  /** MetalLB's controller: ingress IPs from pools, written to the Services' status. */
  private reconcileIngress(): ServiceView[] {
    const family = this.layout.families[0] as IpFamily;
    const services = this.store.list('Service').map((s) => serviceView(s, family));
    const pools = this.store.list('IPAddressPool').map(poolOf);
    const allocation = allocateIngress(services, pools);
    for (const service of services) {
      const ips = allocation.get(`${service.namespace}/${service.name}`) ?? [];
      const ref = { apiVersion: 'v1', kind: 'Service', namespace: service.namespace, name: service.name };
      this.store.setStatus(ref, {
        loadBalancer: ips.length > 0 ? { ingress: ips.map((ip) => ({ ip })) } : {},
      });
      service.ingress = ips;
    }
    return services;
  }

  /** OVN-Kubernetes' egress-service controller, deciding: where each EgressService goes. */
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: placement follows the behaviour record's rules one by one, faults bending each; kept in the record's order
  private placeEgressServices(services: ServiceView[]): Map<string, Placement> {
    const views = this.store.list('EgressService').map(egressServiceView);
    const byKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
    const endpoints = new Map<string, PlacementEndpoints>();
    for (const service of services) {
      const all = this.endpointsOf(service);
      endpoints.set(`${service.namespace}/${service.name}`, {
        podNodes: [...new Set(all.filter((e) => !e.hostNetwork).map((e) => e.node))],
        hostNetworked: all.filter((e) => e.hostNetwork).length,
      });
    }
    const nodes = this.nodeViews();
    const placements = placeEgressServices(
      views,
      byKey,
      nodes,
      this.placements,
      this.behaviour.placement,
      endpoints,
    );
    const previous = new Map(this.placements);
    // Where each service was placed before this pass, '' for nowhere: 'ALL' (sourceIPBy Network)
    // counts too, or its placement time would restart on every pass.
    const wasEverywhere = new Set(this.placedEverywhere);
    const hostBefore = (key: string) => previous.get(key) ?? (wasEverywhere.has(key) ? 'ALL' : '');
    this.placements.clear();
    this.placedEverywhere.clear();
    this.egressSpecs.clear();
    for (const view of views) this.egressSpecs.set(`${view.namespace}/${view.name}`, view);
    if (this.behaviour.lifecycle.keepAfterDelete) {
      // A deleted EgressService's placement lives on: its label and (while the Service exists) its SNAT.
      for (const [key, host] of previous) if (!placements.has(key)) this.placements.set(key, host);
    }
    if (this.behaviour.lifecycle.keepAfterNamespaceDelete) {
      const namespaces = new Set(this.store.list('Namespace').map((n) => n.metadata.name));
      for (const [key, host] of previous) {
        if (!placements.has(key) && !namespaces.has(key.split('/')[0] ?? '')) this.placements.set(key, host);
      }
    }
    for (const [key, placement] of placements) {
      if (placement.host === 'ALL') this.placedEverywhere.add(key);
      else if (placement.host !== '') this.placements.set(key, placement.host);
      if (hostBefore(key) !== placement.host) {
        this.placedAt.set(key, Date.now());
        const service = byKey.get(key);
        const readOnce = this.behaviour.dataplane.endpointsReadOnce && service;
        this.podsAtPlacement.set(key, readOnce ? this.podsSelectedBy(service) : new Set());
        this.ingressAtPlacement.set(key, [...(service?.ingress ?? [])]);
      }
      const before = previous.get(key);
      if (
        this.behaviour.publication.keepLabelOnFailedNode &&
        before &&
        before !== placement.host &&
        !this.isReady(before)
      ) {
        this.staleLabels.set(key, new Set([...(this.staleLabels.get(key) ?? []), before]));
      }
    }
    if (this.behaviour.lifecycle.flushNamespaceOnDelete) this.flushNeighbours(previous);
    for (const key of this.staleLabels.keys()) if (!placements.has(key)) this.staleLabels.delete(key);
    for (const key of this.podsAtPlacement.keys()) {
      if (!this.placements.has(key) && !this.placedEverywhere.has(key)) this.podsAtPlacement.delete(key);
    }
    return placements;
  }

  /**
   * `flushNamespaceOnDelete`: for each placement that went since the last pass, the other
   * placements of its namespace on its node lose their egress rules while they stay placed there.
   */
  private flushNeighbours(previous: Map<string, string>): void {
    for (const [gone, host] of previous) {
      if (this.placements.has(gone)) continue;
      const namespace = gone.split('/')[0];
      for (const [key, now] of this.placements) {
        if (now === host && key.split('/')[0] === namespace) this.flushed.add(key);
      }
    }
    for (const key of this.flushed)
      if (this.placements.get(key) !== previous.get(key)) this.flushed.delete(key);
  }

  /** ... and publishing: status.host and the node label. */
  private publishEgressServices(placements: Map<string, Placement>): void {
    for (const [key, placement] of placements) {
      const [namespace = '', name = ''] = key.split('/');
      const ref = { apiVersion: 'k8s.ovn.org/v1', kind: 'EgressService', namespace, name };
      const host = publishedHost(
        placement.host,
        this.layout.nodes.map((n) => n.name),
        this.behaviour.publication,
      );
      if (field(this.store.get(ref), 'status', 'host') !== host) {
        this.log(`EgressService ${key}: host '${host}' (${placement.reason})`);
      }
      this.store.setStatus(ref, { host });
    }
    this.reconcileLabels();
  }

  /** Labels: exactly the placed services' labels on their hosts, none of ours anywhere else. */
  private reconcileLabels(): void {
    for (const node of this.store.list('Node')) {
      const labels = node.metadata.labels ?? {};
      const wanted = labelsWanted(
        node.metadata.name,
        this.placements,
        this.staleLabels,
        this.behaviour.publication,
      );
      const ours = Object.keys(labels).filter((k) => k.startsWith(EGRESS_LABEL_PREFIX));
      const patch: Record<string, string | null> = {};
      for (const key of wanted) this.labelsWanted.add(`${node.metadata.name}|${key}`);
      // A label of the prefix that it never wanted there (a user's, a former run's) goes too,
      // unless the controller only removes what it placed (`strayLabels: kept`, upstream's 2f78a273b).
      const removable = (key: string) =>
        this.behaviour.publication.strayLabels !== 'kept' ||
        this.labelsWanted.has(`${node.metadata.name}|${key}`);
      for (const key of ours) if (!wanted.includes(key) && removable(key)) patch[key] = null;
      for (const key of wanted) if (!(key in labels)) patch[key] = '';
      if (Object.keys(patch).length > 0) {
        this.store.patch(
          { apiVersion: 'v1', kind: 'Node', name: node.metadata.name },
          { metadata: { labels: patch } },
        );
      }
    }
  }

  /** Ready endpoints of a Service, with their node and addresses (none for host-networked ones). */
  private endpointsOf(
    service: ServiceView,
    everyPodOfNamespace = false,
  ): Array<{ node: string; ips: FamilyAddresses; name: string; hostNetwork: boolean }> {
    if (Object.keys(service.selector).length === 0 && !everyPodOfNamespace) return [];
    return this.store
      .list('Pod', service.namespace)
      .map(podView)
      .filter(
        (p) =>
          p.ready && !p.deleting && Object.entries(service.selector).every(([k, v]) => p.labels[k] === v),
      )
      .map((p) => ({ pod: p, running: this.running.get(podKey(p.namespace, p.name)) }))
      .filter((e) => e.running !== undefined)
      .map(({ pod, running }) => ({
        node: (running as RunningPod).node,
        ips: (running as RunningPod).hostNetwork ? {} : (running as RunningPod).ips,
        name: pod.name,
        hostNetwork: (running as RunningPod).hostNetwork,
      }));
  }

  /** Keys of the pods a Service selects now (ready or not), as a controller listing them would see. */
  private podsSelectedBy(service: ServiceView): Set<string> {
    if (Object.keys(service.selector).length === 0) return new Set();
    return new Set(
      this.store
        .list('Pod', service.namespace)
        .map(podView)
        .filter((p) => !p.deleting && Object.entries(service.selector).every(([k, v]) => p.labels[k] === v))
        .map((p) => podKey(p.namespace, p.name)),
    );
  }

  /**
   * The endpoints the egress rules are for: the Service's ready endpoints now; or, reading them
   * once (`endpointsReadOnce`), the pods it selected when placed; or, never removing one
   * (`keepFormerEndpoints`), every pod that was an endpoint since it was placed. Either way only
   * pods that still run, whatever their labels now.
   */
  private egressEndpoints(service: ServiceView) {
    const { endpointsReadOnce, keepFormerEndpoints } = this.behaviour.dataplane;
    const current = this.endpointsOf(service);
    if (!endpointsReadOnce && !keepFormerEndpoints) return current;
    const key = `${service.namespace}/${service.name}`;
    const pods = this.podsAtPlacement.get(key) ?? new Set<string>();
    this.podsAtPlacement.set(key, pods);
    if (keepFormerEndpoints) for (const e of current) pods.add(podKey(service.namespace, e.name));
    return [...pods].flatMap((pod) => {
      const running = this.running.get(pod);
      const [namespace = '', name = ''] = pod.split('/');
      if (!running || !this.store.get({ apiVersion: 'v1', kind: 'Pod', namespace, name })) return [];
      const ips = running.hostNetwork ? {} : running.ips;
      return [{ node: running.node, ips, name, hostNetwork: running.hostNetwork }];
    });
  }

  private desiredDataplane(services: ServiceView[]): DataplaneState {
    const egress: EgressPlacement[] = [];
    const { omitEgressRules, egressRulesDelayMs: snatDelay } = this.behaviour.dataplane;
    const hosts = [
      ...this.placements,
      ...[...this.placedEverywhere].map((key) => [key, 'ALL'] as [string, string]),
    ];
    for (const [key, host] of hosts) {
      const service = services.find((s) => `${s.namespace}/${s.name}` === key);
      if (!service || omitEgressRules || this.flushed.has(key)) continue;
      const age = Date.now() - (this.placedAt.get(key) ?? 0);
      if (age < snatDelay) {
        setTimeout(() => this.trigger(), snatDelay - age + 50).unref();
        continue;
      }
      egress.push({ ...this.egressPlacement(service, host), service: key });
    }
    const ingress: IngressRule[] = [];
    for (const service of services.filter((s) => s.type === 'LoadBalancer')) {
      const endpoints = this.endpointsOf(service).filter((e) => !e.hostNetwork);
      for (const address of service.ingress) {
        const family = familyOf(address);
        for (const port of service.ports) {
          ingress.push({
            family,
            address,
            protocol: port.protocol,
            port: port.port,
            backends: endpoints
              .map((e) => e.ips[family])
              .filter((ip): ip is string => !!ip)
              .map((ip) => ({ ip, port: port.targetPort })),
          });
        }
      }
    }
    return { egress, ingress: ingress.map((rule) => this.etpLocalIngress(services, rule)) };
  }

  /**
   * The network an EgressService's spec.network names, as the data plane behaviour reads it: its
   * own, or (a fault's) the first one named in its namespace, by EgressService name.
   */
  private networkNamed(namespace: string, own: string): string {
    if (!this.behaviour.dataplane.networkPerNamespace) return own;
    const first = [...this.egressSpecs.values()]
      .filter((s) => s.namespace === namespace && s.network)
      .sort((a, b) => a.name.localeCompare(b.name))[0];
    return first?.network ?? own;
  }

  /** The egress rules of one placement, as the data plane behaviour makes them. */
  private egressPlacement(service: ServiceView, host: string): EgressPlacement {
    const spec = this.egressSpecs.get(`${service.namespace}/${service.name}`);
    const dataplane = this.behaviour.dataplane;
    const readOnce = dataplane.loadBalancerIPReadOnce
      ? this.ingressAtPlacement.get(`${service.namespace}/${service.name}`)
      : undefined;
    const seen = readOnce && readOnce.length > 0 ? { ...service, ingress: readOnce } : service;
    return egressPlacementOf({
      service: this.withNodePorts(dataplane.snatToNamespaceFirstService ? this.firstOfNamespace(seen) : seen),
      host,
      network: spec?.network
        ? egressNetwork(this.layout, this.networkNamed(spec.namespace, spec.network), dataplane)
        : undefined,
      endpoints: dataplane.snatNonEndpoints
        ? this.endpointsOf({ ...service, selector: {} }, true)
        : this.egressEndpoints(service),
      nodeAddresses: (node) => layoutNode(this.layout, node).addresses,
      behaviour: dataplane,
    });
  }

  /**
   * `snatToNamespaceFirstService`: the service whose LoadBalancer IPs this one's endpoints get:
   * the first (by name) placed one of its namespace with an ingress IP.
   */
  private firstOfNamespace(service: ServiceView): ServiceView {
    const placed = new Set([...this.placements.keys(), ...this.placedEverywhere]);
    const first = this.store
      .list('Service', service.namespace)
      .map((s) => s.metadata.name)
      .filter((name) => placed.has(`${service.namespace}/${name}`))
      .sort()[0];
    if (first === undefined || first === service.name) return service;
    const family = this.layout.families[0] as IpFamily;
    const other = this.store.get({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: service.namespace,
      name: first,
    });
    if (!other) return service;
    const ingress = serviceView(other, family).ingress;
    return ingress.length > 0 ? { ...service, ingress } : service;
  }

  private async reconcileDataplane(services: ServiceView[]): Promise<void> {
    const wanted = this.desiredDataplane(services);
    const state = this.withStaleKept(wanted);
    const program = async (node: { name: string }, target = state) => {
      // Compared without the previous state: the same state renders the same text.
      const full = renderNodeDataplane(this.layout, node.name, target);
      if (this.appliedScripts.get(node.name) === full) return;
      if (this.notReady.has(node.name)) return; // a failed node is unreachable; catch up on restore
      const previous = this.appliedStates.get(node.name);
      await this.machines.runScript(node.name, renderNodeDataplane(this.layout, node.name, target, previous));
      this.appliedScripts.set(node.name, full);
      this.appliedStates.set(node.name, target);
      this.log(
        `programmed ${node.name}: ${target.egress.length} egress placements, ${target.ingress.length} ingress rules`,
      );
    };
    if (!this.ovn.active) {
      await Promise.all(this.layout.nodes.map((n) => program(n)));
      return;
    }
    // With OVN, as upstream: hosts SNAT before OVN reroutes to them, and keep SNATing what OVN
    // still reroutes to them until OVN stops (withRetainedSnat), so no endpoint's packet reaches
    // a host that does not rewrite it; then every host drops what OVN no longer sends it (hosts
    // dropping it first let endpoints-relabelled's peer see pod addresses).
    const retained = (n: { name: string }) => withRetainedSnat(n.name, state, this.appliedStates.get(n.name));
    await Promise.all(this.layout.nodes.map((n) => program(n, retained(n))));
    if (await this.ovn.apply(wanted, this.notReady.size === 0)) {
      this.log(`programmed OVN: ${state.egress.length} egress placements`);
    }
    await Promise.all(this.layout.nodes.map((n) => program(n)));
  }

  /** MetalLB's speakers: each LoadBalancer IP with an endpoint, from the nodes its advertisements select. */
  private async reconcileAnnouncements(services: ServiceView[]): Promise<void> {
    const pools = this.store.list('IPAddressPool').map(poolOf);
    const advertisements = this.store.list('BGPAdvertisement').map(advertisementOf);
    const nodes = this.nodeViews();
    const desired = new Map(this.layout.nodes.map((n) => [n.name, new Set<string>()]));
    for (const service of services) {
      const endpoints = this.endpointsOf(service).filter((e) => !e.hostNetwork);
      if (service.type !== 'LoadBalancer' || endpoints.length === 0) continue;
      const peers = this.announcementPeers(service);
      for (const ip of service.ingress) {
        const pool = poolContaining(pools, ip);
        if (!pool) continue;
        let announcers = this.behaviour.announcements.fromEveryNode
          ? nodes.filter((n) => n.ready).map((n) => n.name)
          : announcingNodes(pool.name, advertisements, nodes);
        // MetalLB: with externalTrafficPolicy Local only nodes with a local endpoint announce.
        if (service.externalTrafficPolicy === 'Local') {
          announcers = announcers.filter((n) => endpoints.some((e) => e.node === n));
        }
        for (const node of announcers) {
          desired.get(node)?.add(`${ip}/${familyOf(ip) === 'ipv4' ? 32 : 128}|${peers.join(',')}`);
        }
      }
    }
    await Promise.all(
      this.layout.nodes.map(async (node) => {
        if (this.notReady.has(node.name)) return;
        const current = this.announced.get(node.name) ?? new Set<string>();
        const wanted = desired.get(node.name) ?? new Set<string>();
        for (const entry of current) {
          if (!wanted.has(entry)) {
            const [prefix = '', peers = ''] = entry.split('|');
            this.log(`${node.name} withdraws ${prefix} from ${peers}`);
            await this.machines.withdraw(node.name, prefix, peers.split(','));
            current.delete(entry);
          }
        }
        for (const entry of wanted) {
          if (!current.has(entry)) {
            const [prefix = '', peers = ''] = entry.split('|');
            this.log(`${node.name} announces ${prefix} to ${peers}`);
            await this.machines.announce(node.name, prefix, peers.split(','));
            current.add(entry);
          }
        }
        this.announced.set(node.name, current);
      }),
    );
  }

  /**
   * The BGP peers a Service's IP goes to: the default network's (an advertisement without
   * `peers` reaches every BGPPeer) and, when its EgressService names a network, that network's
   * peers, so that they route replies (ES-NET-1) and their own clients (ES-NET-3) back through
   * it, as a BGPPeer in the network's VRF would (unless `ignoreNetworkPeers`).
   */
  private announcementPeers(service: ServiceView): string[] {
    const peersOn = (network: string) =>
      this.layout.peers.filter((p) => p.network === network).map((p) => p.name);
    const peers = peersOn('default');
    const spec = this.egressSpecs.get(`${service.namespace}/${service.name}`);
    const network = spec?.network ? resolveNetwork(this.layout, spec.network) : undefined;
    if (network && !this.behaviour.announcements.ignoreNetworkPeers) peers.push(...peersOn(network.name));
    return peers;
  }

  /** Removes everything the controller programmed (pods, rules, announcements): for reuse and teardown. */
  async reset(): Promise<void> {
    this.stop();
    await this.loop;
    await Promise.all(this.starting.values());
    await Promise.all(
      this.layout.nodes.map(async (node) => {
        if (await this.machines.isNodeFailed(node.name)) await this.machines.restoreNode(node.name);
        await this.machines.runScript(
          node.name,
          renderNodeDataplane(this.layout, node.name, EMPTY_DATAPLANE),
        );
        for (const pod of await this.machines.listPods(node.name))
          await this.machines.deletePod(node.name, pod.name);
        await this.machines.stopHostServers(node.name);
        for (const entry of this.announced.get(node.name) ?? []) {
          const [prefix = '', peers = ''] = entry.split('|');
          await this.machines.withdraw(node.name, prefix, peers.split(','));
        }
      }),
    );
    this.ovn.forget();
    await this.ovn.apply(EMPTY_DATAPLANE);
    this.running.clear();
    this.announced.clear();
    this.appliedScripts.clear();
    this.appliedStates.clear();
    this.forgetRestart();
  }

  // ------------------------------------------------------------------ restart (stopController, startController)

  /** The EgressService part is stopped: its status, labels and rules stay as they are. */
  private egressStopped = false;
  /** `repairKeepsStaleSnat`: each node's SNAT at the restart, until the first pass after it judges it. */
  private foundAtRestart: EgressPlacement[] | undefined;
  /** `repairKeepsStaleSnat`: the stale SNAT rules the repair failed to delete, kept for good. */
  private staleKept: EgressPlacement[] = [];

  private forgetRestart(): void {
    this.egressStopped = false;
    this.foundAtRestart = undefined;
    this.staleKept = [];
  }

  /**
   * Stops the EgressService part (OVN-Kubernetes' controllers) in the loop's turn, after any pass
   * under way: the scheduler, the kubelet and MetalLB go on; status, labels, OVN's policies and
   * each node's egress rules stay as they are until `startEgressController`.
   */
  async stopEgressController(): Promise<void> {
    const stop = this.loop.then(() => {
      this.egressStopped = true;
      this.log('EgressService controller stopped');
    });
    this.loop = stop.catch(() => undefined);
    await stop;
  }

  /**
   * Starts it again with no memory of before, as a restarted ovnkube-node and cluster manager
   * start: every cache and "already applied" record is forgotten, the placements are read back
   * from `status.host` (the cluster manager's repair keeps a service on the host its status names
   * while that node still fits: `repair()` in
   * go-controller/pkg/clustermanager/egressservice/egressservice_cluster.go at 251895cd), and the
   * first pass rewrites each node's rules and OVN's policies whole, which removes whatever it
   * finds there that is no longer wanted (the node and zone controllers' repair). Resolves once
   * that pass is done.
   */
  async startEgressController(): Promise<void> {
    const start = this.loop.then(() => {
      if (this.behaviour.lifecycle.repairKeepsStaleSnat) {
        // What the nodes hold: each one's own SNAT (a placement's rules on its host).
        this.foundAtRestart = this.layout.nodes.flatMap(
          (n) => this.appliedStates.get(n.name)?.egress.filter((p) => p.host === n.name) ?? [],
        );
      }
      this.forgetEgressMemory();
      this.egressStopped = false;
      this.log('EgressService controller started: repairing from the objects');
    });
    this.loop = start.catch(() => undefined);
    await start;
    const pass = new Promise<void>((resolve) => this.passWaiters.push(resolve));
    this.trigger();
    await pass;
  }

  private forgetEgressMemory(): void {
    this.appliedScripts.clear();
    this.appliedStates.clear();
    this.ovn.forget();
    for (const memory of [
      this.placements,
      this.placedAt,
      this.egressSpecs,
      this.staleLabels,
      this.podsAtPlacement,
      this.ingressAtPlacement,
    ])
      memory.clear();
    for (const memory of [this.placedEverywhere, this.flushed, this.labelsWanted]) memory.clear();
    for (const es of this.store.list('EgressService')) {
      const host = field<string>(es, 'status', 'host');
      const key = `${es.metadata.namespace ?? 'default'}/${es.metadata.name}`;
      if (host === 'ALL') this.placedEverywhere.add(key);
      else if (host) this.placements.set(key, host);
    }
  }

  /** While stopped: the kubelet's, the service proxy's and MetalLB's parts go on; egress rules stay. */
  private async reconcileWhileStopped(services: ServiceView[]): Promise<void> {
    const { ingress } = this.desiredDataplane(services);
    await Promise.all(
      this.layout.nodes.map(async (node) => {
        if (this.notReady.has(node.name)) return;
        const previous = this.appliedStates.get(node.name);
        const state: DataplaneState = { egress: previous?.egress ?? [], ingress };
        const full = renderNodeDataplane(this.layout, node.name, state);
        if (this.appliedScripts.get(node.name) === full) return;
        await this.machines.runScript(
          node.name,
          renderNodeDataplane(this.layout, node.name, state, previous),
        );
        this.appliedScripts.set(node.name, full);
        this.appliedStates.set(node.name, state);
      }),
    );
    await this.reconcileAnnouncements(services);
  }

  /**
   * `repairKeepsStaleSnat`: the wanted state plus the SNAT rules the repair found and could not
   * delete: on the first pass after a restart, those of what each node held for a service no
   * longer placed there, an endpoint it no longer has, or another LoadBalancer IP (upstream's
   * repair deleted such rules, and its deletions failed); kept, on their node only, for good.
   */
  private withStaleKept(wanted: DataplaneState): DataplaneState {
    if (this.foundAtRestart) {
      this.staleKept = this.foundAtRestart.flatMap((found) => {
        const now = wanted.egress.find((p) => p.service === found.service && p.host === found.host);
        const sameIPs = now && JSON.stringify(now.loadBalancerIPs) === JSON.stringify(found.loadBalancerIPs);
        const current = new Set((sameIPs ? now.endpoints : []).flatMap((e) => Object.values(e.ips)));
        const stale = found.endpoints.filter((e) => !Object.values(e.ips).every((ip) => current.has(ip)));
        if (stale.length === 0) return [];
        this.log(`repair failed to delete the SNAT of ${found.service} on ${found.host}: kept`);
        return [{ ...found, endpoints: stale, table: undefined, hostOnly: true }];
      });
      this.foundAtRestart = undefined;
    }
    if (this.staleKept.length === 0) return wanted;
    return { ...wanted, egress: [...wanted.egress, ...this.staleKept] };
  }

  /** Node ports the reference gave Services that set none, by `namespace/name/protocol/port`. */
  private readonly allocatedNodePorts = new Map<string, number>();

  /**
   * The Service with a node port on every port, as the API server allocates for a LoadBalancer:
   * its own, else one the reference allocates (the lab's in-memory API server allocates none),
   * in 30000-32767, kept while the Service exists. Only ETP Local's hop uses them.
   */
  private withNodePorts(service: ServiceView): ServiceView {
    if (service.externalTrafficPolicy !== 'Local') return service;
    const services = new Set(
      this.store.list('Service').map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
    );
    for (const key of this.allocatedNodePorts.keys()) {
      if (!services.has(key.split('/').slice(0, 2).join('/'))) this.allocatedNodePorts.delete(key);
    }
    const ports = service.ports.map((port) => {
      if (port.nodePort !== undefined) return port;
      const key = `${service.namespace}/${service.name}/${port.protocol}/${port.port}`;
      let nodePort = this.allocatedNodePorts.get(key);
      if (nodePort === undefined) {
        const taken = new Set(this.allocatedNodePorts.values());
        nodePort = 30000;
        while (taken.has(nodePort) && nodePort < 32767) nodePort++;
        this.allocatedNodePorts.set(key, nodePort);
      }
      return { ...port, nodePort };
    });
    return { ...service, ports };
  }

  /**
   * externalTrafficPolicy Local on the Linux data plane: the ingress rule with its node port and
   * each backend's node and network namespace, for the hop through the ETP-Local masquerade
   * address that upstream's local gateway mode takes (dataplane.ts, etpLocalCommands).
   */
  private etpLocalIngress(services: ServiceView[], rule: IngressRule): IngressRule {
    if (this.ovn.active || !this.machines.podNetns) return rule;
    // The Service the rule is of (a shared ingress IP tells Services apart by port).
    const service = services.find(
      (s) =>
        s.type === 'LoadBalancer' &&
        s.ingress.includes(rule.address) &&
        s.ports.some((p) => p.protocol === rule.protocol && p.port === rule.port),
    );
    if (service?.externalTrafficPolicy !== 'Local') return rule;
    const port = this.withNodePorts(service).ports.find(
      (p) => p.protocol === rule.protocol && p.port === rule.port,
    );
    if (port?.nodePort === undefined) return rule;
    const pods = [...this.running.values()].filter((p) => !p.hostNetwork);
    const backends = rule.backends.map((b) => {
      const pod = pods.find((p) => p.ips[rule.family] === b.ip);
      return pod ? { ...b, node: pod.node, netns: this.machines.podNetns?.(pod.labName) as string } : b;
    });
    return { ...rule, backends, nodePort: port.nodePort };
  }
}
