/**
 * The kind provider: a kind cluster with OVN-Kubernetes (EgressService on), MetalLB in BGP mode
 * and external FRR peers, brought up by executing the planned actions of bring-up.ts, found
 * again by its labels for reuse, torn down by label. Combinations upstream does not run are
 * refused before anything is created (combinations.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import { KubeClient } from '../../k8s/client.js';
import { loadKubeconfig } from '../../k8s/kubeconfig.js';
import type { EnvironmentDescription } from '../environment.js';
import type {
  DownResult,
  EnvironmentStatus,
  PreflightProblem,
  Provider,
  ProviderOptions,
  UpResult,
} from '../provider.js';
import { writeDiagnostics } from '../shared/cluster-diagnostics.js';
import { type CommandRunner, execaRunner } from '../shared/command-runner.js';
import { readFrrStaticFiles } from '../shared/frr-peer-container.js';
import {
  acquireLease,
  type HeldLease,
  type LeaseState,
  leaseFile,
  leaseLine,
  leaseStateOf,
  removeLease,
} from '../shared/lease.js';
import { executePlan } from '../shared/plan-executor.js';
import { type PlannedAction, printPlan } from '../shared/planned-actions.js';
import { baseImageStatus } from './base-images.js';
import { laneOf, planBringUp } from './bring-up.js';
import { describeCombination, kindFamily, refusalOf, requireSupported } from './combinations.js';
import { describeTopology } from './description.js';
import { diagnosticCommands } from './diagnostics.js';
import { KindEnvironment } from './environment.js';
import { failedBringUpEvidence } from './evidence.js';
import {
  checkKindHost,
  type HostCheck,
  type HostFacts,
  type HostNeeds,
  MIN_FREE_BYTES,
  pinnedTools,
  RUN_FREE_BYTES,
  realHostFacts,
} from './host-checks.js';
import { isComplete, type KindInventoryEntry, listKindEnvironments } from './inventory.js';
import { KIND_CONFIG_SOURCE, readKindConfigBase } from './kind-config.js';
import { pinSet } from './pin-sets.js';
import { type KindSettings, resolveKindSettings } from './settings.js';
import { type KindTopology, planTopology } from './topology.js';
import { upstreamCoverage } from './upstream-support.js';

export interface KindPlan {
  topology: KindTopology;
  actions: PlannedAction[];
  secrets: Record<string, string>;
}

/** What kind's methods receive: `kind:` as its schema parsed it, and the families asked for. */
export type KindOptions = ProviderOptions<KindSettings>;
type KindPlanOptions = Pick<KindOptions, 'settings' | 'families'>;

/** The environment's names and addresses, for any combination (down, status, doctor). */
export function kindTopologyOf(options: KindPlanOptions): {
  topology: KindTopology;
  secrets: Record<string, string>;
} {
  const { resolved, secrets } = resolveKindSettings(options.settings, options.families);
  return { topology: planTopology(resolved), secrets };
}

function combinationOf(t: KindTopology) {
  return {
    family: kindFamily(t.families),
    gatewayMode: t.settings.gatewayMode,
    metallbMode: t.settings.metallbMode,
  };
}

