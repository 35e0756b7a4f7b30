/**
 * What each pin set's bring-up relies on, read back from the upstream mirrors at the pinned
 * commits, for every supported plan: the script it runs and the flag it passes, every variable
 * it sets (read by the commit's kind-common.sh or kind-helm.sh, or by kind itself), the image
 * build target, the MetalLB chart version, its values keys and its frr-k8s subchart, and every
 * image any install pulls (the plan's own, and the charts' defaults it leaves in place), none on
 * a retired registry. The images are listed per pin set in __snapshots__/images-<pin set>.txt.
 *
 * Mirrors: EC_UPSTREAM_MIRRORS=DIR (a missing mirror, commit or tag FAILS), else /work/.mirror
 * when present; a clean clone without mirrors skips this file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { IpFamily } from '../../harness/env/environment.js';
import { kindHelmEnvironment, laneOf, metallbValuesPath } from '../../harness/env/kind/bring-up.js';
import { supportedCombinations } from '../../harness/env/kind/combinations.js';
import { kindConfigPath } from '../../harness/env/kind/kind-config.js';
import { METALLB_CHARTS } from '../../harness/env/kind/metallb-chart.js';
import { PIN_SET_NAMES, pinSet } from '../../harness/env/kind/pin-sets.js';
import { planKind } from '../../harness/env/kind/provider.js';
import { RETIRED_REGISTRIES, retiredRegistryOf } from '../../harness/env/kind/registries.js';
import type { PlannedAction, RunAction } from '../../harness/env/shared/planned-actions.js';
import { kindOptions } from './support.js';
import {
  nodeImageOfCommit,
  REPOS,
  rbacProxyOnRetired,
  readFrrK8sValues,
  readMetallbChart,
  show,
  valueAt,
} from './upstream-pins.js';

const STRICT = process.env.EC_UPSTREAM_MIRRORS !== undefined;
const present = Object.values(REPOS).some((dir) => existsSync(dir));

/** The registry an image reference pulls from (docker.io when its first part is no host). */
function registryOf(image: string): string {
  const first = image.split('/')[0] as string;
  return image.includes('/') && /[.:]/.test(first) ? first : 'docker.io';
}

const FAMILIES = { ipv4: ['ipv4'], ipv6: ['ipv6'], dual: ['ipv4', 'ipv6'] } as const;
const runs = (actions: PlannedAction[]) => actions.filter((a): a is RunAction => a.type === 'run');

function plansOf(pin: string) {
  return supportedCombinations().map((c) => {
    const options = kindOptions({ pinSet: pin, gatewayMode: c.gatewayMode, metallbMode: c.metallbMode }, [
      ...FAMILIES[c.family],
    ] as IpFamily[]);
    return {
      name: `${pin} ${c.family}/${c.gatewayMode}/${c.metallbMode}`,
      combination: c,
      ...planKind(options),
    };
  });
}

