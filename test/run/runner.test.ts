import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../harness/common/log.js';
import type { KubeObject } from '../../harness/env/environment.js';
import { planRun } from '../../harness/run/plan.js';
import { runTests } from '../../harness/run/runner.js';
import { type LoadedScenario, parseScenario } from '../../harness/spec/loader.js';
import { RecordingEnvironment, testDescription } from '../support/recording-environment.js';
import { runScenarios } from '../support/run-scenarios.js';

function scenario(id: string, body: string, extra = ''): LoadedScenario {
  const text = `id: ${id}
title: ${id}
statements: [ES-LIFE-2]
profile: core
features: [Lifecycle]
${extra}
manifests:
  pool:
    apiVersion: metallb.io/v1beta1
    kind: IPAddressPool
    metadata: { name: "\${uid}-pool", namespace: "\${metallb.namespace}" }
    spec: { addresses: ["\${pool.addresses}"], autoAssign: false }
  service:
    apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: "\${namespace}", annotations: { metallb.io/address-pool: "\${uid}-pool" } }
    spec: { type: LoadBalancer, ipFamilies: ["\${ipFamily}"] }
steps:
${body}`;
  const result = parseScenario(text, `${id}.yaml`);
  if (!result.ok)
    throw new Error(result.problems.map((p) => `${p.line}: ${p.field} ${p.message}`).join('\n'));
  return result.loaded;
}

/** Plays MetalLB's part: a Service of type LoadBalancer gets the first address of its family's pool. */
function assignIngress(env: RecordingEnvironment, object: KubeObject): void {
  if (object.kind !== 'Service') return;
  const family = (object.spec as { ipFamilies: string[] }).ipFamilies[0];
  object.status = {
    loadBalancer: { ingress: [{ ip: family === 'IPv4' ? '203.0.113.1' : '2001:db8:100::1' }] },
  };
  env.objects.set(`Service/${object.metadata.namespace}/${object.metadata.name}`, object);
}

const plainOptions = { profile: 'core', runTests: [], skipTests: [], skipProvisional: false } as const;

