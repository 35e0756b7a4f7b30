/**
 * A test's context: the values its templates are rendered with, and its rendered manifests.
 * Everything environment-specific a scenario sees passes through here.
 */

import { nthAddressOf } from '../common/address-block.js';
import { UsageError } from '../common/errors.js';
import {
  type EnvironmentDescription,
  type IpFamily,
  type KubeObject,
  type PeerInfo,
  RUN_LABEL,
} from '../env/environment.js';
import {
  manifestScopeIssues,
  nodeLabelKeyIssue,
  ownObjects,
  patchScopeIssues,
  type ScopeNames,
} from '../spec/scope.js';
import { specLoadIssues, versionsOf } from '../spec/scope-load.js';
import { allowedRules, reservedValues, type ScopeException } from '../spec/scope-reach.js';
import { networkTableVariable, render, type TemplateValues } from '../spec/template.js';
import { type PlannedTest, testNamespaces } from './plan.js';
import type { BackgroundTraffic } from './traffic/flow.js';
import type { RecordedPod } from './traffic/pod-sets.js';

export interface TestContext {
  test: PlannedTest;
  env: EnvironmentDescription;
  /** Families the test's traffic uses: one, or both for a dual-stack test. */
  families: IpFamily[];
  values: TemplateValues;
  manifests: Record<string, KubeObject>;
  /** Nodes failed by `failNode` steps, keyed by the step's node reference. */
  failedNodes: Map<string, string>;
  /** When the last `failNode` step failed its node (ms since the epoch), for `measure: failover`. */
  failedAt?: number;
  /** Background traffic started by `startTraffic`, by name, until `stopTraffic` ends it. */
  traffic: Map<string, BackgroundTraffic>;
  /** Pods recorded by `recordPods` and `deletePods`, by set name. */
  podSets: Map<string, RecordedPod[]>;
}

export function defaultPeer(env: EnvironmentDescription, name = 'default'): PeerInfo | undefined {
  if (name === 'default') return env.peers.find((p) => p.network === 'default') ?? env.peers[0];
  return env.peers.find((p) => p.name === name);
}

/**
 * The n-th LoadBalancer address reserved for a test (n from 0): the plan gives each test its own
 * run of the family's range, after the range's network address.
 */
function addressFor(env: EnvironmentDescription, family: IpFamily, test: PlannedTest, n: number): string {
  const range = env.loadBalancerRanges[family];
  if (!range) return '';
  const number = test.addresses.offset + n + 1;
  try {
    return nthAddressOf(range, number);
  } catch {
    throw new AddressRangeError(
      `the ${family} LoadBalancer range ${range} has no address number ${number}, which ${test.loaded.scenario.id} needs: the run needs a larger range (loadBalancerRanges) or fewer tests`,
    );
  }
}

/** The environment's LoadBalancer or EgressIP range is too small for the plan. */
export class AddressRangeError extends UsageError {}

/** Throws an AddressRangeError when a planned test's addresses lie beyond the environment's ranges. */
export function checkAddressRoom(tests: readonly PlannedTest[], env: EnvironmentDescription): void {
  // Tests that hold no address (a family --family left out) need no room.
  const last = tests
    .filter((test) => test.addresses.count > 0)
    .reduce<PlannedTest | undefined>(
      (end, test) =>
        !end || test.addresses.offset + test.addresses.count > end.addresses.offset + end.addresses.count
          ? test
          : end,
      undefined,
    );
  if (!last) return;
  for (const family of ['ipv4', 'ipv6'] as const) addressFor(env, family, last, last.addresses.count - 1);
  const lastEgressIP = tests.findLast((test) => test.egressIP !== undefined);
  if (lastEgressIP) for (const family of ['ipv4', 'ipv6'] as const) egressIPFor(env, family, lastEgressIP);
}

/** One address as a pool range (a /32 or /128). */
function poolFor(env: EnvironmentDescription, family: IpFamily, test: PlannedTest, n: number): string {
  const address = addressFor(env, family, test, n);
  return address ? `${address}/${family === 'ipv4' ? 32 : 128}` : '';
}

/**
 * The EgressIP address reserved for one test: the (n+1)-th of the family's EgressIP range, n
 * counting only the tests of the plan that use one; '' for a test that uses none.
 */
export function egressIPFor(env: EnvironmentDescription, family: IpFamily, test: PlannedTest): string {
  const range = env.egressIPRanges?.[family];
  if (!range || test.egressIP === undefined) return '';
  const number = test.egressIP + 1;
  try {
    return nthAddressOf(range, number);
  } catch {
    throw new AddressRangeError(
      `the ${family} EgressIP range ${range} has no address number ${number}, which ${test.loaded.scenario.id} needs: the run needs a larger range (egressIPRanges) or fewer EgressIP tests`,
    );
  }
}

