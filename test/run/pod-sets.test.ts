/**
 * Pod sets (ES-SNAT-5): `recordPods` and `deletePods` remember pods, and a source
 * `{..., except: SET}` sends only from the pods that arrived since, each of which must have a new
 * address. On the fake environment a deleted web pod is replaced by its "Deployment" on the same
 * node, with the address the test chooses.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject, ObjectRef } from '../../harness/env/environment.js';
import { formatProblem, parseScenario } from '../../harness/spec/loader.js';
import { type FakeEnvironment, LB_IPV4, packetsFrom, podIPv4 } from '../support/fake-environment.js';
import { fakeEnvironment, nodeIPv4, runSteps, SETUP } from './fake-run.js';

const T0 = 1_800_000_000_000;

/** Replaces every deleted web pod on its node, named `<pod>-r`, with the address `addressOf` gives. */
function replacingDeletedPods(env: FakeEnvironment, addressOf: (old: KubeObject) => string): void {
  const base = env.onDelete;
  const before = new Map<string, KubeObject>();
  const remember = env.cluster.delete;
  env.cluster.delete = async (ref: ObjectRef) => {
    const object = await env.cluster.get(ref);
    if (object) before.set(`${ref.namespace}/${ref.name}`, object);
    return remember(ref);
  };
  env.onDelete = (_env, ref) => {
    base(_env, ref);
    const old = before.get(`${ref.namespace}/${ref.name}`);
    if (ref.kind !== 'Pod' || !old) return;
    const name = `${ref.name}-r`;
    env.objects.set(`Pod/${ref.namespace}/${name}`, {
      ...structuredClone(old),
      metadata: { ...old.metadata, name },
      status: { ...(old.status as object), podIPs: [{ ip: addressOf(old) }] },
    });
  };
}

/** Packets from every source pod, from the LoadBalancer IP. */
function allFromLoadBalancerIP(env: FakeEnvironment): void {
  env.onProbe = (call) => ({
    packets: call.sources.flatMap((_pod, i) => packetsFrom(LB_IPV4, 3, T0 + i * 100)),
  });
}

const probeNew = (except: string, extra = '') =>
  `  - probe: { name: new, from: { endpointsOf: web, except: ${except} }, to: { peer: peer }, expect: { source: loadBalancerIP, service: web${extra} } }\n`;

