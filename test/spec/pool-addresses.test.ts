/**
 * `${pool.addresses.N}` and its kin: a test reserves one LoadBalancer address of each family for
 * every N its spec names, none shared with another test of the plan (shards included), so that a
 * scenario can give several Services addresses of their own or ask MetalLB for another one.
 */
import { describe, expect, it } from 'vitest';
import { AddressRangeError, checkAddressRoom, contextFor } from '../../harness/run/context.js';
import { planRun } from '../../harness/run/plan.js';
import { formatProblem, type LoadedScenario, parseScenario } from '../../harness/spec/loader.js';
import { addressesReserved, usesEgressIP } from '../../harness/spec/template.js';
import { testDescription } from '../support/recording-environment.js';

function spec(
  id: string,
  pool: string,
  annotation = ', annotations: { metallb.io/address-pool: "${uid}-pool" }',
): string {
  return `id: ${id}
title: ${id}
statements: [ES-SNAT-6]
profile: core
features: [SourceIPLoadBalancer]
manifests:
  pool:
    apiVersion: metallb.io/v1beta1
    kind: IPAddressPool
    metadata: { name: "\${uid}-pool", namespace: "\${metallb.namespace}" }
    spec: { addresses: ${pool}, autoAssign: false }
  service:
    apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: "\${namespace}"${annotation} }
    spec: { type: LoadBalancer }
steps:
  - apply: [pool, service]
  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }
`;
}

function loaded(id: string, pool: string, annotation?: string): LoadedScenario {
  const result = parseScenario(spec(id, pool, annotation), `${id}.yaml`);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.loaded;
}

const options = { profile: 'core', runTests: [], skipTests: [], skipProvisional: false } as const;

describe('LoadBalancer addresses per test', () => {
  const env = testDescription({ families: ['ipv4', 'ipv6'] });

  it('counts one address for a spec that names none or only ${pool.addresses}, N+1 for the highest N', () => {
    expect(addressesReserved({ a: 'x' })).toBe(1);
    expect(addressesReserved(['${pool.addresses}'])).toBe(1);
    expect(addressesReserved({ k: ['${pool.addresses.0}', 'a ${pool.address.3} b'] })).toBe(4);
    expect(addressesReserved({ '${pool.ipv6.2}': 1 })).toBe(3);
  });

  it('gives each test its own run of addresses, in plan order, the first of each as ${pool.addresses}', () => {
    const one = loaded('one', '["${pool.addresses}"]');
    const three = loaded(
      'three',
      '["${pool.addresses.0}", "${pool.addresses.2}"]',
      ', annotations: { metallb.io/loadBalancerIPs: "${pool.address.1}" }',
    );
    const plan = planRun([one, three, one], options, env, 'r1');
    expect(plan.map((t) => t.addresses)).toEqual([
      { offset: 0, count: 1 },
      { offset: 1, count: 1 },
      { offset: 2, count: 3 },
      { offset: 5, count: 3 },
      { offset: 8, count: 1 },
      { offset: 9, count: 1 },
    ]);
    const v4 = contextFor(plan[2] as (typeof plan)[number], env);
    expect(v4.values['pool.addresses']).toBe('203.0.113.3/32');
    expect(v4.values['pool.addresses.1']).toBe('203.0.113.4/32');
    expect(v4.manifests.pool?.spec).toEqual({
      addresses: ['203.0.113.3/32', '203.0.113.5/32'],
      autoAssign: false,
    });
    expect(v4.manifests.service?.metadata.annotations).toEqual({
      'metallb.io/loadBalancerIPs': '203.0.113.4',
    });
    const v6 = contextFor(plan[3] as (typeof plan)[number], env);
    expect(v6.manifests.pool?.spec).toEqual({
      addresses: ['2001:db8:100::6/128', '2001:db8:100::8/128'],
      autoAssign: false,
    });
    expect(v6.values['pool.ipv4.2']).toBe('203.0.113.8/32');
    // No two tests share an address.
    const all = plan.flatMap((test) => {
      const values = contextFor(test, env).values;
      return Array.from({ length: test.addresses.count }, (_, n) => values[`pool.address.${n}`]);
    });
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses an unknown or too high N as an unknown template variable, naming the field', () => {
    const result = parseScenario(spec('high', '["${pool.addresses.8}"]'), 'high.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^high\.yaml:11: manifests\.pool\.spec\.addresses\[0\]: unknown template variable \$\{pool\.addresses\.8\}: expected one of/,
      ),
    ]);
  });

  it('says which range is too small for the plan, before anything runs', () => {
    const small = testDescription({ families: ['ipv4'], loadBalancerRanges: { ipv4: '203.0.113.0/30' } });
    const four = loaded('four', '["${pool.addresses.3}"]');
    expect(() => checkAddressRoom(planRun([four], options, small, 'r1'), small)).toThrow(AddressRangeError);
    expect(() => checkAddressRoom(planRun([four], options, small, 'r1'), small)).toThrow(
      /the ipv4 LoadBalancer range 203\.0\.113\.0\/30 has no address number 4, which four needs/,
    );
    const two = loaded('two', '["${pool.addresses.1}"]');
    expect(() => checkAddressRoom(planRun([two], options, small, 'r1'), small)).not.toThrow();
  });
});

describe('EgressIP addresses per test', () => {
  // A /30 holds four addresses (numbers 0-3): the EgressIP tests take 1, 2, 3 in plan order.
  const env = {
    ...testDescription({ families: ['ipv4', 'ipv6'] }),
    egressIPRanges: { ipv4: '192.0.2.192/30', ipv6: '2001:db8:e::/126' },
  };
  const egress = loaded(
    'egress',
    '["${pool.addresses}"]',
    ', annotations: { example: "${egressIP.address}", metallb.io/address-pool: "${uid}-pool" }',
  );
  const plain = loaded('plain', '["${pool.addresses}"]');

  it('are taken only by tests that use one, so many tests fit a small range', () => {
    expect(usesEgressIP(egress.scenario.manifests)).toBe(true);
    expect(usesEgressIP([plain.scenario.manifests, plain.scenario.steps])).toBe(false);
    const plan = planRun([plain, plain, plain, egress, plain, plain], options, env, 'r1');
    expect(plan.map((t) => t.egressIP)).toEqual([
      ...Array(6).fill(undefined),
      0,
      1,
      ...Array(4).fill(undefined),
    ]);
    expect(() => checkAddressRoom(plan, env)).not.toThrow();
    const egressTests = plan.filter((t) => t.egressIP !== undefined);
    expect(egressTests.map((t) => contextFor(t, env).values['egressIP.ipv4'])).toEqual([
      '192.0.2.193',
      '192.0.2.194',
    ]);
    expect(contextFor(plan[0]!, env).values['egressIP.ipv4']).toBe('');
  });

  it('beyond the range: a usage error naming the range and the test, before anything runs', () => {
    const plan = planRun([egress, egress], options, env, 'r1');
    expect(() => checkAddressRoom(plan, env)).toThrow(AddressRangeError);
    expect(() => checkAddressRoom(plan, env)).toThrow(
      /EgressIP range 192\.0\.2\.192\/30 has no address number 4, which egress needs/,
    );
  });
});