describe('runner', () => {
  let reportDir: string;
  beforeEach(async () => {
    reportDir = await mkdtemp(join(tmpdir(), 'ec-runner-'));
  });
  afterEach(async () => {
    await rm(reportDir, { recursive: true, force: true });
  });

  function options(env: RecordingEnvironment, signal = new AbortController().signal, lines: string[] = []) {
    return {
      env,
      description: env.description,
      runId: 'abc123',
      reportDir,
      timeouts: { negativeWindow: 200, ingress: 300 },
      signal,
      log: silentLogger(lines),
    };
  }

  it('runs each scenario x family in its own namespace, in order, and cleans each up', async () => {
    const env = new RecordingEnvironment(testDescription());
    env.onChange = assignIngress;
    const specs = [
      scenario(
        'first',
        '  - apply: [pool, service]\n  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }',
      ),
      scenario(
        'second',
        '  - apply: [service]\n  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }',
      ),
    ];
    const planned = planRun(specs, plainOptions, env.description, 'abc123');
    const results = await runTests(planned, options(env));

    expect(results.map((r) => [r.scenarioId, r.family, r.status])).toEqual([
      ['first', 'ipv4', 'passed'],
      ['first', 'ipv6', 'passed'],
      ['second', 'ipv4', 'passed'],
      ['second', 'ipv6', 'passed'],
    ]);
    const namespaces = results.map((r) => r.namespace);
    expect(new Set(namespaces).size).toBe(4);
    expect(namespaces[0]).toBe('ec-abc123-first-v4');
    // Each test: namespace first, objects applied in order, removed in reverse, namespace last.
    const first = env.calls.slice(0, 6);
    expect(first).toEqual([
      'createNamespace ec-abc123-first-v4',
      `apply IPAddressPool/metallb-system/${planned[0]?.uid}-pool`,
      'apply Service/ec-abc123-first-v4/web',
      'delete Service/ec-abc123-first-v4/web',
      `delete IPAddressPool/metallb-system/${planned[0]?.uid}-pool`,
      'deleteNamespace ec-abc123-first-v4',
    ]);
    expect(env.objects.size).toBe(0);
    expect(env.namespaces.size).toBe(0);
    // Every test got its own LoadBalancer address range.
    const pools = env.calls.filter((c) => c.startsWith('apply IPAddressPool'));
    expect(new Set(pools).size).toBe(2);
  });

  it('fails a test with the statement, the step and what was seen, then cleans up and collects diagnostics', async () => {
    const env = new RecordingEnvironment(testDescription({ families: ['ipv4'] }));
    // No controller: the Service never gets an ingress IP.
    const specs = [
      scenario(
        'never-ready',
        '  - apply: [service]\n  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }\n  - apply: [pool]',
      ),
    ];
    const results = await runTests(planRun(specs, plainOptions, env.description, 'abc123'), options(env));
    const [result] = results;
    expect(result?.status).toBe('failed');
    expect(result?.failedStatements).toEqual(['ES-LIFE-2']);
    expect(result?.message).toMatch(
      /^ES-LIFE-2: not within 300ms: Service web ingress: ipv4 none.*\n {2}at step 2 \(wait, never-ready\.yaml:\d+\)/,
    );
    expect(result?.steps.map((s) => s.status)).toEqual(['passed', 'failed', 'not-run']);
    expect(env.calls).toContain('collectDiagnostics ec-abc123-never-ready-v4');
    expect(env.calls.at(-1)).toBe('deleteNamespace ec-abc123-never-ready-v4');
    expect(env.calls).toContain('delete Service/ec-abc123-never-ready-v4/web');
    expect(env.calls.some((c) => c.includes('IPAddressPool'))).toBe(false);
    expect(result?.diagnostics).toBe(join('diagnostics', 'ec-abc123-never-ready-v4'));
  });

  it('restores node labels a failed test changed', async () => {
    const env = new RecordingEnvironment(testDescription({ families: ['ipv4'] }));
    (env.nodeList[0] as { labels: Record<string, string> }).labels['egress-conformance.io/role'] = 'kept';
    const specs = [
      scenario(
        'labels',
        '  - labelNode: { node: { index: 1 }, key: egress-conformance.io/zone, value: a }\n  - unlabelNode: { node: { index: 0 }, key: egress-conformance.io/role }\n  - expect: { condition: { serviceIngress: { service: web } } }',
        'requires: { nodes: 2 }',
      ),
    ];
    const [result] = await runTests(planRun(specs, plainOptions, env.description, 'abc123'), options(env));
    expect(result?.status).toBe('failed');
    expect(env.nodeList[1]?.labels['egress-conformance.io/zone']).toBeUndefined();
    expect(env.nodeList[0]?.labels['egress-conformance.io/role']).toBe('kept');
  });

  it('stops at a signal: the running test is cleaned up, the rest are recorded as interrupted', async () => {
    const env = new RecordingEnvironment(testDescription({ families: ['ipv4'] }));
    const controller = new AbortController();
    const specs = [
      scenario(
        'waits',
        '  - apply: [service]\n  - wait: { condition: { serviceIngress: { service: web } }, timeout: scenario }',
      ),
      scenario(
        'after',
        '  - apply: [service]\n  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }',
      ),
    ];
    setTimeout(() => controller.abort(), 300);
    const results = await runTests(
      planRun(specs, plainOptions, env.description, 'abc123'),
      options(env, controller.signal),
    );
    expect(results.map((r) => [r.scenarioId, r.status, r.skipReason])).toEqual([
      ['waits', 'skipped', 'interrupted'],
      ['after', 'skipped', 'interrupted'],
    ]);
    expect(env.calls).toEqual([
      'createNamespace ec-abc123-waits-v4',
      'apply Service/ec-abc123-waits-v4/web',
      'delete Service/ec-abc123-waits-v4/web',
      'deleteNamespace ec-abc123-waits-v4',
    ]);
  });

  it('fails a scenario that outlives its scenario timeout', async () => {
    const env = new RecordingEnvironment(testDescription({ families: ['ipv4'] }));
    const specs = [
      scenario(
        'slow',
        '  - wait: { condition: { serviceIngress: { service: web } }, timeout: deletion }',
        'timeouts: { scenario: 300ms, deletion: 1m }',
      ),
    ];
    const [result] = await runTests(planRun(specs, plainOptions, env.description, 'abc123'), options(env));
    expect(result?.status).toBe('failed');
    expect(result?.message).toMatch(/scenario timeout of 300ms passed/);
    expect(env.namespaces.size).toBe(0);
  });

  it('holds a negative check throughout its window and fails when it stops holding', async () => {
    const env = new RecordingEnvironment(testDescription({ families: ['ipv4'] }));
    env.onChange = (e, o) => setTimeout(() => assignIngress(e, o), 100);
    const specs = [
      scenario(
        'negative',
        '  - apply: [service]\n  - expect: { condition: { serviceIngress: { service: web, assigned: false } }, throughout: negativeWindow }',
      ),
    ];
    const [result] = await runTests(planRun(specs, plainOptions, env.description, 'abc123'), {
      ...options(env),
      timeouts: { negativeWindow: 2000 },
    });
    expect(result?.status).toBe('failed');
    expect(result?.message).toMatch(/stopped holding after \d+ms: Service web ingress: ipv4 203\.0\.113\.1/);
  });
});