/** Leaf keys of a values document. */
function leafKeys(node: unknown, prefix = ''): string[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

const has = (values: unknown, key: string) => valueAt(values, key) !== undefined;

function merge(base: unknown, over: unknown): unknown {
  if (over === null || typeof over !== 'object' || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...((base as Record<string, unknown>) ?? {}) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out;
}

/** Every `repository`/`tag` pair in a values tree (a tag left empty is the chart's appVersion). */
function imagesIn(values: unknown, appVersion: string, prefix = ''): Array<{ key: string; image: string }> {
  if (values === null || typeof values !== 'object') return [];
  const node = values as Record<string, unknown>;
  const here =
    typeof node.repository === 'string'
      ? [{ key: prefix, image: `${node.repository}:${(node.tag as string | null) || appVersion}` }]
      : [];
  return [
    ...here,
    ...Object.entries(node).flatMap(([k, v]) => imagesIn(v, appVersion, prefix ? `${prefix}.${k}` : k)),
  ];
}

describe.skipIf(!STRICT && !present)('each pin set’s bring-up, read back from the upstream mirrors', () => {
  it('has every mirror (no silent skip)', () => {
    expect(Object.entries(REPOS).filter(([, dir]) => !existsSync(dir))).toEqual([]);
  });

  for (const pin of PIN_SET_NAMES) {
    const p = pinSet(pin);
    const commit = p.ovnKubernetes.commit;
    const ovn = (path: string) => show(REPOS.ovn, commit, path);
    const plans = plansOf(pin);
    const metallbTag = p.metallb.value;
    const chartFacts = METALLB_CHARTS[pin];

    describe(`pin set ${pin}`, () => {
      it('runs contrib/kind-helm.sh, the script install-kind.sh runs (contrib/kind.sh links to it), with --config-file', () => {
        expect(ovn('test/scripts/install-kind.sh')).toMatch(/^\.\/kind-helm\.sh$/m);
        const link = execFileSync('git', ['-C', REPOS.ovn, 'ls-tree', commit, 'contrib/kind.sh'], {
          encoding: 'utf8',
        });
        expect(link.startsWith('120000 ')).toBe(true);
        expect(ovn('contrib/kind.sh')).toBe('kind-helm.sh');
        const script = ovn('contrib/kind-helm.sh');
        expect(script).toContain('-cf | --config-file )');
        expect(script).toMatch(/KIND_CONFIG=\$1/);
        // The file is rendered by jinjanate and handed to kind create cluster --config.
        const common = ovn('contrib/kind-common.sh');
        expect(common).toContain('jinjanate "${KIND_CONFIG}" -o "${KIND_CONFIG_LCL}"');
        expect(common).toContain('--config=${KIND_CONFIG_LCL}');
        for (const plan of plans) {
          const run = runs(plan.actions).find((a) => a.argv[0]?.endsWith('/contrib/kind-helm.sh'));
          expect(run?.argv.slice(1), plan.name).toEqual(['--config-file', kindConfigPath(plan.topology)]);
        }
      });

      it('sets only variables the scripts (or kind) read at the commit, the lane’s with its values', () => {
        const scripts = `${ovn('contrib/kind-common.sh')}\n${ovn('contrib/kind-helm.sh')}`;
        const kindProvider = show(
          REPOS.kind,
          p.kind.value,
          'pkg/cluster/internal/providers/docker/provider.go',
        );
        const problems: string[] = [];
        const checkPlan = (plan: (typeof plans)[number]) => {
          const env = kindHelmEnvironment(plan.topology);
          const unread = (name: string) =>
            !new RegExp(`\\$\\{?${name}\\b`).test(scripts) && !kindProvider.includes(`os.Getenv("${name}")`);
          for (const name of Object.keys(env).filter(unread))
            problems.push(`${plan.name}: ${name} is read by neither the scripts nor kind`);
          const lane = laneOf(plan.topology);
          if (lane) expect(p.lanes).toContain(lane);
          const differs = ([k, v]: [string, string]) =>
            !['OVN_HA', 'OVN_ENABLE_INTERCONNECT'].includes(k) && env[k] !== v;
          for (const [k] of Object.entries(lane?.flags ?? {}).filter(differs))
            problems.push(`${plan.name}: ${k}`);
          // KIND_IMAGE:K8S_VERSION as the commit's CI sets them: test.yml's K8S_VERSION when it
          // sets one (master builds that node image itself), else kind-common.sh's default.
          expect(`${env.KIND_IMAGE}:${env.K8S_VERSION}`).toBe(nodeImageOfCommit(commit));
          const buildsNode = ovn('test/scripts/install-kind.sh').includes('kind build node-image');
          expect(buildsNode, pin).toBe(p.nodeImageBuild !== undefined);
          expect(runs(plan.actions).some((a) => a.title.startsWith('build the kind node image'))).toBe(
            buildsNode,
          );
        };
        for (const plan of plans) checkPlan(plan);
        expect(problems).toEqual([]);
      });

      it('builds the image with dist/images/Makefile’s fedora-image target, from the pinned base', () => {
        const makefile = ovn('dist/images/Makefile');
        expect(makefile).toMatch(/^fedora-image:/m);
        expect(makefile).toContain('IMAGE ?=');
        expect(makefile).toContain('OCI_BIN ?=');
        expect(ovn('dist/images/Dockerfile.fedora')).toContain(`FROM ${p.baseImage.value}`);
        for (const plan of plans) expect(plan.topology.settings.baseImage).toBe(p.baseImage.value);
      });

      it('installs the MetalLB release kind-common.sh installs, with values keys its chart has', () => {
        expect(ovn('contrib/kind-common.sh')).toContain(`local metallb_version=${metallbTag}`);
        const chart = readMetallbChart(metallbTag);
        expect(chart.frrK8sDependency).toBe(chartFacts.frrK8sChart);
        const values = chart.values;
        const sub = readFrrK8sValues(chartFacts.frrK8sChart);
        expect(rbacProxyOnRetired(values)).toBe(chartFacts.rbacProxyOnRetiredRegistry);
        expect(rbacProxyOnRetired(sub)).toBe(chartFacts.rbacProxyOnRetiredRegistry);
        const problems: string[] = [];
        const checkPlan = (plan: (typeof plans)[number]) => {
          const helm = runs(plan.actions).find((a) => a.argv[0] === 'helm');
          expect(helm?.argv).toEqual(expect.arrayContaining(['--version', chart.version]));
          const write = plan.actions.find(
            (a) => a.type === 'write' && a.path === metallbValuesPath(plan.topology),
          );
          const ours = parse(write?.type === 'write' ? write.content : '');
          for (const key of leafKeys(ours)) {
            const known = key.startsWith('frr-k8s.')
              ? has(sub, key.slice('frr-k8s.'.length))
              : has(values, key);
            if (!known) problems.push(`${plan.name}: ${key}`);
          }
        };
        for (const plan of plans) checkPlan(plan);
        expect(problems).toEqual([]);
      });

      it('pulls no image from a retired registry, counting the charts’ defaults and subcharts', async () => {
        const values = readMetallbChart(metallbTag).values;
        const sub = readFrrK8sValues(chartFacts.frrK8sChart);
        const makefile = ovn('dist/images/Makefile');
        const goImage = /GO_IMAGE = (\S+)\$\{GO_VERSION\}/.exec(makefile)?.[1];
        const goVersion = /GO_VERSION \?= (\S+)/.exec(makefile)?.[1];
        expect(goImage && goVersion).toBeTruthy();
        const lines = new Set<string>();
        const problems: string[] = [];
        const chartImages = (plan: (typeof plans)[number]) => {
          const mode = plan.combination.metallbMode;
          const write = plan.actions.find(
            (a) => a.type === 'write' && a.path === metallbValuesPath(plan.topology),
          );
          const ours = parse(write?.type === 'write' ? write.content : '') as Record<string, unknown>;
          const merged = merge(values, ours) as Record<string, unknown>;
          return [
            ...imagesIn({ controller: merged.controller }, metallbTag).map((i) => ({
              ...i,
              by: 'MetalLB chart',
            })),
            ...imagesIn({ speaker: merged.speaker }, metallbTag)
              .filter((i) => mode === 'frr' || !i.key.startsWith('speaker.frr'))
              .map((i) => ({ ...i, by: 'MetalLB chart' })),
            ...(has(merged, 'prometheus.rbacProxy')
              ? imagesIn({ prometheus: merged.prometheus }, metallbTag).map((i) => ({
                  ...i,
                  by: 'MetalLB chart',
                }))
              : []),
            ...(mode === 'frr-k8s'
              ? imagesIn(merge(sub, ours['frr-k8s'] ?? {}), `v${chartFacts.frrK8sChart}`).map((i) => ({
                  ...i,
                  key: `frr-k8s.${i.key}`,
                  by: `frr-k8s chart ${chartFacts.frrK8sChart}`,
                }))
              : []),
            {
              key: 'node',
              image: plan.topology.settings.images.node,
              by: p.nodeImageBuild ? 'kind (built by kind build node-image, not pulled)' : 'kind',
            },
            { key: 'GO_IMAGE', image: `${goImage}${goVersion}`, by: 'dist/images/Makefile' },
            { key: 'FROM', image: p.baseImage.value, by: 'dist/images/Dockerfile.fedora' },
            ...runs(plan.actions)
              .filter((a) => a.argv[0] === 'docker' && a.argv[1] === 'run')
              .map((a) => ({
                key: 'docker run',
                image: a.argv.find((w) => /^[\w.-]+\/[\w./-]+:[\w.-]+$/.test(w)) ?? '?',
                by: 'peers',
              })),
          ];
        };
        for (const plan of plans) {
          const mode = plan.combination.metallbMode;
          for (const i of chartImages(plan)) {
            const retired = retiredRegistryOf(i.image);
            if (retired) problems.push(`${plan.name}: ${i.key} ${i.image} (${retired.source})`);
            lines.add(
              `${registryOf(i.image)}\t${i.image}\t${i.by}${i.by.includes('chart') ? ` ${i.key}` : ''}\t${mode}`,
            );
          }
        }
        expect(problems).toEqual([]);
        expect(lines.size).toBeGreaterThan(6);
        await expect(
          `# every image an install of pin set ${pin} pulls: registry, image, where it comes from, MetalLB mode\n${[...lines].sort().join('\n')}\n`,
        ).toMatchFileSnapshot(`__snapshots__/images-${pin}.txt`);
      });
    });
  }

  it('would catch the chart default finding 1 was about (the check bites)', () => {
    const sub = readFrrK8sValues('0.0.21');
    const defaults = imagesIn(sub, 'v0.0.21').filter((i) => retiredRegistryOf(i.image));
    expect(defaults.map((d) => d.key)).toEqual(['prometheus.rbacProxy']);
    expect(RETIRED_REGISTRIES.length).toBeGreaterThan(0);
    expect(spawnSync('true').status).toBe(0);
  });
});
