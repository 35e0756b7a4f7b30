/**
 * Every supported plan (IP family x gateway mode x MetalLB mode x second-network routing) held
 * to upstream-facts.yaml: it may use only the CRD fields and kernel modules listed there, with
 * where each was read. The refusals and the feature declarations are the file's too. Needs no
 * mirror. (Scripts, variables, charts and images: bring-up-upstream.test.ts, per pin set.)
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../harness/env/environment.js';
import {
  allCombinations,
  type KindCombination,
  refusalOf,
  supportedCombinations,
} from '../../harness/env/kind/combinations.js';
import { createKindProvider, kindHostNeeds, planKind } from '../../harness/env/kind/provider.js';
import { clientLoopScript } from '../../harness/env/shared/client-loop.js';
import type { PlannedAction, RunAction } from '../../harness/env/shared/planned-actions.js';
import { kindOptions } from './support.js';
import { allClaims, loadFacts } from './upstream-facts.js';

const facts = loadFacts();

const FAMILIES = { ipv4: ['ipv4'], ipv6: ['ipv6'], dual: ['ipv4', 'ipv6'] } as const;

function plans() {
  return supportedCombinations().flatMap((c) =>
    (['vrf', 'table'] as const).map((networkRouting) => {
      const name = `${c.family}/${c.gatewayMode}/${c.metallbMode}/${networkRouting}`;
      const options = kindOptions(
        { gatewayMode: c.gatewayMode, metallbMode: c.metallbMode, networkRouting, bgpPassword: 'pw' },
        [...FAMILIES[c.family]],
      );
      return { name, combination: c, options, ...planKind(options) };
    }),
  );
}

const runs = (actions: PlannedAction[]) => actions.filter((a): a is RunAction => a.type === 'run');

/** Dotted keys of a values document (leaves only). */
function leafKeys(node: unknown, prefix = ''): string[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

/** Field paths of a custom resource below its spec (`spec.passwordSecret.name`). */
function fieldsOf(object: KubeObject): string[] {
  return leafKeys(object.spec, 'spec');
}

describe('every supported plan, held to upstream-facts.yaml', () => {
  const all = plans();

  it('records every quoted fact with a source it names, for the mirror test to read back', () => {
    const claims = allClaims(facts);
    expect(claims.length).toBeGreaterThan(20);
    for (const c of claims) expect(Object.keys(facts.sources), c.where).toContain(c.source);
  });

  it('covers every supported combination in both second-network routings', () => {
    expect(all.length).toBe(supportedCombinations().length * 2);
    expect(supportedCombinations().length).toBeGreaterThan(0);
  });

  it('applies only CRD fields the facts list for the pinned CRDs', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const plan of all) {
      for (const object of runs(plan.actions).flatMap((a) => a.manifests ?? [])) {
        if (object.apiVersion === 'v1') continue;
        const crd = facts.crds[`${object.apiVersion}/${object.kind}`];
        if (!crd) {
          problems.push(`${plan.name}: ${object.apiVersion} ${object.kind} is not in the facts`);
          continue;
        }
        for (const field of fieldsOf(object)) {
          checked++;
          if (!crd.fields.includes(field)) problems.push(`${plan.name}: ${object.kind} ${field}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it('needs only the kernel modules the facts list, and vrf only for a VRF', () => {
    const listed = facts.modules.map((m) => m.name);
    for (const plan of all) {
      const needs = kindHostNeeds(plan.topology, false);
      for (const module of needs.modules) expect(listed).toContain(module);
      expect(needs.modules.includes('vrf')).toBe(plan.topology.otherNetworks[0]?.routing === 'vrf');
    }
  });

  it('refuses exactly the combinations the facts show upstream does not run', () => {
    const refusedByFacts = (c: KindCombination) =>
      facts.refused.some((r) =>
        Object.entries(r.combination).every(([key, value]) => c[key as keyof KindCombination] === value),
      );
    for (const c of allCombinations()) {
      expect(refusalOf(c) !== undefined, JSON.stringify(c)).toBe(refusedByFacts(c));
    }
  });

  it('declares unsupported only the features the facts say the environment cannot offer, with the reason', () => {
    const provider = createKindProvider();
    const feature = (settings: Record<string, unknown>, families: string[], name: string) =>
      provider
        .plannedDescription(kindOptions(settings, families as ['ipv4']))
        .features.find((f) => f.name === name);
    expect(feature({ gatewayMode: 'shared' }, ['ipv4'], 'SourceIPNetwork')).toMatchObject({
      supported: false,
      reason: expect.stringContaining('Network without LoadBalancer SNAT'),
    });
    expect(feature({ gatewayMode: 'local' }, ['ipv4'], 'SourceIPNetwork')?.supported).toBe(true);
    // Findings 4 and 5 of issue 19: upstream runs these, so they are supported everywhere.
    for (const family of ['ipv4', 'ipv6'])
      for (const gatewayMode of ['shared', 'local']) {
        expect(feature({ gatewayMode }, [family], 'NetworkRouting')?.supported).toBe(true);
        expect(feature({ gatewayMode }, [family], 'EgressIPPriority')?.supported).toBe(true);
      }
    expect(Object.keys(facts.features)).toEqual(['SourceIPNetwork']);
  });
});

describe('probe clients', () => {
  it('ping as upstream e2e pings from agnhost pods: ping for IPv4, ping6 for IPv6, with -c and -W', () => {
    const quoted = facts.probeClients.flatMap((c) => [...(c.quote ? [c.quote] : []), ...(c.quotes ?? [])]);
    expect(quoted.join('\n')).toContain('-c 3 -W 2');
    for (const [address, ping] of [
      ['198.51.100.10', 'ping'],
      ['2001:db8:5100::10', 'ping6'],
    ] as const) {
      const script = clientLoopScript({
        address,
        port: 0,
        protocol: 'icmp',
        request: 'clientip',
        attempts: 1,
        timeoutMs: 2000,
      });
      expect(script).toContain(`${ping} -c 1 -W 2 '${address}'`);
      expect(quoted).toContain(`${ping === 'ping' ? 'ipv4' : 'ipv6'}PingCommand pingCommand = "${ping}"`);
    }
  });
});
