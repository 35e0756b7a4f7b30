/**
 * The existing provider: a cluster the user already has (kubeconfig + context). It reads what
 * it can (families, nodes, gateway mode, CRDs, MetalLB's mode), records which features were
 * inferred and which declared, creates only its own namespaced objects (the scenarios'), plus
 * the BGPPeers when `manageMetalLB` is set, and removes what it created afterwards.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../k8s/client.js';
import { type LoadedKubeconfig, loadKubeconfig } from '../../k8s/kubeconfig.js';
import { removeLedgered } from '../../k8s/ledger.js';
import { type EnvironmentDescription, type IpFamily, type NodeInfo, RUN_LABEL } from '../environment.js';
import type {
  DownResult,
  EnvironmentStatus,
  PreflightProblem,
  Provider,
  ProviderOptions,
  UpResult,
} from '../provider.js';
import { type CommandRunner, execaRunner } from '../shared/command-runner.js';
import { readFrrStaticFiles } from '../shared/frr-peer-container.js';
import { metallbPeerObjects } from '../shared/metallb-peers.js';
import { executePlan } from '../shared/plan-executor.js';
import { applyAction, type PlannedAction, printPlan } from '../shared/planned-actions.js';
import { ExistingEnvironment, removeCreated } from './environment.js';
import { existingFeatures, type Inferred, infer, type RecordedCluster } from './inference.js';
import { containerPeer, containerPeerActions, existingLabel, peerImages } from './peer.js';
import type { ExistingSettings } from './settings.js';

/** What the existing provider's methods receive: `existing:` as its schema parsed it. */
type ExistingOptions = ProviderOptions<ExistingSettings>;

export function existingId(server: string, context: string): string {
  return `ece-${createHash('sha256').update(`${server}\n${context}`).digest('hex').slice(0, 6)}`;
}

/** Reads the objects inference needs (read-only calls). */
export async function recordCluster(client: KubeClient, s: ExistingSettings): Promise<RecordedCluster> {
  const [nodes, crds, deployments, daemonsets, kubernetes] = await Promise.all([
    client.list('v1', 'Node'),
    client.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition').catch(() => []),
    client.list('apps/v1', 'Deployment', s.metallbNamespace).catch(() => []),
    client.list('apps/v1', 'DaemonSet', s.metallbNamespace).catch(() => []),
    client
      .get({ apiVersion: 'v1', kind: 'Service', name: 'kubernetes', namespace: 'default' })
      .catch(() => undefined),
  ]);
  return {
    nodes,
    crds: crds.map((c) => c.metadata.name),
    metallbWorkloads: [...deployments, ...daemonsets],
    ...(kubernetes ? { kubernetesService: kubernetes } : {}),
  };
}

export interface ExistingPlanInput {
  envId: string;
  settings: ExistingSettings;
  families: IpFamily[];
  workDir: string;
  kubectl: string[];
}

/** What the provider creates: the peer container (container mode), MetalLB's BGPPeers (if managed). */
export function planExisting(input: ExistingPlanInput): PlannedAction[] {
  const { envId, settings: s, families } = input;
  const actions: PlannedAction[] = [];
  if (s.peer.mode === 'container') {
    const peer = containerPeer(envId, s, input.workDir, families);
    actions.push(...containerPeerActions(envId, peer, s, families, readFrrStaticFiles()));
  }
  if (s.manageMetalLB) {
    const objects = metallbPeerObjects(
      existingLabel(envId),
      [{ name: `ec-${s.peer.name}`, asn: s.peer.asn, addresses: s.peer.addresses }],
      families,
      { bgpAuth: s.peer.bgpPassword !== undefined, namespace: s.metallbNamespace, nodeAsn: s.nodeAsn },
    );
    actions.push(
      applyAction('metallb', 'BGPPeers for the peer (removed after the run)', input.kubectl, objects, {
        retry: { attempts: 6, delayMs: 2000, backoff: 2 },
      }),
    );
  }
  return actions;
}

