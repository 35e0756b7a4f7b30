/**
 * The `lab` provider: brings a lab up (or reuses one kept by `up`/`--keep`), runs the reference
 * implementation on it, and tears down what the run created.
 */
import { execa } from 'execa';
import { UsageError } from '../../common/errors.js';
import { TOOL_VERSION } from '../../common/version.js';
import type { EnvironmentDescription, IpFamily } from '../environment.js';
import type {
  DownResult,
  EnvironmentStatus,
  PreflightProblem,
  Provider,
  ProviderOptions,
  UpResult,
} from '../provider.js';
import { type HeldLease, leaseLine } from '../shared/lease.js';
import {
  LAB_IMAGES,
  LAB_POLL_INTERVAL_MS,
  LAB_TIMEOUT_DEFAULTS,
  LabEnvironment,
  labFeatures,
  labParallelism,
  METALLB_NAMESPACE,
  referenceImplementation,
} from './environment.js';
import { destroyAllLabs, destroyLab, listLabs } from './infra/destroy.js';
import { checkDockerHost } from './infra/docker.js';
import { ensureLabImages, ensureOvnLabImages, imagePrefix, type LabImages } from './infra/images.js';
import { Lab } from './infra/lab.js';
import { labLeaseState, leaseLab, removeLabLease } from './infra/lab-lease.js';
import { LAB_LABEL, newLabId } from './infra/labels.js';
import { additionalNetworks, type LabDataPlane, type LabGatewayMode, planLab } from './infra/topology.js';
import { labMachines } from './machines.js';
import { ReferenceController } from './reference/controller.js';
import { ObjectStore } from './reference/store.js';
import { checkGatewayModeFamilies, type LabSettings } from './settings.js';

/** The run label of labs left up for reuse; only these are ever reused. */
export const KEPT_RUN = 'kept';

type LabOptions = ProviderOptions<LabSettings>;

const KEPT_POOL = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * The run label of the kept labs this process makes, reuses and removes with `down`: `kept`, or
 * `kept-<pool>` when `EC_LAB_KEPT_POOL` names a pool. A run reuses only its own pool's kept labs,
 * so processes sharing one engine (two test files at once, a developer's lab beside the test
 * suite) never pick up each other's. A bad value is a usage error (checked before bring-up).
 */
export function keptRunLabel(pool = process.env.EC_LAB_KEPT_POOL): string {
  if (pool === undefined || pool === '') return KEPT_RUN;
  if (!KEPT_POOL.test(pool)) {
    throw new UsageError(
      `EC_LAB_KEPT_POOL ${JSON.stringify(pool.slice(0, 60))}: expected 1-40 characters of a-z, 0-9 and '-', starting alphanumeric`,
    );
  }
  return `${KEPT_RUN}-${pool}`;
}

/** How `status` names a lab's run: kept (in which pool) or the run that made it. */
function runState(runId: string): string {
  if (runId === KEPT_RUN) return 'up (kept for reuse)';
  if (runId.startsWith(`${KEPT_RUN}-`))
    return `up (kept for reuse in pool ${runId.slice(KEPT_RUN.length + 1)})`;
  return `up (run ${runId})`;
}

function familiesOf(options: LabOptions): IpFamily[] {
  return options.families ?? ['ipv4', 'ipv6'];
}

/** A lab's containers as the engine lists them: name, image and whether it runs. */
async function containersOf(
  labId: string,
): Promise<Array<{ name: string; image: string; running: boolean }>> {
  const { stdout } = await execa('docker', [
    'ps',
    '--all',
    '--filter',
    `label=${LAB_LABEL}=${labId}`,
    '--format',
    '{{.Names}}\t{{.Image}}\t{{.State}}',
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', image = '', state = ''] = line.split('\t');
      return { name, image, running: state === 'running' };
    });
}

/**
 * Why a kept lab cannot serve this run, or undefined if it can. A lab from other images (an older
 * checkout, another clone) would run other lab tools than this code expects; a lab whose
 * containers are gone or stopped (an engine restart, a machine image taken with the lab's
 * networks in it, a container removed by hand) would fail the run's first command.
 */
