/**
 * `${networks.NAME.table}`: spec.network comes from the environment's own table for the network,
 * never a name only one environment knows. Checked on the loader (an unknown network is an error
 * naming the field) and by rendering the shipped network scenarios for every provider's planned
 * environment: each gets that provider's table.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../harness/common/log.js';
import type { EnvironmentDescription, ProviderName } from '../../harness/env/environment.js';
import { PROVIDERS } from '../../harness/env/providers.js';
import { loadProvider } from '../../harness/env/registry.js';
import { contextFor } from '../../harness/run/context.js';
import { planRun } from '../../harness/run/plan.js';
import { loadCatalogue } from '../../harness/spec/catalogue.js';
import { formatProblem, parseScenario } from '../../harness/spec/loader.js';

/** The tertiary network's table where the environment has one (the existing one here has not). */
const TERTIARY_TABLES: Record<string, string> = { lab: '101', kind: '101' };

const spec = (network: string, requires: string) => `id: net
title: A network scenario
statements: [ES-NET-1]
profile: extended
features: [NetworkRouting]
requires: { nodes: 1, networks: [${requires}] }
manifests:
  es:
    apiVersion: k8s.ovn.org/v1
    kind: EgressService
    metadata: { name: web, namespace: "\${namespace}" }
    spec:
      sourceIPBy: LoadBalancerIP
      network: "${network}"
steps:
  - apply: [es]
  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }
`;

async function planned(
  provider: ProviderName,
  settings: Record<string, unknown>,
): Promise<EnvironmentDescription> {
  const p = await loadProvider(provider);
  if (!p) throw new Error(`no ${provider} provider`);
  return p.plannedDescription({
    runId: 'r',
    keep: false,
    settings: PROVIDERS[provider].settings.parse(settings),
    log: silentLogger(),
    signal: new AbortController().signal,
  });
}

describe('${networks.NAME.table}', () => {
  it('is accepted for a network the scenario requires', () => {
    expect(parseScenario(spec('${networks.secondary.table}', 'secondary'), 'net.yaml').ok).toBe(true);
  });

  it('names the field when the network is not one the scenario requires', () => {
    const result = parseScenario(spec('${networks.tertiary.table}', 'secondary'), 'net.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      "net.yaml:14: manifests.es.spec.network: ${networks.tertiary.table} names network 'tertiary', which requires.networks does not list (it lists secondary)",
    ]);
    const none = parseScenario(spec('${networks.secondary.table}', ''), 'net.yaml');
    expect(none.ok ? [] : none.problems.map(formatProblem)).toEqual([
      "net.yaml:14: manifests.es.spec.network: ${networks.secondary.table} names network 'secondary', which requires.networks does not list (it lists none)",
    ]);
  });

  it('names the line of a probe naming a network requires.networks does not list, by target or by source', () => {
    const steps = `  - probe:
      name: out
      from: { endpointsOf: web }
      to: { node: { index: 0 }, network: tertiary }
      expect: { source: networkIP, network: blue }
  - probe:
      name: fine
      from: { endpointsOf: web }
      to: { node: { index: 0 }, network: secondary }
      expect: { source: networkIP, network: secondary }
`;
    const result = parseScenario(spec('${networks.secondary.table}', 'secondary') + steps, 'net.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      "net.yaml:21: steps[2].probe.to.network: network 'tertiary' is not one requires.networks lists (it lists secondary)",
      "net.yaml:22: steps[2].probe.expect.network: network 'blue' is not one requires.networks lists (it lists secondary)",
    ]);
  });

  it("renders every shipped network scenario with each provider's table for the network", async () => {
    const catalogue = await loadCatalogue(undefined);
    const network = catalogue.scenarios.filter((s) => s.scenario.id.startsWith('network-'));
    expect(network.map((s) => s.scenario.id).sort()).toEqual([
      'network-ingress-replies',
      'network-ingress-replies-etp-local',
      'network-loadbalancer-ip',
      'network-shared-client-address',
      'network-source-ip',
    ]);
    const environments: Array<[string, EnvironmentDescription, string]> = [
      ['lab', await planned('lab', {}), '100'],
      ['kind', await planned('kind', { gatewayMode: 'local' }), '100'],
      [
        'existing',
        await planned('existing', {
          networks: [{ name: 'secondary', routingTable: '205' }],
          features: { NetworkRouting: true, SourceIPNetwork: true },
          peer: { mode: 'host', ssh: 'ops@peer', addresses: { ipv4: '192.0.2.10' }, asn: 64500 },
        }),
        '205',
      ],
    ];
    for (const [provider, description, table] of environments) {
      const tests = planRun(
        network,
        { profile: 'all', runTests: [], skipTests: [], skipProvisional: false },
        description,
        'abc123',
      ).filter((t) => !t.skip);
      expect(tests.length, `${provider} runs the network scenarios`).toBeGreaterThan(0);
      for (const test of tests) {
        const egress = Object.values(contextFor(test, description).manifests).filter(
          (m) => m.kind === 'EgressService',
        );
        // Each EgressService names its network's table: the secondary one's, or the tertiary's.
        const networks = egress.map((m) => (m.spec as { network?: string }).network);
        const tertiary = test.loaded.scenario.requires.networks.includes('tertiary');
        if (!tertiary) expect(networks).toEqual(egress.map(() => table));
        else expect(networks.sort()).toEqual([table, TERTIARY_TABLES[provider] as string].sort());
      }
    }
  });
});