describe('planning', () => {
  const env = testDescription({
    features: [
      { name: 'SourceIPLoadBalancer', supported: true, source: 'provider' },
      { name: 'Lifecycle', supported: true, source: 'provider' },
      { name: 'Failover', supported: false, source: 'provider', reason: 'no node failure here' },
    ],
  });
  const core = scenario(
    'core-one',
    '  - apply: [service]\n  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }',
  );
  const needsFailover = parseScenario(
    `id: failover-one
title: t
statements: [ES-FAIL-1]
profile: extended
features: [Failover]
manifests: { s: { apiVersion: v1, kind: Service, metadata: { name: s, namespace: "\${namespace}" } } }
steps: [ { apply: [s] }, { wait: { condition: { serviceIngress: { service: s } }, timeout: ingress } } ]
`,
    'f.yaml',
  );
  const provisional = parseScenario(
    `id: leak-one
title: t
statements: [ES-LEAK-1]
profile: extended
features: [SourceIPLoadBalancer]
provisional: true
requires: { nodes: 2 }
manifests: { s: { apiVersion: v1, kind: Service, metadata: { name: s, namespace: "\${namespace}" } } }
steps: [ { apply: [s] }, { wait: { condition: { serviceIngress: { service: s } }, timeout: ingress } } ]
`,
    'p.yaml',
  );
  if (!needsFailover.ok || !provisional.ok) throw new Error('fixture invalid');
  const all = [needsFailover.loaded, core, provisional.loaded];

  it('gives every skipped test its reason', () => {
    const planned = planRun(
      all,
      { ...plainOptions, profile: 'all', skipProvisional: true, family: 'ipv4' },
      env,
      'r1',
    );
    // The other family is planned too, not selected: it counts in "N of M tests selected".
    expect(planned.map((t) => [t.loaded.scenario.id, t.family, t.skip?.reason])).toEqual([
      ['core-one', 'ipv4', undefined],
      ['core-one', 'ipv6', 'not-selected'],
      ['failover-one', 'ipv4', 'not-supported'],
      ['failover-one', 'ipv6', 'not-selected'],
      ['leak-one', 'ipv4', 'provisional'],
      ['leak-one', 'ipv6', 'not-selected'],
    ]);
    expect(planned.find((t) => t.family === 'ipv6')?.skip?.message).toBe('--family ipv4');
    expect(planned[2]?.skip?.message).toBe('the environment does not support Failover: no node failure here');
  });

  it('marks tests left out by --run-test and --skip-tests as not selected', () => {
    const planned = planRun(
      all,
      { ...plainOptions, profile: 'all', runTests: ['leak-one'], family: 'ipv6' },
      env,
      'r1',
    );
    expect(planned.map((t) => [t.loaded.scenario.id, t.family, t.skip?.reason])).toEqual([
      ['core-one', 'ipv4', 'not-selected'],
      ['core-one', 'ipv6', 'not-selected'],
      ['failover-one', 'ipv4', 'not-selected'],
      ['failover-one', 'ipv6', 'not-selected'],
      ['leak-one', 'ipv4', 'not-selected'],
      ['leak-one', 'ipv6', undefined],
    ]);
    const skipped = planRun(all, { ...plainOptions, skipTests: ['core-one'], family: 'ipv4' }, env, 'r1');
    expect(skipped.map((t) => [t.loaded.scenario.id, t.family, t.skip?.reason])).toEqual([
      ['core-one', 'ipv4', 'not-selected'],
      ['core-one', 'ipv6', 'not-selected'],
    ]);
  });

  it('plans the families an environment can offer, not only the ones one run brought up', () => {
    // A lab brought up for IPv4 alone still supports IPv6: its IPv6 tests count, not selected,
    // and take no addresses (the selected tests keep theirs).
    const ipv4Only = testDescription({ families: ['ipv4'] });
    const features = [
      ...ipv4Only.features.filter((f) => f.name !== 'IPv6'),
      { name: 'IPv6', supported: true, source: 'provider' as const },
    ];
    const planned = planRun([core], { ...plainOptions, family: 'ipv4' }, { ...ipv4Only, features }, 'r1');
    expect(planned.map((t) => [t.family, t.skip?.message, t.addresses.count > 0])).toEqual([
      ['ipv4', undefined, true],
      ['ipv6', '--family ipv4', false],
    ]);
    // Without IPv6 among its features, an IPv4 environment plans IPv4 alone.
    const without = { ...ipv4Only, features: features.filter((f) => f.name !== 'IPv6') };
    expect(planRun([core], plainOptions, without, 'r1').map((t) => t.family)).toEqual(['ipv4']);
  });

  it('skips scenarios needing more nodes or families than the environment has', () => {
    const small = testDescription({ nodes: testDescription().nodes.slice(0, 1), families: ['ipv4'] });
    const planned = planRun([provisional.loaded], { ...plainOptions, profile: 'all' }, small, 'r1');
    expect(planned.map((t) => [t.family, t.skip?.message])).toEqual([
      ['ipv4', 'needs 2 nodes, the environment has 1'],
    ]);
  });
});