describe('recordPods and except', () => {
  it('sends only from the pods that arrived since the set was recorded', async () => {
    const env = fakeEnvironment();
    allFromLoadBalancerIP(env);
    replacingDeletedPods(env, (old) => `10.244.9.${old.metadata.name.slice(-1)}`);
    const { result } = await runSteps(
      env,
      `${SETUP}  - recordPods: { name: before, pods: { endpointsOf: web } }
  - deletePods: { name: gone, pods: { endpointsOf: web }, node: { index: 1 } }
${probeNew('before')}`,
    );
    expect(result.status, result.message).toBe('passed');
    expect(result.steps[2]?.detail).toBe(
      `pod set before: web-0 (n0: ${podIPv4(0, 0)}, fd00:10:244:0::a); web-1 (n1: ${podIPv4(1, 1)}, fd00:10:244:1::b); web-2 (n2: ${podIPv4(2, 2)}, fd00:10:244:2::c)`,
    );
    // Only web-1, on node 1, was deleted; its replacement is the one pod not in `before`.
    expect(result.steps[3]?.detail).toMatch(/^deleted pod set gone: web-1 \(n1: /);
    expect(env.calls.filter((c) => c.startsWith('delete Pod/'))).toEqual([
      'delete Pod/ec-r1-judged-v4/web-1',
    ]);
    expect(env.probes[0]?.sources.map((s) => s.pod)).toEqual(['web-1-r']);
  });

  /** Every pod replaced by one that gets its predecessor's IPv4 address back, then a probe. */
  async function probeAfterReusedAddresses(probeExtra = '', timeouts = {}) {
    const env = fakeEnvironment();
    allFromLoadBalancerIP(env);
    replacingDeletedPods(env, (old) =>
      podIPv4(Number(old.metadata.name.slice(-1)), Number(old.metadata.name.slice(-1))),
    );
    const { result } = await runSteps(
      env,
      `${SETUP}  - deletePods: { name: replaced, pods: { pods: { app: web } } }
${probeNew('replaced', probeExtra)}`,
      timeouts,
    );
    return { env, result };
  }

  it('fails when a pod that arrived has an address a recorded pod had', async () => {
    const { env, result } = await probeAfterReusedAddresses();
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      `error: pod web-0-r has the address ${podIPv4(0, 0)}, which web-0 of pod set replaced had: not a new address`,
    );
    expect(env.probes).toEqual([]);
  });

  it("repeated until a bound: the last round's error is the message, and such rounds are paced", async () => {
    const { env, result } = await probeAfterReusedAddresses(' }, until: { timeout: convergence ', {
      convergence: 1000,
    });
    expect(result.status).toBe('failed');
    // Not 'not run': what went wrong in the last round.
    const rounds = /tried for [\d.]+ m?s \((\d+) rounds\)/.exec(result.message ?? '');
    expect(result.message).toMatch(
      /error: pod web-\d-r has the address .*: not a new address, .*; tried for [\d.]+ m?s \(\d+ rounds\)/,
    );
    // A poll interval between rounds that sent nothing: a handful in a second, not thousands.
    expect(Number(rounds?.[1])).toBeLessThanOrEqual(12);
    expect(env.probes).toEqual([]);
  });

  it('judges the pods that arrived like any source: a node-IP packet from one of them fails', async () => {
    const env = fakeEnvironment();
    replacingDeletedPods(env, (old) => `10.244.9.${old.metadata.name.slice(-1)}`);
    env.onProbe = () => ({
      packets: [...packetsFrom(LB_IPV4, 3, T0), ...packetsFrom(nodeIPv4(2), 3, T0 + 100)],
    });
    const { result } = await runSteps(
      env,
      `${SETUP}  - deletePods: { name: replaced, pods: { endpointsOf: web } }
${probeNew('replaced', ', fromEveryNode: true')}`,
    );
    expect(env.probes[0]?.sources.map((s) => s.pod)).toEqual(['web-0-r', 'web-1-r', 'web-2-r']);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(`3/6 packets to 198.51.100.10:8080/tcp had source ${nodeIPv4(2)}`);
  });

  it('fails a deletePods that finds no pod to delete, naming the node', async () => {
    const env = fakeEnvironment({ podNodes: ['n0', 'n2'] });
    const { result } = await runSteps(
      env,
      `${SETUP}  - deletePods: { name: gone, pods: { endpointsOf: web }, node: { index: 1 } }\n`,
    );
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /: no ready pods to delete on n1\n {2}at step 3 \(deletePods, judged\.yaml:\d+\)$/,
    );
  });
});

describe('labelPods', () => {
  it('sets and removes labels on the ready pods of a group, moving them into and out of a selection', async () => {
    const env = fakeEnvironment();
    const seen: Array<Record<string, string> | undefined> = [];
    env.onProbe = (call) => {
      seen.push(...call.sources.map((pod) => pod.metadata.labels));
      return { packets: packetsFrom(LB_IPV4, 3, T0) };
    };
    const { result } = await runSteps(
      env,
      `${SETUP}  - labelPods: { pods: { pods: { app: web } }, labels: { role: mover, tier: a } }
  - labelPods: { pods: { endpointsOf: web }, labels: { tier: null } }
  - probe: { name: movers, from: { pods: { role: mover } }, to: { peer: peer }, expect: { source: loadBalancerIP, service: web } }
`,
    );
    expect(result.status, result.message).toBe('passed');
    expect(result.steps[2]?.detail).toBe('labelled web-0, web-1, web-2: role=mover, tier=a');
    expect(result.steps[3]?.detail).toBe('labelled web-0, web-1, web-2: -tier');
    expect(env.probes[0]?.sources.map((s) => s.pod)).toEqual(['web-0', 'web-1', 'web-2']);
    expect(seen).toEqual(Array(3).fill({ app: 'web', role: 'mover' }));
  });

  it('fails when no ready pod matches', async () => {
    const { result } = await runSteps(
      fakeEnvironment(),
      `${SETUP}  - labelPods: { pods: { pods: { role: nobody } }, labels: { app: web } }\n`,
    );
    expect(result.message).toMatch(
      /: no ready pods to label\n {2}at step \d+ \(labelPods, judged\.yaml:\d+\)$/,
    );
  });
});

