/**
 * Everything the kind provider generates, checked by real parsers: FRR configs by FRR's own
 * parser (`vtysh --dryrun`, Debian's frr), MetalLB and EgressService objects (the provider's and
 * every shipped scenario's) against the CRD schemas, the MetalLB values file as helm reads it
 * (YAML). The kind config is contrib/kind.sh's own (upstream-facts-mirror.test.ts renders it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { IpFamily, KubeObject } from '../../harness/env/environment.js';
import { supportedCombinations } from '../../harness/env/kind/combinations.js';
import { kindProvider, planKind } from '../../harness/env/kind/provider.js';
import { BGP_PASSWORD_PLACEHOLDER, renderPeerFrrConfig } from '../../harness/env/shared/frr-peer-config.js';
import type { RunAction } from '../../harness/env/shared/planned-actions.js';
import { crdSchemaFor, validateCustomResource } from '../../harness/k8s/crd-schemas.js';
import { contextFor } from '../../harness/run/context.js';
import { planRun } from '../../harness/run/plan.js';
import { loadCatalogue } from '../../harness/spec/catalogue.js';
import { kindOptions } from './support.js';

const FAMILIES: IpFamily[][] = [['ipv4'], ['ipv6'], ['ipv4', 'ipv6']];
const FAMILY_OF = { ipv4: ['ipv4'], ipv6: ['ipv6'], dual: ['ipv4', 'ipv6'] } as const;
/** The settings and families of every combination the provider brings up. */
const SUPPORTED = supportedCombinations().map((c) => ({
  name: `${c.family}, ${c.gatewayMode}, ${c.metallbMode}`,
  settings: { gatewayMode: c.gatewayMode, metallbMode: c.metallbMode },
  families: [...FAMILY_OF[c.family]] as IpFamily[],
}));

describe("FRR peer configs accepted by FRR's own parser", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ec-frr-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const vtysh = (text: string) => {
    const file = join(dir, `frr-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(file, text);
    const result = spawnSync('vtysh', ['--dryrun', '-f', file], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}`, error: result.error };
  };

  it('has vtysh (Debian frr) to check with', () => {
    expect(() => execFileSync('sh', ['-c', 'command -v vtysh'])).not.toThrow();
  });

  for (const families of FAMILIES) {
    for (const bgpPassword of [undefined, 'pw-Value-1']) {
      it(`parses every peer's config: ${families.join('+')}, ${bgpPassword ? 'with' : 'without'} a password`, () => {
        const { topology } = planKind(
          kindOptions({ metallbMode: 'frr', ...(bgpPassword ? { bgpPassword } : {}) }, families),
        );
        for (const peer of topology.peers) {
          const text = renderPeerFrrConfig(peer, { families, bgpAuth: Boolean(bgpPassword) }).replaceAll(
            BGP_PASSWORD_PLACEHOLDER,
            'checker-dummy',
          );
          const result = vtysh(text);
          expect(result.error).toBeUndefined();
          expect(result.status, `${peer.name}:\n${result.output}\n${text}`).toBe(0);
        }
      });
    }
  }

  it('fails a broken config (the checker bites)', () => {
    const { topology } = planKind(kindOptions({}, ['ipv4']));
    const good = renderPeerFrrConfig(topology.peers[0]!, { families: ['ipv4'], bgpAuth: false });
    const broken = good.replace('neighbor NODES4 remote-as 64512', 'neighbor NODES4 remote-as');
    expect(vtysh(good).status).toBe(0);
    const result = vtysh(broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/incomplete|Unknown command/i);
    expect(vtysh('router bgp 64500\n neighbor 10.0.0.1 remote-az 1\n').status).not.toBe(0);
  });
});

describe('custom resources against their CRD schemas', () => {
  it('accepts the BGPPeers and Secret of every supported plan', () => {
    for (const combination of SUPPORTED) {
      for (const extra of [
        {},
        { bgpPassword: 'x' },
        { secondaryNetwork: false },
        { networkRouting: 'table' },
      ]) {
        const manifests = planKind(kindOptions({ ...combination.settings, ...extra }, combination.families))
          .actions.filter((a): a is RunAction => a.type === 'run')
          .flatMap((a) => a.manifests ?? []);
        expect(manifests.length).toBeGreaterThan(0);
        for (const object of manifests) {
          if (object.kind === 'Secret') continue;
          expect(crdSchemaFor(object), object.kind).toBeDefined();
          expect(validateCustomResource(object)).toEqual([]);
        }
      }
    }
  });

  it('writes MetalLB values helm reads as one YAML mapping, images split into repository and tag', () => {
    for (const combination of SUPPORTED) {
      const write = planKind(kindOptions(combination.settings, combination.families)).actions.find(
        (a) => a.type === 'write' && a.path.endsWith('metallb-values.yaml'),
      );
      expect(write?.type).toBe('write');
      const docs = parseAllDocuments(write?.type === 'write' ? write.content : '');
      expect(docs).toHaveLength(1);
      expect(docs[0]?.errors).toEqual([]);
      const values = docs[0]?.toJS() as Record<string, unknown>;
      expect(values.frrk8s).toEqual({ enabled: combination.settings.metallbMode === 'frr-k8s' });
    }
  });

  it('rejects invalid objects (the schemas bite)', () => {
    const peer: KubeObject = {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'p', namespace: 'metallb-system' },
      spec: { myASN: 64512, peerASN: 64500, peerAddress: '10.0.0.1', holdtime: '9s' },
    };
    expect(validateCustomResource(peer).join()).toMatch(/holdtime/);
    const es: KubeObject = {
      apiVersion: 'k8s.ovn.org/v1',
      kind: 'EgressService',
      metadata: { name: 'web', namespace: 'ns' },
      spec: { sourceIPBy: 'NodeIP' },
    };
    expect(validateCustomResource(es).join()).toMatch(/sourceIPBy/);
    const pool: KubeObject = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'p', namespace: 'm' },
      spec: { autoAssign: false },
    };
    expect(validateCustomResource(pool).join()).toMatch(/addresses/);
  });

  it('accepts every MetalLB and EgressService manifest of the shipped suites, rendered for each supported kind environment', async () => {
    const catalogue = await loadCatalogue(undefined);
    expect(catalogue.problems).toEqual([]);
    const problems: string[] = [];
    let checked = 0;
    for (const combination of SUPPORTED) {
      const description = kindProvider.plannedDescription(
        kindOptions(combination.settings, combination.families),
      );
      const planned = planRun(
        catalogue.scenarios,
        { profile: 'all', runTests: [], skipTests: [], skipProvisional: false },
        description,
        'abc123',
      );
      // A test the environment skips (a dual-stack one on a single-family cluster) applies nothing.
      for (const test of planned.filter((t) => !t.skip)) {
        const ctx = contextFor(test, description);
        for (const [name, object] of Object.entries(ctx.manifests)) {
          if (!crdSchemaFor(object)) continue;
          checked++;
          for (const p of validateCustomResource(object))
            problems.push(`${combination.name}: ${test.loaded.scenario.id} [${test.family}] ${name}: ${p}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