export function templateValues(test: PlannedTest, env: EnvironmentDescription): TemplateValues {
  const primary: IpFamily = test.family === 'dual' ? 'ipv4' : test.family;
  const peer = defaultPeer(env);
  const values: TemplateValues = {
    namespace: test.namespace,
    uid: test.uid,
    family: primary,
    ipFamily: primary === 'ipv4' ? 'IPv4' : 'IPv6',
    'pool.addresses': poolFor(env, primary, test, 0),
    'pool.ipv4': poolFor(env, 'ipv4', test, 0),
    'pool.ipv6': poolFor(env, 'ipv6', test, 0),
    'egressIP.address': egressIPFor(env, primary, test),
    'egressIP.ipv4': egressIPFor(env, 'ipv4', test),
    'egressIP.ipv6': egressIPFor(env, 'ipv6', test),
    'metallb.namespace': env.metallbNamespace,
    'peer.address': peer?.addresses[primary] ?? '',
    'probe.port': peer?.probePort ?? 8080,
    'images.agnhost': env.images.agnhost ?? '',
    'nodes.count': env.nodes.length,
  };
  for (let n = 0; n < test.addresses.count; n++) {
    values[`pool.addresses.${n}`] = poolFor(env, primary, test, n);
    values[`pool.address.${n}`] = addressFor(env, primary, test, n);
    values[`pool.ipv4.${n}`] = poolFor(env, 'ipv4', test, n);
    values[`pool.ipv6.${n}`] = poolFor(env, 'ipv6', test, n);
  }
  for (const extra of testNamespaces(test)) {
    if (extra.name !== undefined) values[`namespaces.${extra.name}`] = extra.namespace;
  }
  env.nodes.forEach((node, i) => {
    values[`nodes.${i}`] = node.name;
  });
  // spec.network names what the environment's nodes route by: the provider's table for the network.
  for (const network of env.networks) {
    if (network.routingTable !== undefined) values[networkTableVariable(network.name)] = network.routingTable;
  }
  return values;
}

/** A rendered manifest outside the spec's scope (spec/scope.ts): the run refuses it before anything is applied. */
export class ScopeError extends UsageError {}

/** The names the scope guard holds a test's rendered manifests and label keys to. */
export function scopeNamesOf(
  test: PlannedTest,
  env: EnvironmentDescription,
  exceptions: readonly ScopeException[] = [],
): ScopeNames {
  const values = templateValues(test, env);
  return {
    testNamespaces: testNamespaces(test).map((n) => n.namespace),
    metallbNamespace: env.metallbNamespace,
    uid: test.uid,
    reserved: reservedValues(values),
    allowed: allowedRules(exceptions, test.loaded.scenario.id),
    // Rendered as the objects sent are, so an ownerReference is compared with rendered names.
    objects: ownObjects(
      Object.values(test.loaded.scenario.manifests).map((m) => render(m as KubeObject, values)),
    ),
  };
}

/**
 * A test's rendered manifests, each checked by the scope guard, as is the object every `patch`
 * step makes of one; `exceptions`: the options file's `scopeExceptions`.
 */
export function contextFor(
  test: PlannedTest,
  env: EnvironmentDescription,
  exceptions: readonly ScopeException[] = [],
): TestContext {
  const values = templateValues(test, env);
  const manifests: Record<string, KubeObject> = {};
  const names = scopeNamesOf(test, env, exceptions);
  for (const [name, manifest] of Object.entries(test.loaded.scenario.manifests)) {
    const object = render(manifest as KubeObject, values);
    const issue = manifestScopeIssues(object, names)[0];
    if (issue) {
      throw new ScopeError(
        `${test.loaded.file}: manifests.${name}.${issue.path.join('.')}: ${issue.message} (rendered for ${test.namespace})`,
      );
    }
    object.metadata = { ...object.metadata, labels: { ...object.metadata?.labels, [RUN_LABEL]: test.runId } };
    manifests[name] = object;
  }
  test.loaded.scenario.steps.forEach((step, index) => {
    if (step.kind !== 'patch') return;
    const manifest = manifests[step.body.manifest];
    const issue = manifest && patchScopeIssues(manifest, render(step.body.patch, values), names)[0];
    if (issue) {
      throw new ScopeError(
        `${test.loaded.file}:${test.loaded.stepLines[index] ?? 0}: steps[${index}].patch (manifest ${step.body.manifest}) ${issue.path.join('.')}: ${issue.message} (rendered for ${test.namespace})`,
      );
    }
  });
  const load = names.allowed?.has('load')
    ? undefined
    : specLoadIssues(renderedVersions(test, manifests, values))[0];
  if (load)
    throw new ScopeError(`${test.loaded.file}: manifests: ${load.message} (rendered for ${test.namespace})`);
  test.loaded.scenario.steps.forEach((step, index) => {
    if (step.kind !== 'labelNode' && step.kind !== 'unlabelNode') return;
    const issue = nodeLabelKeyIssue(String(render(step.body.key, values)), names, step.kind);
    if (issue) {
      throw new ScopeError(
        `${test.loaded.file}:${test.loaded.stepLines[index] ?? 0}: steps[${index}].${step.kind}.key: ${issue}`,
      );
    }
  });
  return {
    test,
    env,
    families: test.family === 'dual' ? ['ipv4', 'ipv6'] : [test.family],
    values,
    manifests,
    failedNodes: new Map(),
    traffic: new Map(),
    podSets: new Map(),
  };
}

/** Each rendered manifest with the objects its rendered patch steps make of it (spec/scope-load.ts). */
function renderedVersions(
  test: PlannedTest,
  manifests: Record<string, KubeObject>,
  values: Record<string, string | number>,
) {
  return Object.entries(manifests).map(([name, manifest]) => {
    const patches = test.loaded.scenario.steps.flatMap((s) =>
      s.kind === 'patch' && s.body.manifest === name ? [render(s.body.patch, values)] : [],
    );
    return { name, versions: versionsOf(manifest, patches) };
  });
}
