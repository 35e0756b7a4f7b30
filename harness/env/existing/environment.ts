/**
 * The existing provider's environment: the user's cluster as the runner sees it (describe, probe,
 * ingress, the peer's BGP table, diagnostics), with the peer the provider started; `close` removes
 * only what the provider created (its peer containers, the BGPPeers it applied). The provider
 * (provider.ts) reads the cluster, plans what it creates and makes one of these.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import type { KubeClient } from '../../k8s/client.js';
import type { LoadedKubeconfig } from '../../k8s/kubeconfig.js';
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
import { bgpShowCommand, parseBgpRoutes } from '../shared/bgp-table.js';
import {
  clusterDiagnosticCommands,
  peerDiagnosticCommands,
  writeDiagnostics,
} from '../shared/cluster-diagnostics.js';
import type { CommandRunner } from '../shared/command-runner.js';
import { ControllerPods } from '../shared/controller-pods.js';
import { dockerCaptureSite } from '../shared/docker-capture-site.js';
import { kubectlPodExec, runIngress, runProbe } from '../shared/kubectl-probing.js';
import { collectClusterOvnDiagnostics } from '../shared/ovn-diagnostics.js';
import { peerContainerBgpRoutes, runInPeerNamespace } from '../shared/peer-commands.js';
import { executePlan } from '../shared/plan-executor.js';
import type { PlannedAction } from '../shared/planned-actions.js';
import { captureFilter } from '../shared/tcpdump.js';
import { EXISTING_ENV_LABEL, existingLabel, hostCaptureSite, peerImages, runOnHost } from './peer.js';
import type { ExistingSettings } from './settings.js';

export class ExistingEnvironment implements Environment {
  constructor(
    readonly cluster: KubeClient,
    private readonly d: {
      description: EnvironmentDescription;
      settings: ExistingSettings;
      kubeconfig: LoadedKubeconfig;
      runner: CommandRunner;
      log: Logger;
      workDir: string;
      secrets: Record<string, string>;
    },
  ) {}

  /** The run's ledger goes under the work dir, where `down` looks after a crash. */
  get stateDir(): string {
    return this.d.workDir;
  }

  private kubectl(): string[] {
    return ['kubectl', '--kubeconfig', this.d.kubeconfig.path, '--context', this.d.kubeconfig.context];
  }

  async describe(): Promise<EnvironmentDescription> {
    return { ...this.d.description, nodes: await this.cluster.nodes() };
  }

  async probe(request: ProbeRequest): Promise<ProbeEvidence> {
    const s = this.d.settings;
    const captures = join(this.d.workDir, 'captures');
    const peerSite = () =>
      s.peer.mode === 'container'
        ? dockerCaptureSite(this.d.runner, {
            label: existingLabel(this.d.description.id),
            target: this.peerContainer(),
            toolsImage: peerImages(s).tools,
            hostDir: captures,
          })
        : hostCaptureSite(s, captures);
    return runProbe(request, {
      cluster: this.cluster,
      podExec: kubectlPodExec(this.d.runner, this.kubectl()),
      filter: captureFilter,
      target: async (req) => {
        if (req.target.kind !== 'peer') {
          // In-cluster targets are captured on the peer only when traffic crosses it; the
          // existing provider has no access to nodes, so it cannot capture there.
          throw new Error(
            'the existing provider captures on the external peer only; in-cluster probe targets need the kind or lab provider',
          );
        }
        const address = s.peer.addresses[req.family];
        if (!address) throw new Error(`the peer has no ${req.family} address (existing.peer.addresses)`);
        return { address, site: peerSite() };
      },
    });
  }

  async ingress(request: IngressRequest): Promise<IngressResult> {
    const s = this.d.settings;
    return runIngress(
      request,
      s.peer.mode === 'container'
        ? runInPeerNamespace(this.d.runner, this.peerContainer(), peerImages(s).tools)
        : (argv, timeoutMs) => runOnHost(this.d.runner, s, argv, timeoutMs),
    );
  }

  private peerContainer(): string {
    return `${this.d.description.id}-peer`;
  }

  async bgpRoutes(_peer: string, family: IpFamily): Promise<BgpRoute[]> {
    const s = this.d.settings;
    if (s.peer.mode === 'container')
      return peerContainerBgpRoutes(this.d.runner, this.peerContainer(), family);
    const result = await runOnHost(this.d.runner, s, ['vtysh', '-c', bgpShowCommand(family)], 30_000);
    if (result.exitCode !== 0)
      throw new Error(`reading the peer's BGP table failed: ${result.stderr.trim()}`);
    return parseBgpRoutes(result.stdout);
  }

  async failNode(node: string): Promise<void> {
    throw new Error(
      `the existing provider does not fail nodes of your cluster (asked to fail ${node}); Failover is unsupported here`,
    );
  }

  async restoreNode(node: string): Promise<void> {
    throw new Error(`the existing provider does not fail nodes of your cluster (asked to restore ${node})`);
  }

  /**
   * Upstream's EgressService controllers, restarted by deleting their pods in the OVN-Kubernetes
   * namespace (existing.ovnNamespace) by upstream's chart's label (shared/controller-pods.ts).
   */
  private controllerPods(): ControllerPods {
    this.restartable ??= new ControllerPods(this.cluster, this.d.settings.ovnNamespace);
    return this.restartable;
  }
  private restartable: ControllerPods | undefined;

  stopController(): Promise<string> {
    return this.controllerPods().stop();
  }

  startController(): Promise<string> {
    return this.controllerPods().start();
  }

  async collectDiagnostics(namespace: string, dir: string, failedFlows: ProbeFlow[] = []): Promise<void> {
    const s = this.d.settings;
    const commands = clusterDiagnosticCommands(this.kubectl(), {
      namespace,
      metallb: s.metallbNamespace,
      ovnKubernetes: s.ovnNamespace,
    });
    if (s.peer.mode === 'container') {
      commands.push(
        ...peerDiagnosticCommands(
          { name: 'peer', container: this.peerContainer() },
          this.d.description.families,
        ),
      );
    }
    await writeDiagnostics(this.d.runner, commands, dir);
    await collectClusterOvnDiagnostics(
      this.d.runner,
      this.kubectl(),
      { ovnNamespace: s.ovnNamespace, namespace, ...(failedFlows[0] ? { failedFlow: failedFlows[0] } : {}) },
      dir,
    );
    if (s.peer.mode === 'host') {
      // The peer host is reached through the user's command template, not docker.
      const bgp = await Promise.all(
        this.d.description.families.map((f) => this.bgpRoutes(s.peer.name, f).catch((e: Error) => e.message)),
      );
      await writeFile(join(dir, 'peer-bgp.json'), JSON.stringify(bgp, null, 2));
    }
  }

  async close(options: { keep: boolean }): Promise<void> {
    if (options.keep) return;
    await removeCreated(this.d.runner, this.d.description.id, this.d.settings, this.kubectl(), this.d.log);
  }
}