/** The plan's first lines: the combination, the pin set, the upstream lane or "beyond upstream", the differences, the base image. */
export function planHeader(t: KindTopology): string {
  const pins = pinSet(t.settings.pinSet);
  const lane = laneOf(t);
  const base = t.ovnImage.build ? baseImageStatus(t.settings.baseImage, today()).detail : undefined;
  return [
    `# kind environment ${t.id}: ${t.ipFamily}, ${t.nodes.length} nodes, ` +
      `${t.settings.gatewayMode} gateway, MetalLB ${t.settings.metallbMode} mode`,
    `# pin set ${pins.name}: ${pins.ovnKubernetes.ref} at ${pins.ovnKubernetes.commit}, kind ${t.settings.versions.kind}, ` +
      `node ${t.settings.images.node}, MetalLB ${t.settings.versions.metallbChart}, FRR ${t.settings.images.frr} (harness/env/kind/pin-sets.ts)`,
    `# upstream's CI: ${upstreamCoverage(pins, combinationOf(t))}`,
    `# cluster: contrib/kind-helm.sh with ${lane ? `the variables of lane ${lane.job}` : "the scripts' defaults (no lane of this family and gateway mode)"} and ${KIND_CONFIG_SOURCE} (--config-file)`,
    "# on purpose unlike upstream: MetalLB is installed from its chart (not MetalLB's dev-env) and peers with this project's FRR peers; LoadBalancer return paths are learnt by BGP, not a static route; MULTI_POD_SUBNET is left off",
    ...(t.otherNetworks.some((n) => n.routing === 'vrf')
      ? [
          '# beyond upstream: the other networks are routed through a VRF (kind.networkRouting: vrf); upstream routes them by a plain table',
        ]
      : []),
    ...(base ? [`# base image: ${base}`] : []),
  ].join('\n');
}

/** The bring-up plan; a combination upstream does not run is refused (UsageError, one line). */
export function planKind(
  options: KindPlanOptions,
  files = readFrrStaticFiles(),
  kindConfigBase = readKindConfigBase(),
): KindPlan {
  const { topology, secrets } = kindTopologyOf(options);
  requireSupported(combinationOf(topology));
  return { topology, actions: planBringUp(topology, files, kindConfigBase), secrets };
}

/** What the host must offer for these settings; `environmentUp` lowers the disk it needs. */
/** Today's date (YYYY-MM-DD, UTC), for end-of-life checks; EC_TODAY fixes it for tests. */
function today(): string {
  return process.env.EC_TODAY ?? new Date().toISOString().slice(0, 10);
}

export function kindHostNeeds(t: KindTopology, environmentUp: boolean): HostNeeds {
  const s = t.settings;
  const build = t.ovnImage.build;
  const refusal = refusalOf(combinationOf(t));
  return {
    tools: [
      'kind',
      'kubectl',
      'helm',
      ...(s.ovnKubernetesSourcePath ? [] : ['git']),
      // dist/images/Makefile builds Go in its builder image: make and docker only.
      ...(build ? ['make'] : []),
      // contrib/kind-helm.sh's own dependencies (check_dependencies).
      'jq',
      'curl',
      'jinjanate',
    ],
    pinnedTools: pinnedTools(pinSet(s.pinSet)),
    modules: ['openvswitch', 'geneve', ...(t.otherNetworks.some((n) => n.routing === 'vrf') ? ['vrf'] : [])],
    families: t.families,
    freeBytes: environmentUp ? RUN_FREE_BYTES : MIN_FREE_BYTES,
    freeBytesReason: environmentUp ? 'for the run: the environment is up' : 'before bring-up',
    combination: describeCombination(combinationOf(t)),
    upstreamCoverage: upstreamCoverage(pinSet(s.pinSet), combinationOf(t)),
    ...(build ? { baseImage: baseImageStatus(s.baseImage, today()) } : {}),
    ...(refusal ? { refusal } : {}),
  };
}