export function describeExisting(
  envId: string,
  s: ExistingSettings,
  families: IpFamily[],
  nodes: NodeInfo[],
  inferred: Inferred | undefined,
  fingerprint: Record<string, string>,
): EnvironmentDescription {
  const images = peerImages(s);
  const pick = (v: { ipv4?: string | undefined; ipv6?: string | undefined }) =>
    Object.fromEntries(families.filter((f) => v[f]).map((f) => [f, v[f] as string]));
  const egressIPRanges = pick(s.egressIPRanges ?? {});
  const egressIPs = families.every((f) => egressIPRanges[f] !== undefined);
  const features = inferred
    ? existingFeatures({ ...inferred, families }, s.features, s.networks.length, egressIPs)
    : existingFeatures(
        { families, nodeCount: nodes.length, egressServiceCrd: true, egressIpCrd: true, metallbCrds: true },
        s.features,
        s.networks.length,
        egressIPs,
      ).map((f) =>
        f.source === 'inferred' && f.supported
          ? { ...f, reason: 'assumed for the dry run; inferred from the cluster when a run starts' }
          : f,
      );
  return {
    provider: 'existing',
    id: envId,
    implementation: {
      name: 'OVN-Kubernetes',
      version: inferred ? 'as deployed' : 'unknown until read',
      reference: false,
    },
    families,
    nodes,
    networks: [
      { name: 'default', subnets: {} },
      ...s.networks.map((n) => ({ name: n.name, routingTable: n.routingTable, subnets: pick(n.subnets) })),
    ],
    peers: [
      {
        name: s.peer.name,
        network: 'default',
        addresses: pick(s.peer.addresses),
        asn: s.peer.asn,
        probePort: s.peer.probePort,
      },
    ],
    features,
    loadBalancerRanges: pick(s.loadBalancerRanges),
    ...(egressIPs ? { egressIPRanges } : {}),
    metallbNamespace: s.metallbNamespace,
    images: { agnhost: images.agnhost },
    fingerprint,
    // No access to the nodes: captures run at the external peer only.
    probeTargets: ['peer'],
    ...(s.restartControllers
      ? {}
      : {
          noControllerRestart:
            "the existing provider restarts no pods of your cluster unless the options file says 'existing: { restartControllers: true }'",
        }),
  };
}

