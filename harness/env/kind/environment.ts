/**
 * A running kind environment as the runner sees it (the Environment interface): the cluster
 * through the client wrapper in harness/k8s, commands through docker/kubectl.
 */
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import type { KubeClient } from '../../k8s/client.js';
import type {
  BgpRoute,
  Environment,
  EnvironmentDescription,
  IngressRequest,
  IngressResult,
  IpFamily,
  ProbeEvidence,
  ProbeFlow,
  ProbeRequest,
} from '../environment.js';
import { writeDiagnostics } from '../shared/cluster-diagnostics.js';
import { type CommandRunner, runChecked } from '../shared/command-runner.js';
import { ControllerPods } from '../shared/controller-pods.js';
import { dockerCaptureSite } from '../shared/docker-capture-site.js';
import { kubectlPodExec, podAddressOf, runIngress, runProbe } from '../shared/kubectl-probing.js';
import { collectClusterOvnDiagnostics } from '../shared/ovn-diagnostics.js';
import { peerContainerBgpRoutes, runInPeerNamespace } from '../shared/peer-commands.js';
import { executePlan } from '../shared/plan-executor.js';
import { captureFilter } from '../shared/tcpdump.js';
import { kubectlBase, nodeSetupActions, planTearDown, ZONE_LABEL, zoneRelabelActions } from './bring-up.js';
import { describeTopology } from './description.js';
import { diagnosticCommands } from './diagnostics.js';
import { type KindTopology, OVN_NAMESPACE } from './topology.js';

export interface KindEnvironmentOptions {
  topology: KindTopology;
  cluster: KubeClient;
  runner: CommandRunner;
  log: Logger;
  secrets: Record<string, string>;
  /** True when this run found the environment up and did not create it. */
  reused: boolean;
  sleep?: (ms: number) => Promise<void>;
}

