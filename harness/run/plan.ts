/**
 * Which tests a run consists of: every selected scenario x family, each with its namespace and
 * unique id, or a skip reason. Pure: it needs the catalogue, the options and what the
 * environment offers, nothing else, so the dry run and the real run plan identically.
 */
import { createHash } from 'node:crypto';
import type { EnvironmentDescription, IpFamily } from '../env/environment.js';
import type { LoadedScenario } from '../spec/loader.js';
import { captureSiteOfStep } from '../spec/steps/index.js';
import { addressesReserved, usesEgressIP } from '../spec/template.js';
import { notSelectedBecause, type TestFilters } from './filters.js';
import type { RunOptions } from './options.js';
import type { SkipReason, TestFamily } from './results.js';

export interface PlannedTest {
  loaded: LoadedScenario;
  family: TestFamily;
  /** Position in the run, from 0. */
  index: number;
  namespace: string;
  /** Short id unique to this test in this run, for names outside the namespace. */
  uid: string;
  /** The run's id: a label on the test's namespace and on every object it applies. */
  runId: string;
  /**
   * The test's LoadBalancer addresses: `count` (of each family) from the `offset`-th of the
   * environment's range on, none shared with another test of the plan (`${pool.addresses.N}`).
   */
  addresses: { offset: number; count: number };
  /** Which address of the environment's EgressIP range is this test's, if it uses one. */
  egressIP?: number;
  skip?: { reason: SkipReason; message: string };
}

const FAMILY_SUFFIX: Record<TestFamily, string> = { ipv4: 'v4', ipv6: 'v6', dual: 'ds' };

/**
 * A test's namespace, or (with `extra`) a further namespace it declares in `requires.namespaces`.
 * Namespaces are DNS labels, at most 63 characters: an id too long to fit is cut and given a hash
 * of the whole id, so two ids that differ only past the cut still get different namespaces.
 */
export function namespaceFor(runId: string, scenarioId: string, family: TestFamily, extra?: string): string {
  const prefix = `ec-${runId}-`;
  const suffix = `-${FAMILY_SUFFIX[family]}${extra ? `-${extra}` : ''}`;
  const room = 63 - prefix.length - suffix.length;
  let stem = scenarioId;
  if (stem.length > room) {
    const hash = createHash('sha256').update(scenarioId).digest('hex').slice(0, 8);
    stem = `${scenarioId.slice(0, room - hash.length - 1).replace(/-+$/, '')}-${hash}`;
  }
  return `${prefix}${stem}${suffix}`;
}

/** Every namespace of a test: its own first, then the ones it declares, by name. */
export function testNamespaces(test: PlannedTest): Array<{ name?: string; namespace: string }> {
  return [
    { namespace: test.namespace },
    ...(test.loaded.scenario.requires.namespaces ?? []).map((name) => ({
      name,
      namespace: namespaceFor(test.runId, test.loaded.scenario.id, test.family, name),
    })),
  ];
}

/**
 * The single families an environment can offer: those it brought up, and those its features
 * declare (a lab brought up for IPv4 alone still supports IPv6). A run planned with `--family`
 * lists the others' tests as not selected, so that "N of M tests selected" counts every test the
 * environment could have run, whatever one run asked for.
 */
function familiesOffered(env: EnvironmentDescription): IpFamily[] {
  const declares = (name: string) => env.features.some((f) => f.name === name && f.supported);
  return (['ipv4', 'ipv6'] as const).filter(
    (family) => env.families.includes(family) || (family === 'ipv6' && declares('IPv6')),
  );
}

function familiesFor(scenario: LoadedScenario['scenario'], offered: IpFamily[]) {
  if (scenario.requires.dualStack) return ['dual'] as TestFamily[];
  return (scenario.requires.families ?? ['ipv4', 'ipv6']).filter((f) => offered.includes(f)) as TestFamily[];
}

/** A family `--family` left out: `--family ipv4` selects the IPv4 tests only, `dual` all of them. */
function familyLeftOut(family: TestFamily, option: RunOptions['family']): boolean {
  return (option === 'ipv4' || option === 'ipv6') && family !== option;
}

function unsupported(
  scenario: LoadedScenario['scenario'],
  family: TestFamily,
  env: EnvironmentDescription,
): string | undefined {
  const missingFeatures = scenario.features.filter(
    (feature) => !env.features.some((f) => f.name === feature && f.supported),
  );
  if (missingFeatures.length > 0) {
    // With the environment's reason where it gives one (e.g. what to declare to enable it).
    const described = missingFeatures.map((name) => {
      const reason = env.features.find((f) => f.name === name)?.reason;
      return reason ? `${name}: ${reason}` : name;
    });
    return `the environment does not support ${described.join('; ')}`;
  }
  if (env.nodes.length < scenario.requires.nodes) {
    return `needs ${scenario.requires.nodes} nodes, the environment has ${env.nodes.length}`;
  }
  if (family === 'dual' && !(env.families.includes('ipv4') && env.families.includes('ipv6'))) {
    return 'needs a dual-stack environment';
  }
  if (family !== 'dual' && !env.families.includes(family)) return `the environment does not offer ${family}`;
  const missingNetworks = scenario.requires.networks.filter(
    (n) => !env.networks.some((net) => net.name === n),
  );
  if (missingNetworks.length > 0) return `needs the network(s) ${missingNetworks.join(', ')}`;
  if (env.noControllerRestart && scenario.steps.some((step) => step.kind === 'stopController'))
    return `restarts the EgressService controllers: ${env.noControllerRestart}`;
  const targets = env.probeTargets ?? ['peer', 'pod', 'node'];
  for (const step of scenario.steps) {
    const site = captureSiteOfStep(step);
    if (site && !targets.includes(site)) {
      return `captures traffic at a ${site}, and the environment captures only at ${targets.join(', ')}`;
    }
  }
  return undefined;
}

