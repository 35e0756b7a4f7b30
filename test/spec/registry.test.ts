/**
 * The step and condition registries as the spec sees them: parsed steps are typed `{kind, body}`
 * (conditions too), and the properties the runner reads come from the kinds and from the
 * manifests' structure, never from a scenario's text.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, parseScenario } from '../../harness/spec/loader.js';
import { MANIFEST_FACTS } from '../../harness/spec/manifest-facts.js';
import { whyRunsAlone } from '../../harness/spec/runs-alone.js';
import type { Scenario } from '../../harness/spec/schema.js';
import { bodyAsWritten, captureSiteOfStep } from '../../harness/spec/steps/index.js';

function scenario(
  steps: string,
  manifests = '  svc: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}" } }\n',
) {
  const text = `id: t
title: t
statements: [ES-SNAT-1]
profile: core
features: [SourceIPLoadBalancer]
manifests:
${manifests}steps:
${steps}`;
  const result = parseScenario(text, 's.yaml');
  if (!result.ok) return { problems: result.problems.map(formatProblem) };
  return { scenario: result.loaded.scenario };
}

/** A valid scenario of these steps; a checking step is added where they hold none. */
function parsed(steps: string, manifests?: string): Scenario {
  const checked = /- (wait|expect|probe|stopTraffic):/.test(steps)
    ? steps
    : `${steps}  - expect: { condition: { noEgressLabel: { service: web } } }\n`;
  const { scenario: s, problems } = scenario(checked, manifests);
  if (!s) throw new Error(problems?.join('\n'));
  return s;
}

describe('parsed steps', () => {
  it('are {kind, body} with defaults filled in, nested conditions too, and print as written', () => {
    const s = parsed(`  - apply: [svc]
  - wait: { condition: { bgpNextHops: { service: web, nextHops: egressNode } }, timeout: bgp }
`);
    expect(s.steps).toEqual([
      { kind: 'apply', body: ['svc'] },
      {
        kind: 'wait',
        body: {
          condition: {
            kind: 'bgpNextHops',
            body: { service: 'web', peer: 'default', nextHops: 'egressNode' },
          },
          timeout: 'bgp',
          consecutive: 2,
        },
      },
    ]);
    expect(s.steps.map(bodyAsWritten)).toEqual([
      ['svc'],
      {
        condition: { bgpNextHops: { service: 'web', peer: 'default', nextHops: 'egressNode' } },
        timeout: 'bgp',
        consecutive: 2,
      },
    ]);
  });

  it('report a wrong body at its field, and an unknown kind with the kinds there are', () => {
    expect(scenario('  - probe: 5\n').problems).toEqual([
      's.yaml:9: steps[0].probe: expected object, found 5',
    ]);
    expect(scenario('  - apply: svc\n').problems).toEqual([
      "s.yaml:9: steps[0].apply: expected array, found 'svc'",
    ]);
    expect(scenario('  - apply: []\n').problems).toEqual([
      's.yaml:9: steps[0].apply: Too small: expected array to have >=1 items',
    ]);
    expect(
      scenario('  - expect: { condition: { bgpNextHop: { service: web, nextHops: none } } }\n').problems,
    ).toEqual([
      "s.yaml:9: steps[0].expect.condition.bgpNextHop: unknown condition kind 'bgpNextHop': expected one of serviceIngress, podsReady, podsGone, egressPlacement, egressIPAssigned, egressServiceGone, noEgressLabel, bgpNextHops, ingressReachable",
    ]);
  });

  it('name the places where they capture', () => {
    const s = parsed(`  - startTraffic: { name: t, from: { endpointsOf: web }, to: { node: { index: 0 } } }
  - probe: { name: p, from: { endpointsOf: web }, to: { pod: client }, expect: { completes: true } }
  - stopTraffic: { name: t, expect: { source: nodeIP } }
  - apply: [svc]
`);
    expect(s.steps.map(captureSiteOfStep)).toEqual(['node', 'pod', undefined, undefined]);
  });
});

describe('which tests run alone', () => {
  const deployment = (
    podSpec: string,
    kind = 'Deployment',
  ) => `  svc: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: "\${namespace}" } }
  workload:
    apiVersion: apps/v1
    kind: ${kind}
    metadata: { name: w, namespace: "\${namespace}" }
    spec:
      template:
        spec: ${podSpec}
`;

  it('those with a step that changes shared node state, named by the step', () => {
    expect(
      whyRunsAlone(
        parsed('  - apply: [svc]\n  - labelNode: { node: { index: 0 }, key: egress-conformance.io/a }\n'),
      ),
    ).toBe('step 2 (labelNode): it changes node labels, which every test sees');
    expect(whyRunsAlone(parsed('  - failNode: { node: { index: 0 } }\n'))).toBe(
      'step 1 (failNode): it fails or restores nodes, which every test runs on',
    );
    expect(whyRunsAlone(parsed('  - apply: [svc]\n  - delete: [svc]\n'))).toBeUndefined();
  });

  it('those whose pods use the host network, read from where each kind keeps its pod spec', () => {
    expect(
      whyRunsAlone(parsed('  - apply: [svc]\n', deployment('{ hostNetwork: true, containers: [] }'))),
    ).toBe("manifest workload: its pods use the host's network, whose ports every test on the node shares");
    expect(
      whyRunsAlone(parsed('  - apply: [svc]\n', deployment('{ hostNetwork: true }', 'DaemonSet'))),
    ).toBeDefined();
    expect(whyRunsAlone(parsed('  - apply: [svc]\n', deployment('{ hostNetwork: false }')))).toBeUndefined();
    const [hostNetwork] = MANIFEST_FACTS;
    expect(hostNetwork?.holds({ kind: 'Pod', spec: { hostNetwork: true } })).toBe(true);
    expect(
      hostNetwork?.holds({
        kind: 'CronJob',
        spec: { jobTemplate: { spec: { template: { spec: { hostNetwork: true } } } } },
      }),
    ).toBe(true);
  });

  it('not those that merely mention hostNetwork in their text', () => {
    const configMap = `  svc: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: "\${namespace}" } }
  notes:
    apiVersion: v1
    kind: ConfigMap
    metadata: { name: notes, namespace: "\${namespace}" }
    data: { example: '{"hostNetwork":true}', hostNetwork: "true" }
`;
    expect(whyRunsAlone(parsed('  - apply: [svc]\n', configMap))).toBeUndefined();
  });
});
