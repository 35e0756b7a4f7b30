/** The background-traffic steps: validated with FILE:LINE errors like every other step. */
import { describe, expect, it } from 'vitest';
import { formatProblem, parseScenario } from '../../harness/spec/loader.js';

const head = `id: t
title: t
statements: [ES-LEAK-1]
profile: extended
features: [NoLeakOnPlacement]
manifests:
  svc: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: "\${namespace}" } }
steps:
`;
const start = `  - startTraffic: { name: leak, from: { endpointsOf: web }, to: { peer: default }, watch: web }
`;
const stop = `  - stopTraffic: { name: leak, expect: { source: loadBalancerIP, service: web } }
`;

function problems(text: string): string[] {
  const result = parseScenario(text, 'spec.yaml');
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('startTraffic / stopTraffic', () => {
  it('accepts a start and a later stop, with defaults', () => {
    const result = parseScenario(head + start + stop, 'spec.yaml');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.loaded.scenario.steps[0]).toMatchObject({
        kind: 'startTraffic',
        body: { protocol: 'udp', intervalMs: 100, limit: 'probe', watch: 'web' },
      });
    }
  });
  it('rejects a stop with no running traffic of that name, naming the line', () => {
    expect(problems(head + stop)).toEqual([
      expect.stringMatching(
        /^spec\.yaml:9: steps\[0\]\.stopTraffic\.name: no traffic named 'leak' is running/,
      ),
    ]);
  });
  it('rejects traffic that is never stopped', () => {
    expect(problems(head + start).join('\n')).toMatch(
      /spec\.yaml:9: steps\[0\]\.startTraffic\.name: .*never stopped/,
    );
  });
  it('rejects a loadBalancerIP expectation without a service, and a bad interval', () => {
    const bad = `  - startTraffic: { name: leak, from: { endpointsOf: web }, to: { peer: default }, intervalMs: 5 }
  - stopTraffic: { name: leak, expect: { source: loadBalancerIP } }
`;
    const found = problems(head + bad).join('\n');
    expect(found).toMatch(/spec\.yaml:9: steps\[0\]\.startTraffic\.intervalMs/);
    expect(found).toMatch(/spec\.yaml:10: steps\[1\]\.stopTraffic\.expect.*needs `service`/);
  });
  it('accepts measure: failover on a probe and nodeReady on egressPlacement', () => {
    const text = `${head}  - wait: { condition: { egressPlacement: { egressService: web, state: placed, nodeReady: true } }, timeout: failover }
  - probe: { name: p, from: { endpointsOf: web }, to: { peer: default }, expect: { completes: true }, measure: failover }
`;
    expect(problems(text)).toEqual([]);
    expect(problems(text.replace('measure: failover', 'measure: speed')).join('\n')).toMatch(
      /spec\.yaml:10: steps\[1\]\.probe\.measure/,
    );
  });
});