async function unusable(lab: Lab, images: LabImages): Promise<string | undefined> {
  const containers = await containersOf(lab.id);
  const byName = new Map(containers.map((c) => [c.name, c]));
  const wanted = [...lab.nodes(), ...lab.peers()].map((m) => m.container);
  const missing = wanted.filter((name) => !byName.get(name)?.running);
  if (missing.length > 0) return `${missing.join(', ')} not running`;
  const known = [images.node, images.peer, images.ovnNode];
  if (containers.some((c) => !known.includes(c.image))) return 'built from other lab images';
  return undefined;
}

/**
 * A whole kept lab with the same shape, built from the current lab images, if any. Kept labs
 * that are not whole are left alone (they are the user's, kept on purpose) and named, so that
 * `down` can remove them.
 */
async function findKeptLab(
  families: IpFamily[],
  nodes: number,
  dataPlane: LabDataPlane,
  gatewayMode: LabGatewayMode | undefined,
  images: LabImages,
  holder: string,
  log: (line: string) => void,
): Promise<{ lab: Lab; lease: HeldLease } | undefined> {
  const kept = keptRunLabel();
  for (const id of await listLabs()) {
    const lab = await Lab.attach(id).catch(() => undefined);
    // Another pool's kept lab is not this run's to take (nor to name: it is not for this run).
    if (!lab || lab.plan.runId !== kept) continue;
    // Every kept lab passed over is named with the reason: a run (a shard, say) that brings up a
    // lab of its own beside a kept one must say why (issue #23).
    const otherShape = keptLabShapeMismatch(
      { nodes: lab.nodes().length, families: lab.families, networks: lab.plan.networks.length },
      { nodes, families },
    );
    if (otherShape) {
      log(`not reusing kept lab ${id} (${otherShape})`);
      continue;
    }
    if (lab.plan.dataPlane !== dataPlane) {
      log(`not reusing kept lab ${id} (its data plane is ${lab.plan.dataPlane}, this run's ${dataPlane})`);
      continue;
    }
    if (lab.plan.gatewayMode !== gatewayMode) {
      log(
        `not reusing kept lab ${id} (its gateway mode is ${lab.plan.gatewayMode}, this run's ${gatewayMode})`,
      );
      continue;
    }
    const why = await unusable(lab, images);
    if (why) {
      log(`not reusing kept lab ${id} (${why}); \`down --provider lab --id ${id}\` removes it`);
      continue;
    }
    // A kept lab another run is using right now is not free: look further, or make a new one.
    const lease = await leaseLab(lab.id, holder);
    if (lease) return { lab, lease };
    log(`not reusing kept lab ${id} (another run is using it)`);
  }
  return undefined;
}

/**
 * Why a kept lab of this shape cannot serve a run that wants `wanted`, or undefined when the
 * shapes agree: node count, families (in order), and the networks a lab of this code has (one
 * kept before the tertiary network existed lacks it).
 */
export function keptLabShapeMismatch(
  kept: { nodes: number; families: readonly IpFamily[]; networks: number },
  wanted: { nodes: number; families: readonly IpFamily[] },
): string | undefined {
  if (kept.families.join() !== wanted.families.join())
    return `it has ${kept.families.join('+')}; this run needs ${wanted.families.join('+')}`;
  if (kept.nodes !== wanted.nodes) return `it has ${kept.nodes} nodes; this run needs ${wanted.nodes}`;
  const networks = 1 + additionalNetworks({}).length;
  if (kept.networks !== networks)
    return `it has ${kept.networks} networks, made by an older version; this run needs ${networks}`;
  return undefined;
}

async function fingerprintOf(lab: Lab): Promise<Record<string, string>> {
  const node = lab.nodes()[0]?.name as string;
  const [frr, kernel, docker] = await Promise.all([
    lab
      .exec(node, ['vtysh', '-c', 'show version'])
      .then((r) => /FRRouting (\S+)/.exec(r.stdout)?.[1] ?? 'unknown'),
    lab.exec(node, ['uname', '-r']).then((r) => r.stdout.trim()),
    execa('docker', ['version', '--format', '{{.Server.Version}}']).then((r) => r.stdout.trim()),
  ]).catch(() => ['unknown', 'unknown', 'unknown']);
  return {
    provider: 'lab',
    labId: lab.id,
    nodes: String(lab.nodes().length),
    families: lab.families.join('+'),
    ...(lab.plan.dataPlane === 'ovn'
      ? { dataPlane: 'ovn', gatewayMode: lab.plan.gatewayMode ?? 'local' }
      : {}),
    frr: frr as string,
    kernel: kernel as string,
    dockerEngine: docker as string,
    egressConformance: TOOL_VERSION,
  };
}