export function createExistingProvider(
  deps: {
    runner?: CommandRunner;
    env?: NodeJS.ProcessEnv;
    home?: string;
    /** The API client for a kubeconfig (tests: a client over an in-memory API). */
    client?: (kubeconfig: LoadedKubeconfig) => KubeClient;
  } = {},
) {
  const runner = deps.runner ?? execaRunner;
  const clientFor =
    deps.client ?? ((kubeconfig: LoadedKubeconfig) => KubeClient.fromKubeconfig(kubeconfig.kubeConfig));
  const env = deps.env ?? process.env;
  const home = deps.home ?? homedir();
  const load = (s: ExistingSettings) => loadKubeconfig({ path: s.kubeconfig, context: s.context }, env, home);
  const workDirOf = (s: ExistingSettings, id: string) =>
    s.workDir ?? join(home, '.cache', 'egress-conformance', 'existing', id);
  const dryId = (s: ExistingSettings) => existingId('planned', s.context ?? 'current-context');
  const provider = {
    name: 'existing' as const,

    plannedDescription(options: ExistingOptions): EnvironmentDescription {
      const s = options.settings;
      const families = (options.families ?? s.families ?? ['ipv4']) as IpFamily[];
      const names = s.nodeNames ?? ['node-0', 'node-1', 'node-2'];
      const nodes: NodeInfo[] = names.map((name) => ({
        name,
        addresses: {},
        networkAddresses: {},
        labels: {},
        ready: true,
      }));
      return describeExisting(dryId(s), s, families, nodes, undefined, {
        context: s.context ?? '(current-context)',
      });
    },

    printPlan(options: ExistingOptions): string {
      const s = options.settings;
      const id = dryId(s);
      const families = (options.families ?? s.families ?? ['ipv4']) as IpFamily[];
      const kubectl = [
        'kubectl',
        '--kubeconfig',
        '<kubeconfig>',
        '--context',
        s.context ?? '<current-context>',
      ];
      return printPlan(
        planExisting({ envId: id, settings: s, families, workDir: workDirOf(s, id), kubectl }),
        `# existing cluster, peer in ${s.peer.mode} mode`,
      );
    },

    async preflight(options: ExistingOptions): Promise<PreflightProblem[]> {
      const problems: PreflightProblem[] = [];
      const s = options.settings;
      // A kubeconfig that is missing or names no usable context is the user's input: exit 2.
      load(s);
      if (s.peer.mode === 'container') {
        const docker = await runner
          .run(['docker', 'version', '--format', '{{.Server.Version}}'])
          .catch(() => undefined);
        if (docker?.exitCode !== 0) {
          problems.push({
            item: 'docker',
            problem: 'daemon not reachable (the peer container needs it)',
            fix: 'start Docker, or use peer.mode: host',
          });
        }
      }
      return problems;
    },

    async up(options: ExistingOptions): Promise<UpResult> {
      const s = options.settings;
      const kubeconfig = load(s);
      const client = clientFor(kubeconfig);
      const id = existingId(kubeconfig.server, kubeconfig.context);
      const recorded = await recordCluster(client, s);
      const inferred = infer(recorded);
      const families = (options.families ?? s.families ?? inferred.families).filter((f) =>
        inferred.families.includes(f),
      ) as IpFamily[];
      if (families.length === 0)
        throw new Error(
          `the cluster offers ${inferred.families.join(', ') || 'no'} families; none of the requested ones`,
        );
      options.log.info(
        `existing cluster ${kubeconfig.server} (context ${kubeconfig.context}): ${inferred.nodeCount} nodes, ${inferred.families.join('+')}, ` +
          `gateway mode ${inferred.gatewayMode ?? 'unknown'}, MetalLB ${inferred.metallbMode ?? 'not found'}`,
      );
      const workDir = workDirOf(s, id);
      const kubectl = ['kubectl', '--kubeconfig', kubeconfig.path, '--context', kubeconfig.context];
      const secrets: Record<string, string> = s.peer.bgpPassword ? { bgpPassword: s.peer.bgpPassword } : {};
      const phases = await executePlan(planExisting({ envId: id, settings: s, families, workDir, kubectl }), {
        runner,
        log: options.log,
        secrets,
        signal: options.signal,
      });
      const nodes = await client.nodes();
      const description = describeExisting(id, s, families, nodes, inferred, {
        server: kubeconfig.server,
        context: kubeconfig.context,
        gatewayMode: inferred.gatewayMode ?? 'unknown',
        metallbMode: inferred.metallbMode ?? 'unknown',
        peerMode: s.peer.mode,
      });
      const environment = new ExistingEnvironment(client, {
        description,
        settings: s,
        kubeconfig,
        runner,
        log: options.log,
        workDir,
        secrets,
      });
      return { env: environment, phases, reused: false };
    },

    async down(options: ExistingOptions & { all: boolean; id?: string }): Promise<DownResult> {
      const s = options.settings;
      const kubeconfig = load(s);
      const id = options.id ?? existingId(kubeconfig.server, kubeconfig.context);
      // What runs' tests created and did not remove (a crash, a kill): from their ledgers, by
      // uid, never by a label selector; a namespace only if a run created it.
      const removed = await removeLedgered(clientFor(kubeconfig), join(workDirOf(s, id), 'ledger'), {
        runLabel: RUN_LABEL,
        warn: (line) => options.log.warn(line),
      });
      await removeCreated(
        runner,
        id,
        s,
        ['kubectl', '--kubeconfig', kubeconfig.path, '--context', kubeconfig.context],
        options.log,
      );
      // The user's cluster is not ours to lease: what the runs created is removed by their ledgers.
      return { removed: [id, ...removed], kept: [] };
    },

    async status(options: ExistingOptions): Promise<EnvironmentStatus[]> {
      const s = options.settings;
      const kubeconfig = load(s);
      return [
        {
          id: existingId(kubeconfig.server, kubeconfig.context),
          state: 'external',
          details: [`${kubeconfig.server} (context ${kubeconfig.context})`],
        },
      ];
    },
  } satisfies Provider & { printPlan(options: ExistingOptions): string };
  return provider;
}

export const existingProvider = createExistingProvider();