function inProfile(scenario: LoadedScenario['scenario'], profile: RunOptions['profile']): boolean {
  return profile === 'all' || scenario.profile === profile;
}

/** Lists the tests of a run in catalogue order, families in order ipv4, ipv6, dual. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the plan's selection rules (profile, run-test, skip, family, shard) in one order
export function planRun(
  scenarios: LoadedScenario[],
  options: Pick<RunOptions, 'profile' | 'family' | 'skipProvisional'> & TestFilters,
  env: EnvironmentDescription,
  runId: string,
): PlannedTest[] {
  const tests: PlannedTest[] = [];
  // Every test, run or skipped, keeps its addresses: shards of one plan never share one.
  let nextAddress = 0;
  let nextEgressIP = 0;
  const ordered = [...scenarios].sort((a, b) =>
    a.scenario.profile === b.scenario.profile ? 0 : a.scenario.profile === 'core' ? -1 : 1,
  );
  for (const loaded of ordered) {
    const { scenario } = loaded;
    if (!inProfile(scenario, options.profile)) continue;
    const families = familiesFor(scenario, familiesOffered(env));
    const addressCount = addressesReserved([scenario.manifests, scenario.steps]);
    const egressIP = usesEgressIP([scenario.manifests, scenario.steps]);
    for (const family of families) {
      // A family the environment declares but did not bring up is planned only where a single
      // --family names one (the other then not selected, or the named one not offered).
      const broughtUp = family === 'dual' || env.families.includes(family);
      if (!broughtUp && options.family !== 'ipv4' && options.family !== 'ipv6') continue;
      const index = tests.length;
      // A single family --family left out takes no addresses: the run's tests keep the ones
      // they would have had without it (and no environment's range must hold more).
      const reserves = family === 'dual' || !familyLeftOut(family, options.family);
      const test: PlannedTest = {
        loaded,
        family,
        index,
        namespace: namespaceFor(runId, scenario.id, family),
        uid: `ec${runId}${index.toString(36)}${FAMILY_SUFFIX[family]}`,
        runId,
        addresses: { offset: nextAddress, count: reserves ? addressCount : 0 },
      };
      if (reserves) nextAddress += addressCount;
      if (egressIP && reserves) test.egressIP = nextEgressIP++;
      const why = unsupported(scenario, family, env);
      const left = notSelectedBecause(scenario, family, options);
      if (familyLeftOut(family, options.family)) {
        test.skip = { reason: 'not-selected', message: `--family ${options.family}` };
      } else if (left) {
        test.skip = { reason: 'not-selected', message: left };
      } else if (why) {
        test.skip = { reason: 'not-supported', message: why };
      } else if (scenario.provisional && options.skipProvisional) {
        test.skip = { reason: 'provisional', message: 'provisional scenario; --skip-provisional was given' };
      }
      tests.push(test);
    }
  }
  return tests;
}

/** Test ids named in --run-test / --skip-tests that no scenario has: a usage error. */
export function unknownTestIds(scenarios: LoadedScenario[], ids: string[]): string[] {
  const known = new Set(scenarios.map((s) => s.scenario.id));
  return ids.filter((id) => !known.has(id));
}

/** `--shard I/N`: the I-th (from 1) of N slices of a run. */
export interface Shard {
  index: number;
  total: number;
}

/**
 * Keeps this shard's slice of a plan; the other tests are skipped as `other-shard`, so that every
 * shard reports the whole plan and merging takes each test from the shard that ran it. Only the
 * tests that would run are dealt out, in plan order, so every shard gets a near-equal share; tests
 * that run alone (they serialise a run) are dealt separately from the others, so the shards also
 * share those evenly. Deterministic: the same catalogue, options and environment give every shard
 * the same plan and the same slices. Indices (and so each test's addresses) stay the whole plan's.
 */
export function selectShard(
  tests: PlannedTest[],
  shard: Shard,
  runsAlone: (test: PlannedTest) => boolean,
): PlannedTest[] {
  const runnable = tests.filter((t) => !t.skip);
  const alone = runnable.filter(runsAlone);
  const together = runnable.filter((t) => !runsAlone(t));
  const owner = new Map<PlannedTest, number>();
  alone.forEach((test, i) => {
    owner.set(test, i % shard.total);
  });
  // Start the others where the lone tests stopped, so no shard gets an extra of both.
  together.forEach((test, i) => {
    owner.set(test, (alone.length + i) % shard.total);
  });
  return tests.map((test) => {
    const slot = owner.get(test);
    if (slot === undefined || slot === shard.index - 1) return test;
    return {
      ...test,
      skip: { reason: 'other-shard', message: `run by shard ${slot + 1}/${shard.total}` },
    };
  });
}