describe('planning against what the environment can capture', () => {
  it('skips a scenario that captures at a pod where the environment captures only at the peer', () => {
    const result = parseScenario(
      `id: to-pod
title: t
statements: [ES-SNAT-4]
profile: core
features: [SourceIPLoadBalancer]
manifests: { s: { apiVersion: v1, kind: Pod, metadata: { name: target, namespace: "\${namespace}" } } }
steps:
  - probe: { name: p, from: { pod: target }, to: { pod: target }, expect: { source: podIP } }
`,
      'to-pod.yaml',
    );
    if (!result.ok) throw new Error('fixture invalid');
    const env = testDescription({ probeTargets: ['peer'], families: ['ipv4'] });
    const [test] = planRun([result.loaded], { ...plainOptions }, env, 'r1');
    expect(test?.skip).toEqual({
      reason: 'not-supported',
      message: 'captures traffic at a pod, and the environment captures only at peer',
    });
    const [runs] = planRun(
      [result.loaded],
      { ...plainOptions },
      testDescription({ families: ['ipv4'] }),
      'r1',
    );
    expect(runs?.skip).toBeUndefined();
  });
});

describe('planning a controller restart', () => {
  it('skips a scenario with stopController where the environment restarts no controllers (existing, unless asked)', () => {
    const env = testDescription({ families: ['ipv4'], noControllerRestart: 'not on your cluster' });
    const stops = parseScenario(
      `id: restart
title: t
statements: [ES-LIFE-1]
profile: core
features: [Lifecycle]
manifests: { s: { apiVersion: v1, kind: Pod, metadata: { name: target, namespace: "\${namespace}" } } }
steps:
  - stopController: {}
  - startController: {}
  - probe: { name: p, from: { pod: target }, to: { peer: default }, expect: { source: podIP } }
`,
      'restart.yaml',
    );
    if (!stops.ok) throw new Error(`fixture invalid: ${JSON.stringify(stops.problems)}`);
    const [skipped] = planRun([stops.loaded], { ...plainOptions }, env, 'r1');
    expect(skipped?.skip).toEqual({
      reason: 'not-supported',
      message: 'restarts the EgressService controllers: not on your cluster',
    });
    const [runs] = planRun(
      [stops.loaded],
      { ...plainOptions },
      testDescription({ families: ['ipv4'] }),
      'r1',
    );
    expect(runs?.skip).toBeUndefined();
  });
});

