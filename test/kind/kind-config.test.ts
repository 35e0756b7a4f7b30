/**
 * kind-configs/: the project's kind cluster configuration, rendered for every family and pin set
 * and validated two ways: against the strict schema written from kind's v1alpha4 types and
 * validate.go (kind-config-schema.ts), and field by field against kind's own
 * pkg/apis/config/v1alpha4/types.go at the pin set's kind version, read from the kind mirror
 * (EC_UPSTREAM_MIRRORS: a missing mirror or tag fails; else /work/.mirror where present).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { IpFamily } from '../../harness/env/environment.js';
import {
  KIND_CONFIG_SOURCE,
  kindConfigPath,
  readKindConfigBase,
} from '../../harness/env/kind/kind-config.js';
import { PIN_SET_NAMES, pinSet } from '../../harness/env/kind/pin-sets.js';
import { planKind } from '../../harness/env/kind/provider.js';
import { kindClusterSchema } from './kind-config-schema.js';
import { kindOptions } from './support.js';

const FAMILIES = { ipv4: ['ipv4'], ipv6: ['ipv6'], dual: ['ipv4', 'ipv6'] } as const;
const STRICT = process.env.EC_UPSTREAM_MIRRORS !== undefined;
const KIND_MIRROR = join(process.env.EC_UPSTREAM_MIRRORS ?? '/work/.mirror', 'kubernetes-sigs+kind', 'repo');

/** The configuration the plan writes for a family and pin set. */
function rendered(pin: string, family: keyof typeof FAMILIES, workers = 2): string {
  const { actions, topology } = planKind(
    kindOptions({ pinSet: pin, metallbMode: 'frr', workers }, [...FAMILIES[family]] as IpFamily[]),
  );
  const write = actions.find((a) => a.type === 'write' && a.path === kindConfigPath(topology));
  if (write?.type !== 'write') throw new Error('the plan writes no kind config');
  return write.content;
}

/** yaml field names of each struct in kind's types.go (`Name Type \`yaml:"name,omitempty"\``). */
function kindStructFields(source: string): Map<string, Set<string>> {
  const structs = new Map<string, Set<string>>();
  for (const m of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields = new Set<string>();
    for (const f of (m[2] as string).matchAll(/yaml:"([^",]*)/g)) if (f[1]) fields.add(f[1]);
    // TypeMeta is inlined: kind and apiVersion.
    if ((m[2] as string).includes('TypeMeta')) for (const f of ['kind', 'apiVersion']) fields.add(f);
    structs.set(m[1] as string, fields);
  }
  return structs;
}

describe(`the kind config (${KIND_CONFIG_SOURCE})`, () => {
  it('is the project’s own file, with no Jinja markup for kind-helm.sh’s jinjanate to change', () => {
    const base = readKindConfigBase();
    expect(base).not.toMatch(/\{\{|\{%|\{#/);
    expect(base).not.toContain('ovn_ip_family');
    for (const pin of PIN_SET_NAMES)
      for (const family of Object.keys(FAMILIES) as Array<keyof typeof FAMILIES>)
        expect(rendered(pin, family)).not.toMatch(/\{\{|\{%|\{#/);
  });

  for (const family of Object.keys(FAMILIES) as Array<keyof typeof FAMILIES>) {
    it(`renders a valid kind config for ${family}: no CNI, no kube-proxy, the family's subnets, the nodes`, () => {
      const config = parse(rendered('v1.3', family, 3));
      const parsed = kindClusterSchema.safeParse(config);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const pods = { ipv4: '10.244.0.0/16', ipv6: 'fd00:10:244::/48' };
      const services = { ipv4: '10.96.0.0/16', ipv6: 'fd00:10:96::/112' };
      expect(config.networking).toEqual({
        disableDefaultCNI: true,
        kubeProxyMode: 'none',
        ipFamily: family,
        podSubnet: FAMILIES[family].map((f) => pods[f]).join(','),
        serviceSubnet: FAMILIES[family].map((f) => services[f]).join(','),
      });
      expect(config.nodes.map((n: { role: string }) => n.role)).toEqual([
        'control-plane',
        'worker',
        'worker',
        'worker',
      ]);
    });
  }

  it('fails the schema on what kind would reject (the check bites)', () => {
    const config = parse(rendered('v1.3', 'ipv4'));
    expect(kindClusterSchema.safeParse({ ...config, bogus: true }).success).toBe(false);
    expect(
      kindClusterSchema.safeParse({ ...config, networking: { ...config.networking, podSubnet: 'fd00::/48' } })
        .success,
    ).toBe(false);
  });

  describe.skipIf(!STRICT && !existsSync(KIND_MIRROR))(
    'against kind’s types at each pin set’s kind version',
    () => {
      for (const pin of PIN_SET_NAMES) {
        const tag = pinSet(pin).kind.value;
        it(`uses only fields kind ${tag} has (pin set ${pin})`, () => {
          const found = spawnSync('git', ['-C', KIND_MIRROR, 'rev-parse', '--verify', `${tag}^{commit}`]);
          expect(found.status, `kind ${tag} not in ${KIND_MIRROR}`).toBe(0);
          const types = kindStructFields(
            execFileSync('git', ['-C', KIND_MIRROR, 'show', `${tag}:pkg/apis/config/v1alpha4/types.go`], {
              encoding: 'utf8',
            }),
          );
          const cluster = types.get('Cluster');
          const networking = types.get('Networking');
          const node = types.get('Node');
          expect(cluster && networking && node).toBeTruthy();
          for (const family of Object.keys(FAMILIES) as Array<keyof typeof FAMILIES>) {
            const config = parse(rendered(pin, family)) as Record<string, unknown> & {
              networking: Record<string, unknown>;
              nodes: Array<Record<string, unknown>>;
            };
            const problems = [
              ...Object.keys(config).filter((k) => !cluster?.has(k)),
              ...Object.keys(config.networking)
                .filter((k) => !networking?.has(k))
                .map((k) => `networking.${k}`),
              ...config.nodes.flatMap((n) =>
                Object.keys(n)
                  .filter((k) => !node?.has(k))
                  .map((k) => `nodes[].${k}`),
              ),
            ];
            expect(problems, `${pin} ${family}`).toEqual([]);
          }
          // The enum values used are kind's constants (kubeProxyMode none is its internal API's).
          const show = (path: string) =>
            execFileSync('git', ['-C', KIND_MIRROR, 'show', `${tag}:${path}`], { encoding: 'utf8' });
          const publicTypes = show('pkg/apis/config/v1alpha4/types.go');
          for (const value of ['ipv4', 'ipv6', 'dual'])
            expect(publicTypes).toContain(`ClusterIPFamily = "${value}"`);
          expect(show('pkg/internal/apis/config/types.go')).toContain('NoneProxyMode ProxyMode = "none"');
        });
      }
    },
  );
});
