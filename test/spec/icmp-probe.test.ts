/** `protocol: icmp` on a probe: no port, and background traffic stays TCP/UDP. */
import { describe, expect, it } from 'vitest';
import { formatProblem, parseScenario } from '../../harness/spec/loader.js';

const head = `id: t
title: t
statements: [ES-SNAT-1]
profile: core
features: [SourceIPLoadBalancer]
manifests:
  svc: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: "\${namespace}" } }
steps:
`;

function problems(text: string): string[] {
  const result = parseScenario(text, 'spec.yaml');
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('probe protocol: icmp', () => {
  it('is accepted without a port, with the usual defaults', () => {
    const result = parseScenario(
      `${head}  - probe: { name: p, from: { endpointsOf: web }, to: { peer: default }, protocol: icmp, expect: { completes: true } }\n`,
      'spec.yaml',
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.loaded.scenario.steps[0]).toMatchObject({
        kind: 'probe',
        body: { protocol: 'icmp', attempts: 3, expect: { completes: true } },
      });
      expect(result.loaded.scenario.steps[0]?.body).not.toHaveProperty('port');
    }
  });

  it('refuses a port with one line naming the field', () => {
    expect(
      problems(
        `${head}  - probe: { name: p, from: { endpointsOf: web }, to: { peer: default }, protocol: icmp, port: 8080, expect: { completes: true } }\n`,
      ),
    ).toEqual([
      expect.stringMatching(
        /^spec\.yaml:9: steps\[0\]\.probe\.port: an icmp probe sends echo requests, which have no port/,
      ),
    ]);
  });

  it('still takes a port for tcp and udp', () => {
    for (const protocol of ['tcp', 'udp']) {
      expect(
        problems(
          `${head}  - probe: { name: p, from: { endpointsOf: web }, to: { peer: default }, protocol: ${protocol}, port: 8080, expect: { completes: true } }\n`,
        ),
      ).toEqual([]);
    }
  });

  it('refuses another protocol, naming the ones a probe takes', () => {
    expect(
      problems(
        `${head}  - probe: { name: p, from: { endpointsOf: web }, to: { peer: default }, protocol: sctp, expect: { completes: true } }\n`,
      ).join('\n'),
    ).toMatch(/spec\.yaml:9: steps\[0\]\.probe\.protocol: expected one of tcp, udp, icmp/);
  });

  it('is refused for background traffic, which sends TCP or UDP only', () => {
    const text = `${head}  - startTraffic: { name: bg, from: { endpointsOf: web }, to: { peer: default }, protocol: icmp }
  - stopTraffic: { name: bg, expect: { source: loadBalancerIP, service: web } }
`;
    expect(problems(text).join('\n')).toMatch(
      /spec\.yaml:9: steps\[0\]\.startTraffic\.protocol: expected one of tcp, udp, found 'icmp'/,
    );
  });
});