describe('EgressIP addresses', () => {
  const spec = (): LoadedScenario => {
    const result = parseScenario(
      `id: eip
title: t
statements: [ES-EIP-1]
profile: extended
features: [SourceIPLoadBalancer]
requires: { nodes: 2 }
manifests:
  eip:
    apiVersion: k8s.ovn.org/v1
    kind: EgressIP
    metadata: { name: "\${uid}-eip" }
    spec: { egressIPs: ["\${egressIP.address}"], namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "\${namespace}" } } }
steps:
  - labelNode: { node: { index: 1 }, key: k8s.ovn.org/egress-assignable }
  - apply: [eip]
  - wait: { condition: { egressIPAssigned: { egressIP: "\${uid}-eip" } }, timeout: placement, consecutive: 1 }
`,
      'eip.yaml',
    );
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
    return result.loaded;
  };
  const ranges = { ipv4: '192.0.2.192/26', ipv6: '2001:db8::ff:0/112' };

  /** Plays OVN-Kubernetes' part: puts the EgressIP's addresses (or others) on node n1. */
  function assignEgressIP(addresses?: string[]) {
    return (_env: RecordingEnvironment, object: KubeObject) => {
      if (object.kind !== 'EgressIP') return;
      const wanted = (object.spec as { egressIPs: string[] }).egressIPs;
      object.status = { items: (addresses ?? wanted).map((egressIP) => ({ node: 'n1', egressIP })) };
    };
  }

  async function run(env: RecordingEnvironment) {
    return runScenarios([spec()], env, { timeouts: { placement: 300 } });
  }

  it("gives each test its own address from the environment's range and waits for its assignment", async () => {
    const env = new RecordingEnvironment(testDescription({ egressIPRanges: ranges }));
    const applied: string[] = [];
    const labels: Array<Record<string, string> | undefined> = [];
    env.onChange = (e, object) => {
      if (object.kind === 'EgressIP') applied.push(...(object.spec as { egressIPs: string[] }).egressIPs);
      labels.push(object.metadata.labels);
      assignEgressIP()(e, object);
    };
    const { results } = await run(env);
    expect(results.map((r) => [r.family, r.status])).toEqual([
      ['ipv4', 'passed'],
      ['ipv6', 'passed'],
    ]);
    // Test index 0 (IPv4) and 1 (IPv6): the first and second address of each range.
    expect(applied).toEqual(['192.0.2.193', '2001:db8::ff:2']);
    // Cluster-scoped objects carry the run label, so that `down` finds them after a crash.
    expect(labels).toEqual([{ 'egress-conformance.io/run': 'r1' }, { 'egress-conformance.io/run': 'r1' }]);
    // The node label was set for the test and taken off again.
    expect(env.calls.filter((c) => c.includes('egress-assignable'))).toEqual([
      'labelNode n1 k8s.ovn.org/egress-assignable=',
      'labelNode n1 k8s.ovn.org/egress-assignable=<removed>',
      'labelNode n1 k8s.ovn.org/egress-assignable=',
      'labelNode n1 k8s.ovn.org/egress-assignable=<removed>',
    ]);
  });

  it('fails, naming the address and what the status says, when another address is assigned', async () => {
    const env = new RecordingEnvironment(testDescription({ egressIPRanges: ranges, families: ['ipv4'] }));
    env.onChange = assignEgressIP(['192.0.2.250']);
    const { results } = await run(env);
    expect(results[0]?.status).toBe('failed');
    expect(results[0]?.message).toMatch(
      /EgressIP \w+-eip: 192\.0\.2\.193 not assigned to a node \(status: 192\.0\.2\.250 on n1\)/,
    );
  });
});