/**
 * Removes only what this provider created: its labelled containers and the BGPPeers of the peer
 * (objects the provider itself applies, labelled with its own environment label). What tests
 * created is removed from the runs' ledgers, by uid (`removeLedgered` in `down`).
 */
export async function removeCreated(
  runner: CommandRunner,
  envId: string,
  s: ExistingSettings,
  kubectl: string[],
  log: Logger,
): Promise<void> {
  const actions: PlannedAction[] = [];
  const containers = await runner
    .run(['docker', 'ps', '--all', '--quiet', '--filter', `label=${EXISTING_ENV_LABEL}=${envId}`])
    .catch(() => undefined);
  const ids = containers?.stdout.split('\n').filter(Boolean) ?? [];
  if (ids.length > 0)
    actions.push({
      type: 'run',
      phase: 'cleanup',
      title: 'remove the peer and sidecars',
      argv: ['docker', 'rm', '--force', ...ids],
      allowFailure: true,
    });
  if (s.manageMetalLB) {
    actions.push({
      type: 'run',
      phase: 'cleanup',
      title: 'remove the BGPPeers this run created',
      argv: [
        ...kubectl,
        'delete',
        'bgppeers.metallb.io,secrets',
        '-n',
        s.metallbNamespace,
        '-l',
        `${EXISTING_ENV_LABEL}=${envId}`,
        '--ignore-not-found',
      ],
      allowFailure: true,
    });
  }
  await executePlan(actions, { runner, log, secrets: {} });
}
