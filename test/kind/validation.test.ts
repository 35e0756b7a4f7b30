/**
 * Everything the kind provider generates, checked by real parsers: kind configs against kind's
 * v1alpha4 fields, FRR configs by FRR's own parser (`vtysh --dryrun`, Debian's frr), MetalLB and
 * EgressService objects (the provider's and every shipped scenario's) against the CRD schemas.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { IpFamily, KubeObject } from '../../harness/env/environment.js';
import { kindConfig, kindConfigYaml } from '../../harness/env/kind/kind-config.js';
import { kindClusterSchema, subnetProblem } from '../../harness/env/kind/kind-config-schema.js';
import { kindProvider, planKind } from '../../harness/env/kind/provider.js';
import { BGP_PASSWORD_PLACEHOLDER, renderPeerFrrConfig } from '../../harness/env/shared/frr-peer-config.js';
import type { RunAction } from '../../harness/env/shared/planned-actions.js';
import { crdSchemaFor, validateCustomResource } from '../../harness/k8s/crd-schemas.js';
import { contextFor } from '../../harness/run/context.js';
import { planRun } from '../../harness/run/plan.js';
import { loadCatalogue } from '../../harness/spec/catalogue.js';
import { kindOptions } from './support.js';

const FAMILIES: IpFamily[][] = [['ipv4'], ['ipv6'], ['ipv4', 'ipv6']];

describe('kind configs against kind v1alpha4', () => {
  for (const families of FAMILIES) {
    it(`accepts the generated ${families.join('+')} config`, () => {
      const parsed = kindClusterSchema.safeParse(parse(kindConfigYaml(families)));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const config = kindConfig(families);
      expect(config.networking).toMatchObject({ disableDefaultCNI: true, kubeProxyMode: 'none' });
      expect(config.nodes?.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
    });
  }

  it('ships kind-configs/*.yaml exactly as the generator writes them', () => {
    for (const [file, families] of [
      ['ipv4', ['ipv4']],
      ['ipv6', ['ipv6']],
      ['dual', ['ipv4', 'ipv6']],
    ] as const) {
      const shipped = readFileSync(`kind-configs/${file}.yaml`, 'utf8').replace(/^#.*\n/gm, '');
      expect(shipped).toBe(kindConfigYaml([...families]));
      expect(kindClusterSchema.safeParse(parse(shipped)).success).toBe(true);
    }
  });

  it('turns the service LB controller off for both kubeadm config APIs', () => {
    const patches = (kindConfig(['ipv4']).kubeadmConfigPatches ?? []).map((p) => parse(p));
    expect(patches).toEqual([
      expect.objectContaining({ apiVersion: 'kubeadm.k8s.io/v1beta3', kind: 'ClusterConfiguration' }),
      expect.objectContaining({ apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration' }),
    ]);
    expect(JSON.stringify(patches)).toContain('-service-lb-controller');
  });

  it('rejects what kind rejects: unknown fields, bad modes, subnets of the wrong family, no control plane', () => {
    const base = kindConfig(['ipv4']);
    const bad = (patch: Record<string, unknown>) =>
      kindClusterSchema.safeParse({ ...base, ...patch }).success;
    expect(bad({ networking: { ...base.networking, kubeProxyMod: 'none' } })).toBe(false);
    expect(bad({ networking: { ...base.networking, kubeProxyMode: 'userspace' } })).toBe(false);
    expect(bad({ networking: { ...base.networking, podSubnet: 'fd00:10:244::/48' } })).toBe(false);
    expect(bad({ nodes: [{ role: 'worker' }] })).toBe(false);
    expect(bad({ nodes: [{ role: 'control-plane', labelz: {} }] })).toBe(false);
    expect(bad({ kubeadmConfigPatches: ['controllerManager: {}'] })).toBe(false);
    expect(subnetProblem('10.244.0.0/16,fd00:10:244::/48', 'dual')).toBeUndefined();
    expect(subnetProblem('10.244.0.0/16,10.245.0.0/16', 'dual')).toMatch(/two CIDRs from each family/);
    expect(subnetProblem('10.244.0.0/16,fd00::/48', 'ipv4')).toMatch(/only one CIDR/);
  });
});

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
        const { topology } = planKind(kindOptions(bgpPassword ? { bgpPassword } : {}, families));
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
  it('accepts the BGPPeers and Secret of every plan variant', () => {
    for (const families of FAMILIES) {
      for (const settings of [
        {},
        { metallbMode: 'frr' },
        { bgpPassword: 'x' },
        { secondaryNetwork: false },
      ]) {
        const manifests = planKind(kindOptions(settings, families))
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

  it('accepts every MetalLB and EgressService manifest of suites/core, rendered for a planned kind environment', async () => {
    const catalogue = await loadCatalogue(undefined);
    expect(catalogue.problems).toEqual([]);
    const problems: string[] = [];
    let checked = 0;
    for (const families of FAMILIES) {
      const description = kindProvider.plannedDescription(kindOptions({ gatewayMode: 'local' }, families));
      const planned = planRun(
        catalogue.scenarios,
        { profile: 'all', runTests: [], skipTests: [], skipProvisional: false },
        description,
        'abc123',
      );
      for (const test of planned) {
        const ctx = contextFor(test, description);
        for (const [name, object] of Object.entries(ctx.manifests)) {
          if (!crdSchemaFor(object)) continue;
          checked++;
          for (const p of validateCustomResource(object))
            problems.push(`${test.loaded.scenario.id} [${test.family}] ${name}: ${p}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
