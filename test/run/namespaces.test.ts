/**
 * Conditions, probes and pod steps in a further test namespace (`namespace: NAME` from
 * requires.namespaces, ES-SNAT-6), and `serviceIngress` with `reserved: N` (ES-LIFE-4), on the
 * fake environment.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../harness/spec/loader.js';
import { LB_IPV4, packetsFrom } from '../support/fake-environment.js';
import { fakeEnvironment, runSteps, SETUP } from './fake-run.js';

const T0 = 1_800_000_000_000;
const OTHER = {
  requires: 'requires: { nodes: 2, namespaces: [other] }',
  manifests: `
  other-web:
    apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web, namespace: "\${namespaces.other}" }
    spec:
      replicas: 3
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec: { containers: [{ name: netexec, image: "\${images.agnhost}" }] }
  other-service:
    apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: "\${namespaces.other}", annotations: { metallb.io/address-pool: "\${uid}-pool" } }
    spec: { type: LoadBalancer, ipFamilies: ["\${ipFamily}"], selector: { app: web } }
  other-egress-service:
    apiVersion: k8s.ovn.org/v1
    kind: EgressService
    metadata: { name: web, namespace: "\${namespaces.other}" }
    spec: { sourceIPBy: LoadBalancerIP }
`,
};

describe('namespace: a further test namespace', () => {
  it('waits for, places and probes from the objects of the declared namespace', async () => {
    const env = fakeEnvironment();
    env.onProbe = () => ({ packets: packetsFrom(LB_IPV4, 3, T0) });
    const { result } = await runSteps(
      env,
      `  - apply: [other-web, other-service, other-egress-service]
  - wait: { condition: { podsReady: { pods: { app: web }, namespace: other, count: 3 } }, timeout: podsReady }
  - wait: { condition: { serviceIngress: { service: web, namespace: other } }, timeout: ingress }
  - wait: { condition: { egressPlacement: { egressService: web, namespace: other, state: placed, node: { index: 1 } } }, timeout: placement }
  - probe: { name: other, from: { endpointsOf: web, namespace: other }, to: { peer: peer }, expect: { source: loadBalancerIP, service: web, namespace: other } }
  - delete: [other-egress-service]
  - wait: { condition: { egressServiceGone: { egressService: web, namespace: other } }, timeout: deletion }
  - wait: { condition: { noEgressLabel: { service: web, namespace: other } }, timeout: deletion }
`,
      {},
      OTHER,
    );
    expect(result.status, result.message).toBe('passed');
    const namespaces = new Set(env.probes[0]?.sources.map((s) => s.namespace));
    expect([...namespaces]).toEqual([`${result.namespace}-other`]);
    expect(env.probes[0]?.sources.map((s) => s.pod)).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it("does not find the test namespace's objects in the other one", async () => {
    const env = fakeEnvironment();
    const { result } = await runSteps(
      env,
      `${SETUP}  - wait: { condition: { egressPlacement: { egressService: web, state: placed } }, timeout: placement }
  - expect: { condition: { egressPlacement: { egressService: web, namespace: other, state: placed } } }
`,
      {},
      OTHER,
    );
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /: .*expected exactly one node labelled.*\n {2}at step 4 \(expect, judged\.yaml:\d+\)/,
    );
  });

  it('fails a probe from a Service the other namespace does not have, naming it', async () => {
    const env = fakeEnvironment();
    const { result } = await runSteps(
      env,
      `${SETUP}  - probe: { name: none, from: { endpointsOf: web, namespace: other }, to: { peer: peer }, expect: { source: loadBalancerIP, service: web } }
`,
      {},
      OTHER,
    );
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /: error: Service ec-r1-judged-v4-other\/web does not exist; tried once \([\d.]+ m?s\)\n {2}at step \d+ \(probe, judged\.yaml:\d+\)$/,
    );
  });

  it('refuses a namespace that requires.namespaces does not declare, at its line', () => {
    const parsed = parseScenario(
      `id: t
title: t
statements: [ES-SNAT-6]
profile: core
features: [SourceIPLoadBalancer]
requires: { namespaces: [other] }
manifests:
  cm: { apiVersion: v1, kind: ConfigMap, metadata: { name: cm, namespace: "\${namespace}" } }
steps:
  - wait: { condition: { podsReady: { pods: { app: web }, namespace: elsewhere } }, timeout: podsReady }
`,
      't.yaml',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => `${p.line}: ${p.field}: ${p.message}`)).toEqual([
      "10: steps[0].wait.condition.podsReady.namespace: namespace 'elsewhere' is not declared: expected one of requires.namespaces (other)",
    ]);
  });
});

describe('deleteNamespace', () => {
  const PLACED_IN_OTHER = `  - apply: [other-web, other-service, other-egress-service]
  - wait: { condition: { egressPlacement: { egressService: web, namespace: other, state: placed } }, timeout: placement }
  - deleteNamespace: { namespace: other }
  - wait: { condition: { noEgressLabel: { service: web, namespace: other } }, timeout: deletion }
`;

  it('deletes the declared namespace once (cleanup leaves it alone), and the label check then holds', async () => {
    const env = fakeEnvironment();
    // The stand-in controller sees the namespace's EgressService go with it.
    const deleteNamespace = env.cluster.deleteNamespace;
    env.cluster.deleteNamespace = async (name, timeoutMs) => {
      const egress = [...env.objects.values()].filter(
        (o) => o.kind === 'EgressService' && o.metadata.namespace === name,
      );
      await deleteNamespace(name, timeoutMs);
      for (const o of egress)
        env.onDelete(env, { apiVersion: o.apiVersion, kind: o.kind, namespace: name, name: o.metadata.name });
    };
    const { result } = await runSteps(env, PLACED_IN_OTHER, {}, OTHER);
    expect(result.status, result.message).toBe('passed');
    expect(result.steps[2]?.detail).toBe(`deleted namespace ${result.namespace}-other`);
    expect(env.calls.filter((c) => c === `deleteNamespace ${result.namespace}-other`)).toHaveLength(1);
    expect(
      [...env.objects.values()].filter((o) => o.metadata.namespace === `${result.namespace}-other`),
    ).toEqual([]);
  });

  it("fails when the deleted namespace's label stays on a node, naming it", async () => {
    const env = fakeEnvironment();
    const { result } = await runSteps(env, PLACED_IN_OTHER, { deletion: 300 }, OTHER);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /: .*the egress-service label of web is on n1.*\n {2}at step 4 \(wait, judged\.yaml:\d+\)/,
    );
  });

  it('refuses a namespace that requires.namespaces does not declare, and none at all', () => {
    const spec = (step: string) => `id: t
title: t
statements: [ES-LIFE-5]
profile: core
features: [Lifecycle]
manifests:
  cm: { apiVersion: v1, kind: ConfigMap, metadata: { name: cm, namespace: "\${namespace}" } }
steps:
  - ${step}
  - expect: { condition: { noEgressLabel: { service: web } } }
`;
    const problems = (step: string) => {
      const parsed = parseScenario(spec(step), 't.yaml');
      return parsed.ok ? [] : parsed.problems.map((p) => `${p.line}: ${p.field}: ${p.message}`);
    };
    expect(problems('deleteNamespace: { namespace: other }')).toEqual([
      "9: steps[0].deleteNamespace.namespace: namespace 'other' is not declared: expected one of requires.namespaces (it declares none)",
    ]);
    expect(problems('deleteNamespace: {}')).toEqual([
      '9: steps[0].deleteNamespace.namespace: missing; expected string',
    ]);
  });
});

describe('serviceIngress reserved: N', () => {
  const RESERVED = {
    manifests: `
  second:
    apiVersion: v1
    kind: ConfigMap
    metadata: { name: second, namespace: "\${namespace}" }
    data: { address: "\${pool.address.1}" }
`,
  };

  it("holds when the ingress IP is the test's N-th reserved address, and names both when not", async () => {
    // The fake MetalLB gives every Service 203.0.113.1: the test's reserved address 0.
    const env = fakeEnvironment();
    const { result } = await runSteps(
      env,
      `  - apply: [service]
  - expect: { condition: { serviceIngress: { service: web, reserved: 0 } } }
  - expect: { condition: { serviceIngress: { service: web, reserved: 1 } } }
`,
      {},
      RESERVED,
    );
    expect(result.steps[1]?.status).toBe('passed');
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /: Service web ingress: ipv4 203\.0\.113\.1 \(expected the ipv4 address 203\.0\.113\.2\)\n {2}at step 3 \(expect, judged\.yaml:\d+\)/,
    );
  });

  it('fails on a second ingress IP of one family, naming both (MetalLB gives one per family)', async () => {
    // A MetalLB that gave web a second IPv4 address besides the reserved one: the first alone
    // would still read as `reserved: 0`.
    const env = fakeEnvironment();
    const played = env.onChange;
    env.onChange = (e, object) => {
      played(e, object);
      if (object.kind === 'Service') {
        object.status = { loadBalancer: { ingress: [{ ip: '203.0.113.1' }, { ip: '203.0.113.2' }] } };
      }
    };
    const { result } = await runSteps(
      env,
      `  - apply: [service]
  - expect: { condition: { serviceIngress: { service: web, reserved: 0 } } }
`,
      {},
      RESERVED,
    );
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /: Service web ingress: ipv4 203\.0\.113\.1 and 203\.0\.113\.2 \(expected exactly one ipv4 IP\)\n {2}at step 2 \(expect, judged\.yaml:\d+\)/,
    );
  });
});