async function waitForReadyNodes(
  client: KubeClient,
  count: number,
  timeoutMs: number,
  log: Logger,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nodes = await client.nodes().catch(() => []);
    const ready = nodes.filter((n) => n.ready).length;
    if (ready >= count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${ready} of ${count} nodes Ready after ${timeoutMs / 1000}s`);
    log.debug(`${ready}/${count} nodes Ready`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function teardownByLabel(entry: KindInventoryEntry): PlannedAction[] {
  const actions: PlannedAction[] = [
    {
      type: 'run',
      phase: 'down',
      title: `delete kind cluster ${entry.id}`,
      argv: ['kind', 'delete', 'cluster', '--name', entry.id],
      allowFailure: true,
    },
  ];
  if (entry.containers.length > 0) {
    actions.push({
      type: 'run',
      phase: 'down',
      title: 'remove the peers, sidecars and captures',
      argv: ['docker', 'rm', '--force', ...entry.containers.map((c) => c.name)],
      allowFailure: true,
    });
  }
  for (const network of entry.networks) {
    actions.push({
      type: 'run',
      phase: 'down',
      title: `remove docker network ${network}`,
      argv: ['docker', 'network', 'rm', network],
      allowFailure: true,
    });
  }
  return actions;
}

function expectedContainers(t: KindTopology): string[] {
  return t.peers.flatMap((p) => [p.container, p.probeContainer]);
}

function nodeNames(t: KindTopology): string[] {
  return t.nodes.map((n) => n.name);
}

export interface KindProviderDeps {
  runner?: CommandRunner;
  hostFacts?: HostFacts;
}

export function createKindProvider(deps: KindProviderDeps = {}) {
  const runner = deps.runner ?? execaRunner;
  const provider = {
    name: 'kind' as const,

    plannedDescription(options: KindOptions): EnvironmentDescription {
      return describeTopology(planKind(options).topology);
    },

    /** The complete bring-up plan as text: every command, file and manifest, in order. */
    printPlan(options: KindPlanOptions): string {
      const { topology, actions } = planKind(options);
      return printPlan(actions, planHeader(topology));
    },

    /** Every check `doctor` prints, for these settings and families. */
    async hostChecks(options: KindPlanOptions): Promise<HostCheck[]> {
      const { topology } = kindTopologyOf(options);
      const up = await listKindEnvironments(runner)
        .then((inventory) => {
          const entry = inventory.get(topology.id);
          return entry !== undefined && isComplete(entry, expectedContainers(topology), nodeNames(topology));
        })
        .catch(() => false);
      return checkKindHost(deps.hostFacts ?? realHostFacts(), kindHostNeeds(topology, up));
    },

    async preflight(options: KindOptions): Promise<PreflightProblem[]> {
      // A combination upstream does not run is the user's choice to change, not the host's.
      requireSupported(combinationOf(kindTopologyOf(options).topology));
      const checks = await provider.hostChecks(options);
      return checks.filter((c) => !c.ok).map((c) => ({ item: c.item, problem: c.detail, fix: c.fix }));
    },

    async up(options: KindOptions): Promise<UpResult> {
      const { topology: t, actions, secrets } = planKind(options);
      const log = options.log;
      const inventory = await listKindEnvironments(runner);
      const existing = inventory.get(t.id);
      const connect = () => {
        const { kubeConfig } = loadKubeconfig({ path: t.kubeconfigPath, context: t.context });
        return KubeClient.fromKubeconfig(kubeConfig);
      };
      // The cluster of these settings is this process's until it closes: `down` elsewhere leaves it up.
      const lease = await leaseKind(t.id, `${process.argv[2] ?? 'egress-conformance'} ${options.runId}`);
      const environment = (cluster: KubeClient, reused: boolean) => {
        const env = new KindEnvironment({ topology: t, cluster, runner, log, secrets, reused });
        const close = env.close.bind(env);
        env.close = async (closeOptions) => {
          try {
            await close(closeOptions);
          } finally {
            await lease.release();
          }
        };
        return env;
      };
      try {
        if (existing) {
          const complete =
            isComplete(existing, expectedContainers(t), nodeNames(t)) && existsSync(t.kubeconfigPath);
          if (!complete) {
            throw new Error(
              `kind environment ${t.id} exists but is not complete (stopped or missing containers); ` +
                `remove it with: egress-conformance down --provider kind --id ${t.id}`,
            );
          }
          log.info(`reusing kind environment ${t.id} (found by its labels)`);
          const cluster = connect();
          await waitForReadyNodes(cluster, t.nodes.length, 120_000, log);
          return { env: environment(cluster, true), phases: [], reused: true };
        }
        log.info(
          `creating kind environment ${t.id} (${actions.length} steps; work dir ${t.settings.workDir})`,
        );
        try {
          const phases = await executePlan(actions, { runner, log, secrets, signal: options.signal });
          const cluster = connect();
          await waitForReadyNodes(cluster, t.nodes.length, 300_000, log);
          return { env: environment(cluster, false), phases, reused: false };
        } catch (error) {
          const dir = join(
            t.settings.workDir,
            `bring-up-diagnostics-${new Date().toISOString().replace(/[:.]/g, '-')}`,
          );
          // The evidence first (kind's logs, then the cluster's and nodes' state), the teardown after.
          await executePlan(failedBringUpEvidence(t, dir), { runner, log, secrets }).catch(() => undefined);
          await writeDiagnostics(runner, diagnosticCommands(t, 'default'), dir).catch(() => undefined);
          log.warn(`bring-up failed; kind's logs and diagnostics in ${dir}`);
          if (!options.keep) {
            const entry = (await listKindEnvironments(runner).catch(() => new Map())).get(t.id);
            if (entry) await executePlan(teardownByLabel(entry), { runner, log, secrets });
          }
          throw error;
        }
      } catch (error) {
        await lease.release();
        throw error;
      }
    },

    async down(options: KindOptions & { all: boolean; id?: string; force?: boolean }): Promise<DownResult> {
      const inventory = await listKindEnvironments(runner);
      const ids = options.id
        ? [options.id]
        : options.all
          ? [...inventory.keys()]
          : [kindTopologyOf(options).topology.id];
      const removed: string[] = [];
      const kept: DownResult['kept'] = [];
      for (const id of ids) {
        const lease = await kindLeaseState(id);
        if (lease.state === 'in-use' && !options.force) {
          kept.push({ id, why: lease.why });
          continue;
        }
        const entry = inventory.get(id) ?? { id, containers: [], networks: [], nodes: [] };
        if (!inventory.has(id)) {
          // A cluster left without our labelled containers (a crash before the peers started).
          const clusters = await runner.run(['kind', 'get', 'clusters']);
          if (!clusters.stdout.split('\n').includes(id)) {
            await removeLease(leaseFile('kind', id));
            continue;
          }
        }
        await executePlan(teardownByLabel(entry), { runner, log: options.log, secrets: {} });
        await removeLease(leaseFile('kind', id));
        removed.push(id);
      }
      return { removed, kept };
    },

    async status(_options: KindOptions): Promise<EnvironmentStatus[]> {
      const inventory = await listKindEnvironments(runner);
      const statuses: EnvironmentStatus[] = [];
      for (const e of inventory.values()) {
        const all = [...e.nodes, ...e.containers];
        const running = all.filter((c) => c.state === 'running').length;
        const state =
          all.length > 0 && running === all.length
            ? 'running'
            : running === 0
              ? 'stopped (no container runs)'
              : `degraded (${all.length - running} of ${all.length} containers not running)`;
        const lease = await kindLeaseState(e.id);
        const details = [
          leaseLine(lease),
          `nodes: ${e.nodes.map((n) => `${n.name} (${n.state})`).join(', ') || 'none'}`,
          `containers: ${e.containers.map((c) => `${c.name} (${c.state})`).join(', ') || 'none'}`,
          `networks: ${e.networks.join(', ') || 'none'}`,
        ];
        // A run cannot reuse a stopped or degraded environment: how to remove this one, by its id.
        if (state !== 'running' && lease.state !== 'in-use')
          details.push(`remove it with: down --provider kind --id ${e.id}`);
        statuses.push({ id: e.id, state, details });
      }
      return statuses;
    },
  } satisfies Provider<KindSettings> & {
    printPlan(options: KindPlanOptions): string;
    hostChecks(options: KindPlanOptions): Promise<HostCheck[]>;
  };
  return provider;
}

/** Who uses the kind environment `id` (its cluster is named after it). */
function kindLeaseState(id: string): Promise<LeaseState> {
  return leaseStateOf(leaseFile('kind', id));
}

/** Takes the kind environment `id` for this process, or says who holds it. */
async function leaseKind(id: string, holder: string): Promise<HeldLease> {
  const result = await acquireLease(leaseFile('kind', id), { holder });
  if ('held' in result) return result.held;
  throw new Error(
    `kind environment ${id} is in use (${result.refused.why}); wait for that run, or choose other kind settings`,
  );
}

export const kindProvider = createKindProvider();