export class KindEnvironment implements Environment {
  readonly cluster: KubeClient;
  private readonly t: KindTopology;
  private readonly runner: CommandRunner;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: KindEnvironmentOptions) {
    this.t = options.topology;
    this.cluster = options.cluster;
    this.runner = options.runner;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async describe(): Promise<EnvironmentDescription> {
    const planned = describeTopology(this.t);
    const live = await this.cluster.nodes();
    const byName = new Map(planned.nodes.map((n) => [n.name, n]));
    planned.nodes = live.map((node) => ({
      ...node,
      networkAddresses: byName.get(node.name)?.networkAddresses ?? {},
    }));
    return planned;
  }

  private peer(name: string) {
    const peer = this.t.peers.find((p) => p.name === name);
    if (!peer) throw new Error(`kind environment ${this.t.id} has no peer "${name}"`);
    return peer;
  }

  /** The run's ledger of created objects lives with the environment's other state. */
  get stateDir(): string {
    return this.t.settings.workDir;
  }

  private captureDir(): string {
    return join(this.t.settings.workDir, 'captures');
  }

  async probe(request: ProbeRequest): Promise<ProbeEvidence> {
    const site = (container: string) =>
      dockerCaptureSite(this.runner, {
        label: this.t.label,
        target: container,
        toolsImage: this.t.settings.images.tools,
        hostDir: this.captureDir(),
      });
    return runProbe(request, {
      cluster: this.cluster,
      podExec: kubectlPodExec(this.runner, kubectlBase(this.t)),
      filter: captureFilter,
      peerSite: (peer) => site(this.peer(peer).container),
      target: async (req) => {
        const target = req.target;
        if (target.kind === 'peer') {
          const peer = this.peer(target.peer);
          const address = peer.probeAddresses[req.family];
          if (!address) throw new Error(`peer ${peer.name} has no ${req.family} address`);
          return { address, site: site(peer.container) };
        }
        if (target.kind === 'pod') {
          const { ip, node } = await podAddressOf(this.cluster, target, req.family);
          if (!ip || !node)
            throw new Error(`pod ${target.namespace}/${target.pod} has no ${req.family} address or node`);
          return { address: ip, site: site(node) };
        }
        const node = (await this.cluster.nodes()).find((n) => n.name === target.node);
        const address = target.address ?? node?.addresses[req.family];
        if (!address) throw new Error(`node ${target.node} has no ${req.family} InternalIP`);
        return { address, site: site(target.node) };
      },
    });
  }

  async ingress(request: IngressRequest): Promise<IngressResult> {
    const peer = this.peer(request.peer);
    return runIngress(request, runInPeerNamespace(this.runner, peer.container, this.t.settings.images.tools));
  }

  async bgpRoutes(peer: string, family: IpFamily): Promise<BgpRoute[]> {
    return peerContainerBgpRoutes(this.runner, this.peer(peer).container, family);
  }

  /**
   * `docker stop`, not `docker pause`: a paused container's kernel namespace still forwards,
   * NATs and answers (only its processes freeze), so a "paused node" would keep carrying
   * EgressService traffic; a stopped node is gone from the network, its BGP sessions drop, and
   * its kubelet stops posting status, so the node goes NotReady as a failed machine would.
   */
  async failNode(node: string): Promise<void> {
    this.requireNode(node);
    await runChecked(this.runner, ['docker', 'stop', '--time', '5', node]);
  }

  async restoreNode(node: string): Promise<void> {
    const planned = this.requireNode(node);
    await runChecked(this.runner, ['docker', 'start', node]);
    // A restarted container has a fresh network namespace: sysctls, the VRF or table routes are
    // set again by the same actions bring-up ran (the docker network connection itself persists).
    await executePlan(nodeSetupActions(this.t, planned, { afterRestart: true }), {
      runner: this.runner,
      log: this.options.log,
      secrets: this.options.secrets,
    });
    const deadline = Date.now() + 180_000;
    let relabelled = false;
    for (;;) {
      const info = (await this.cluster.nodes()).find((n) => n.name === node);
      if (info && !relabelled && info.labels[ZONE_LABEL] === undefined) {
        // Removed from the cluster and registered again: without its zone label.
        await executePlan(zoneRelabelActions(this.t, node), {
          runner: this.runner,
          log: this.options.log,
          secrets: this.options.secrets,
        });
        relabelled = true;
      }
      if (info?.ready && info.labels[ZONE_LABEL] !== undefined) return;
      if (Date.now() > deadline) throw new Error(`node ${node} not Ready 180s after docker start`);
      await this.sleep(2000);
    }
  }

  private requireNode(node: string) {
    const planned = this.t.nodes.find((n) => n.name === node);
    if (!planned) throw new Error(`kind environment ${this.t.id} has no node "${node}"`);
    return planned;
  }

  /** Upstream's EgressService controllers, restarted by deleting their pods (shared/controller-pods.ts). */
  private controllerPods: ControllerPods | undefined;

  stopController(): Promise<string> {
    this.controllerPods ??= new ControllerPods(this.cluster, OVN_NAMESPACE);
    return this.controllerPods.stop();
  }

  startController(): Promise<string> {
    this.controllerPods ??= new ControllerPods(this.cluster, OVN_NAMESPACE);
    return this.controllerPods.start();
  }

  async collectDiagnostics(namespace: string, dir: string, failedFlows: ProbeFlow[] = []): Promise<void> {
    await writeDiagnostics(this.runner, diagnosticCommands(this.t, namespace), dir);
    await collectClusterOvnDiagnostics(
      this.runner,
      kubectlBase(this.t),
      { ovnNamespace: OVN_NAMESPACE, namespace, ...(failedFlows[0] ? { failedFlow: failedFlows[0] } : {}) },
      dir,
    );
  }

  async close(options: { keep: boolean }): Promise<void> {
    if (options.keep || this.options.reused) {
      this.options.log.info(
        `kind environment ${this.t.id} left up (remove it with: egress-conformance down --provider kind --id ${this.t.id})`,
      );
      return;
    }
    await executePlan(planTearDown(this.t), {
      runner: this.runner,
      log: this.options.log,
      secrets: this.options.secrets,
    });
  }
}
