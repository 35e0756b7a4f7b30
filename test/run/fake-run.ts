/**
 * Running scenarios on the FakeEnvironment: a spec made of the given steps over a standard set
 * of manifests (a Deployment `web` of three pods, its LoadBalancer Service, an EgressService),
 * run by the real planner and runner.
 */
import type { EnvironmentDescription, NodeInfo } from '../../harness/env/environment.js';
import type { ProbeEvidenceRecord, TestResult } from '../../harness/run/results.js';
import { parseScenario } from '../../harness/spec/loader.js';
import type { Timeouts } from '../../harness/spec/timeouts.js';
import { type ControllerScript, FakeEnvironment, playControllers } from '../support/fake-environment.js';
import { testDescription } from '../support/recording-environment.js';
import { runScenarios } from '../support/run-scenarios.js';

export const PEER_IPV4 = '198.51.100.10';
export const PEER_IPV6 = '2001:db8:5100::10';
/** Node n's address on the default network and on the `blue` network. */
export const nodeIPv4 = (n: number) => `192.0.2.${10 + n}`;
export const nodeIPv6 = (n: number) => `2001:db8::${10 + n}`;
export const blueIPv4 = (n: number) => `192.0.2.${100 + n}`;
/** The first EgressIP address of the range below: this test's (index 0). */
export const EGRESS_IP = '192.0.2.193';

const MANIFESTS = `
  web:
    apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web, namespace: "\${namespace}" }
    spec:
      replicas: 3
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec: { containers: [{ name: netexec, image: "\${images.agnhost}" }] }
  service:
    apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: "\${namespace}", annotations: { metallb.io/address-pool: "\${uid}-pool" } }
    spec: { type: LoadBalancer, ipFamilies: ["\${ipFamily}"], selector: { app: web } }
  egress-service:
    apiVersion: k8s.ovn.org/v1
    kind: EgressService
    metadata: { name: web, namespace: "\${namespace}" }
    spec: { sourceIPBy: LoadBalancerIP }
`;

export function fakeDescription(overrides: Partial<EnvironmentDescription> = {}): EnvironmentDescription {
  const node = (n: number): NodeInfo => ({
    name: `n${n}`,
    addresses: { ipv4: nodeIPv4(n), ipv6: nodeIPv6(n) },
    networkAddresses: { blue: { ipv4: blueIPv4(n) } },
    labels: { 'kubernetes.io/hostname': `n${n}` },
    ready: true,
  });
  return testDescription({
    families: ['ipv4'],
    nodes: [node(0), node(1), node(2)],
    networks: [
      { name: 'default', subnets: { ipv4: '192.0.2.0/25' } },
      { name: 'blue', routingTable: '100', subnets: { ipv4: '192.0.2.96/27' } },
    ],
    peers: [
      {
        name: 'peer',
        network: 'default',
        addresses: { ipv4: PEER_IPV4, ipv6: PEER_IPV6 },
        asn: 64500,
        probePort: 8080,
      },
    ],
    egressIPRanges: { ipv4: '192.0.2.192/26' },
    ...overrides,
  });
}

/** A fake environment with the stand-in controllers playing `script`. */
export function fakeEnvironment(
  script: ControllerScript = {},
  overrides: Partial<EnvironmentDescription> = {},
): FakeEnvironment {
  const env = new FakeEnvironment(fakeDescription(overrides));
  playControllers(env, script);
  return env;
}

export interface FakeRun {
  result: TestResult;
  /** The evidence records of the run, every step's. */
  evidence: ProbeEvidenceRecord[];
  /** The detail of the step that ended the run (the failed one, or the last). */
  detail: string;
}

/** Runs one test of a scenario with these steps (YAML list items) on the environment. */
export async function runSteps(
  env: FakeEnvironment,
  steps: string,
  timeouts: Partial<Timeouts> = {},
  /** More of the spec: `requires` (YAML block) and manifests (items under `manifests:`). */
  more: { requires?: string; manifests?: string } = {},
): Promise<FakeRun> {
  const parsed = parseScenario(
    `id: judged
title: judged
statements: [ES-SNAT-1]
profile: core
features: [SourceIPLoadBalancer]
${more.requires ?? 'requires: { nodes: 3, networks: [blue] }'}
manifests:${MANIFESTS}${more.manifests ?? ''}
steps:
${steps}`,
    'judged.yaml',
  );
  if (!parsed.ok)
    throw new Error(parsed.problems.map((p) => `${p.line}: ${p.field} ${p.message}`).join('\n'));
  const { results } = await runScenarios([parsed.loaded], env, {
    timeouts: { negativeWindow: 100, ...timeouts },
  });
  const [result] = results;
  if (!result) throw new Error('no test was planned');
  const ran = result.steps.filter((s) => s.status !== 'not-run');
  return { result, evidence: result.evidence, detail: ran.at(-1)?.detail ?? '' };
}

/** The usual first steps: everything applied, the pods ready and the EgressService placed. */
export const SETUP = `  - apply: [web, service, egress-service]
  - wait: { condition: { podsReady: { pods: { app: web }, count: 3 } }, timeout: podsReady, consecutive: 1 }
`;