describe('podsGone', () => {
  it('holds once no pod matches, terminating ones included, and names those left', async () => {
    const gone = await runSteps(
      fakeEnvironment(),
      `${SETUP}  - deletePods: { name: all, pods: { pods: { app: web } } }
  - expect: { condition: { podsGone: { pods: { app: web } } } }
`,
    );
    expect(gone.result.status, gone.result.message).toBe('passed');
    expect(gone.detail).toBe('no pod matches app=web');
    const env = fakeEnvironment({ notReady: ['web-2'] });
    const left = await runSteps(
      env,
      `  - apply: [web]\n  - expect: { condition: { podsGone: { pods: { app: web } } } }\n`,
    );
    expect(left.result.message).toMatch(
      /: 3 pods still match app=web: web-0, web-1, web-2\n {2}at step \d+ \([^)]*\)$/,
    );
  });
});

describe('pod sets in a spec', () => {
  const spec = (steps: string) => `id: sets
title: sets
statements: [ES-SNAT-5]
profile: core
features: [SourceIPLoadBalancer]
manifests:
  svc: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: "\${namespace}" } }
steps:
${steps}`;
  const problems = (steps: string) => {
    const result = parseScenario(spec(steps), 'sets.yaml');
    return result.ok ? [] : result.problems.map(formatProblem);
  };
  const probe = (except: string) =>
    `  - probe: { name: p, from: { endpointsOf: web, except: ${except} }, to: { peer: default }, expect: { completes: true } }\n`;

  it('accepts an except that names a set recorded before it', () => {
    expect(
      problems(`  - recordPods: { name: before, pods: { endpointsOf: web } }\n${probe('before')}`),
    ).toEqual([]);
  });

  it('refuses an except that names no set recorded before it, or a set recorded twice', () => {
    expect(
      problems(`${probe('later')}  - recordPods: { name: later, pods: { pods: { app: web } } }\n`),
    ).toEqual([
      "sets.yaml:9: steps[0].probe.from.except: no pod set named 'later' is recorded before this step: expected the name of an earlier recordPods or deletePods",
    ]);
    expect(
      problems(
        '  - recordPods: { name: a, pods: { pods: { app: web } } }\n  - deletePods: { name: a, pods: { endpointsOf: web } }\n',
      ),
    ).toEqual([
      "sets.yaml:10: steps[1].deletePods.name: pod set 'a' is already recorded by step 1: expected a new name",
    ]);
  });

  it('refuses except on a single pod, and a deletePods of one pod by name', () => {
    expect(
      problems(
        '  - recordPods: { name: a, pods: { pods: { app: web } } }\n  - probe: { name: p, from: { pod: x, except: a }, to: { peer: default }, expect: { completes: true } }\n',
      ).join('\n'),
    ).toMatch(/^sets\.yaml:10: steps\[1\]\.probe\.from/);
    expect(problems('  - deletePods: { name: a, pods: { pod: x } }\n').join('\n')).toMatch(
      /^sets\.yaml:9: steps\[0\]\.deletePods\.pods/,
    );
  });
});