describe('removing a failed node', () => {
  async function run(steps: string, dropFirstStep = false) {
    const result = parseScenario(
      `id: remove
title: t
statements: [ES-FAIL-1]
profile: extended
features: [SourceIPLoadBalancer]
requires: { nodes: 3 }
manifests: { s: { apiVersion: v1, kind: ConfigMap, metadata: { name: unused, namespace: "\${namespace}" } } }
steps:
${steps}  - expect: { condition: { noEgressLabel: { service: web } } }
`,
      'remove.yaml',
    );
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
    // The loader refuses removeNode without an earlier failNode; dropping the failNode after
    // loading reaches the runner's own check (the second line of defence).
    const loaded = dropFirstStep
      ? {
          ...result.loaded,
          scenario: { ...result.loaded.scenario, steps: result.loaded.scenario.steps.slice(1) },
          stepLines: result.loaded.stepLines.slice(1),
        }
      : result.loaded;
    const env = new RecordingEnvironment(testDescription({ families: ['ipv4'] }));
    const { results } = await runScenarios([loaded], env);
    return { env, outcome: results[0] };
  }

  it('deletes the Node object of the node failNode failed, and restores the machine at the end', async () => {
    const { env, outcome } = await run(
      '  - failNode: { node: { index: 2 } }\n  - removeNode: { node: { index: 2 } }\n',
    );
    expect(outcome?.status).toBe('passed');
    expect(env.calls.filter((c) => /Node/.test(c))).toEqual([
      'failNode n2',
      expect.stringMatching(/^delete Node\/.*n2$/),
      'restoreNode n2',
    ]);
  });

  it('refuses to remove a node no earlier failNode failed', async () => {
    const { env, outcome } = await run(
      '  - failNode: { node: { index: 2 } }\n  - removeNode: { node: { index: 2 } }\n',
      true,
    );
    expect(outcome?.status).toBe('failed');
    expect(outcome?.message).toContain('removeNode node #2: no earlier failNode with this node reference');
    expect(env.calls.some((c) => c.startsWith('delete Node'))).toBe(false);
  });
});

describe('tests side by side', () => {
  /** A test that holds for a moment (a negative check), so that tests started together overlap. */
  const holds =
    '  - expect: { condition: { serviceIngress: { service: web, assigned: false } }, throughout: negativeWindow }';
  const hostNetworkPod = `  host:
    apiVersion: v1
    kind: Pod
    metadata: { name: host, namespace: "\${namespace}" }
    spec: { hostNetwork: true, containers: [] }
`;

  async function order(middle: LoadedScenario): Promise<string[]> {
    const env = new RecordingEnvironment(testDescription({ families: ['ipv4'] }));
    const specs = [scenario('first', holds), middle, scenario('third', holds)];
    await runScenarios(specs, env, { timeouts: { negativeWindow: 400 }, parallelism: 3 });
    return env.calls.filter((c) => c.includes('Namespace')).map((c) => c.replace(/ ec-r1-(\w+)-v4$/, ' $1'));
  }

  it('run up to the parallelism at once', async () => {
    // All three begin before any ends (in whichever order their namespaces come).
    const calls = await order(scenario('second', holds));
    expect(calls.slice(0, 3).sort()).toEqual([
      'createNamespace first',
      'createNamespace second',
      'createNamespace third',
    ]);
    expect(calls.slice(3).sort()).toEqual([
      'deleteNamespace first',
      'deleteNamespace second',
      'deleteNamespace third',
    ]);
  });

  it('except a test whose steps change node labels, or whose pods use the host network: it runs alone, after the others', async () => {
    const alone = (calls: string[]) => {
      expect(calls.slice(0, 2).sort()).toEqual(['createNamespace first', 'createNamespace third']);
      expect(calls.slice(2, 4).sort()).toEqual(['deleteNamespace first', 'deleteNamespace third']);
      expect(calls.slice(4)).toEqual(['createNamespace second', 'deleteNamespace second']);
    };
    const labels = scenario(
      'second',
      `  - labelNode: { node: { index: 1 }, key: egress-conformance.io/a }\n${holds}`,
      'requires: { nodes: 2 }',
    );
    alone(await order(labels));
    const hostNetwork = parseScenario(
      `id: second
title: t
statements: [ES-HOST-1]
profile: core
features: [SourceIPLoadBalancer]
manifests:
${hostNetworkPod}  service: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: "\${namespace}" } }
steps:
${holds}
`,
      'second.yaml',
    );
    if (!hostNetwork.ok) throw new Error(hostNetwork.problems.map((p) => p.message).join('; '));
    alone(await order(hostNetwork.loaded));
  });
});