/**
 * The labs `down` without `--id` or `--all` removes: the kept ones of this process's pool
 * (`EC_LAB_KEPT_POOL`), and those that are not whole.
 */
async function keptOrBroken(): Promise<string[]> {
  const kept = keptRunLabel();
  const ids: string[] = [];
  for (const id of await listLabs()) {
    const lab = await Lab.attach(id).catch(() => undefined);
    if (!lab || lab.plan.runId === kept) ids.push(id);
  }
  return ids;
}

export const labProvider: Provider<LabSettings> = {
  name: 'lab',

  checkEnvironmentVariables(): void {
    imagePrefix();
    keptRunLabel();
  },

  plannedDescription(options: LabOptions): EnvironmentDescription {
    const families = familiesOf(options);
    const { faults, nodes, dataPlane, gatewayMode } = options.settings;
    checkGatewayModeFamilies(gatewayMode, families);
    // Docker picks the node subnets at bring-up; the plan shows the first candidate.
    const plan = planLab(
      'planned',
      options.runId,
      {
        families,
        dataPlane,
        ...(gatewayMode ? { gatewayMode } : {}),
        ...(nodes !== undefined ? { nodes } : {}),
      },
      {
        default: { ipv4: '10.213.0.0/24', ipv6: 'fd65:636c:6162::/64' },
        secondary: { ipv4: '10.213.1.0/24', ipv6: 'fd65:636c:6162:1::/64' },
        tertiary: { ipv4: '10.213.2.0/24', ipv6: 'fd65:636c:6162:2::/64' },
      },
    );
    return {
      provider: 'lab',
      id: 'planned',
      implementation: referenceImplementation(faults),
      families,
      nodes: plan.nodes.map((n) => ({
        name: n.name,
        addresses: { ...n.addresses },
        networkAddresses: structuredClone(n.networkAddresses),
        labels: { ...n.labels },
        ready: true,
      })),
      networks: plan.networks.map((n) => ({
        name: n.name,
        ...(n.routingTable ? { routingTable: String(n.routingTable.id) } : {}),
        subnets: Object.fromEntries(families.map((f) => [f, n.subnets[f]])),
      })),
      peers: plan.peers.map((p) => ({
        name: p.name,
        network: p.network,
        addresses: { ...p.serviceAddresses },
        asn: p.asn,
        probePort: p.probePort,
        probePorts: [...p.extraProbePorts],
      })),
      features: labFeatures(plan.networks.length),
      loadBalancerRanges: { ...plan.loadBalancerRanges },
      metallbNamespace: METALLB_NAMESPACE,
      images: { ...LAB_IMAGES },
      fingerprint: { provider: 'lab', planned: 'true' },
      timeoutDefaults: { ...LAB_TIMEOUT_DEFAULTS },
      parallelism: labParallelism(),
      pollIntervalMs: LAB_POLL_INTERVAL_MS,
    };
  },

  async preflight(): Promise<PreflightProblem[]> {
    await checkDockerHost();
    const problems: PreflightProblem[] = [];
    const docker = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false });
    if (docker.exitCode !== 0) {
      problems.push({
        item: 'docker',
        problem:
          docker.failed && docker.code === 'ENOENT'
            ? 'the docker client is not installed'
            : 'the Docker engine does not answer',
        fix: 'run scripts/install-host.sh as root (installs docker.io and starts dockerd)',
      });
    }
    return problems;
  },

  async up(options: LabOptions): Promise<UpResult> {
    await checkDockerHost();
    const families = familiesOf(options);
    const { faults, nodes, behaviour, dataPlane, gatewayMode } = options.settings;
    checkGatewayModeFamilies(gatewayMode, families);
    const log = (line: string) => options.log.info(`lab: ${line}`);
    const phases: UpResult['phases'] = [];
    const started = performance.now();
    let images = await ensureLabImages({ log });
    if (dataPlane === 'ovn') images = { ...images, ovnNode: (await ensureOvnLabImages({ log })).node };
    phases.push({ name: 'images', durationMs: Math.round(performance.now() - started) });
    // Who holds the lab while this process uses it: `status` and `down` show it.
    const holder = `${process.argv[2] ?? 'egress-conformance'} ${options.runId}`;
    const found = await findKeptLab(families, nodes ?? 3, dataPlane, gatewayMode, images, holder, log);
    const reused = found !== undefined;
    let lab: Lab;
    let lease: HeldLease;
    if (found) {
      ({ lab, lease } = found);
      log(`reusing lab ${lab.id} (kept up by an earlier run)`);
    } else {
      // Leased before it exists: a `down --all` during the bring-up leaves it alone.
      const id = newLabId();
      const held = await leaseLab(id, holder);
      if (!held) throw new Error(`lab ${id}: its lease is held by another process (an id clash; run again)`);
      lease = held;
      lab = await Lab.create({
        id,
        families,
        dataPlane,
        ...(gatewayMode ? { gatewayMode } : {}),
        ...(nodes !== undefined ? { nodes } : {}),
        images,
        runId: options.keep ? keptRunLabel() : options.runId,
        log,
        signal: options.signal,
      }).catch(async (error: unknown) => {
        await lease.release();
        throw error;
      });
      const t = lab.timings;
      if (t) {
        phases.push(
          { name: 'networks', durationMs: t.networksMs },
          { name: 'containers', durationMs: t.containersMs },
          { name: 'setup', durationMs: t.setupMs },
          { name: 'bgp established', durationMs: t.bgpEstablishedMs },
          { name: 'routes', durationMs: t.routesMs },
        );
      }
    }
    if (faults.length > 0)
      log(`running with known faults: ${faults.join(', ')} (this lab is NOT conformant)`);
    const store = new ObjectStore();
    const controller = new ReferenceController(
      labMachines(lab),
      store,
      (line) => options.log.debug(`reference: ${line}`),
      behaviour,
    );
    if (reused) await controller.reset();
    controller.start();
    const fingerprint = await fingerprintOf(lab);
    if (faults.length > 0) fingerprint.faults = faults.join(',');
    const env = new LabEnvironment(lab, store, controller, fingerprint, faults);
    // A reused lab outlives this run whatever it asks; one made for this run goes unless kept.
    const close = env.close.bind(env);
    env.close = async (closeOptions) => {
      try {
        await close({ keep: reused || closeOptions.keep });
      } finally {
        await lease.release();
      }
    };
    return { env, phases, reused };
  },

  async down(options): Promise<DownResult> {
    const targets = options.id ? [options.id] : options.all ? await listLabs() : await keptOrBroken();
    const removed: string[] = [];
    const kept: DownResult['kept'] = [];
    const idle: string[] = [];
    for (const id of targets) {
      const lease = await labLeaseState(id);
      if (lease.state === 'in-use' && !options.force) kept.push({ id, why: lease.why });
      else idle.push(id);
    }
    if (options.all && kept.length === 0) {
      // Every lab, by the label alone: also what a crash left without a lab id.
      const result = await destroyAllLabs();
      removed.push(...result.containers, ...result.networks);
    } else {
      for (const id of idle) {
        const result = await destroyLab(id);
        removed.push(...result.containers, ...result.networks);
      }
    }
    for (const id of idle) await removeLabLease(id);
    return { removed, kept };
  },

  async status(): Promise<EnvironmentStatus[]> {
    const statuses: EnvironmentStatus[] = [];
    for (const id of await listLabs()) {
      const lab = await Lab.attach(id).catch(() => undefined);
      if (!lab) {
        statuses.push({
          id,
          state: 'broken (containers or networks missing)',
          details: [leaseLine(await labLeaseState(id)), `remove it with: down --provider lab --id ${id}`],
        });
        continue;
      }
      const topology = await lab.describe().catch(() => undefined);
      statuses.push({
        id,
        state: runState(lab.plan.runId),
        details: [
          leaseLine(await labLeaseState(id)),
          `families: ${lab.families.join(', ')}`,
          `nodes: ${(topology?.nodes ?? []).map((n) => `${n.name}${n.ready ? '' : ' (failed)'}`).join(', ')}`,
          `peers: ${lab
            .peers()
            .map((p) => p.name)
            .join(', ')}`,
        ],
      });
    }
    return statuses;
  },
};
