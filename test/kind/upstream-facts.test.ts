/**
 * Every supported plan (IP family x gateway mode x MetalLB mode x second-network routing) held
 * to upstream-facts.yaml: it may use only the upstream files, contrib/kind.sh variables, images,
 * chart values keys, CRD fields and kernel modules listed there, with where each was read. The
 * refusals, the feature declarations and the pinned tools are the file's too. Needs no mirror.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../../harness/env/environment.js';
import { kindShEnvironment, metallbValuesPath } from '../../harness/env/kind/bring-up.js';
import {
  allCombinations,
  type KindCombination,
  refusalOf,
  supportedCombinations,
} from '../../harness/env/kind/combinations.js';
import { MIN_GO, PINNED_TOOLS } from '../../harness/env/kind/host-checks.js';
import { createKindProvider, kindHostNeeds, planKind } from '../../harness/env/kind/provider.js';
import { retiredRegistryOf } from '../../harness/env/kind/registries.js';
import { KIND_DEFAULTS } from '../../harness/env/kind/settings.js';
import { clientLoopScript } from '../../harness/env/shared/client-loop.js';
import type { PlannedAction, RunAction } from '../../harness/env/shared/planned-actions.js';
import { kindOptions } from './support.js';
import { allClaims, loadFacts } from './upstream-facts.js';

const facts = loadFacts();

/** Whether a file name matches a shell pattern with `*` (what `cp dir/ovn*` expands). */
function globMatches(name: string, pattern: string): boolean {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${source}$`).test(name);
}

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

/** The image a `docker run` runs: the first word after its options. */
function dockerRunImage(argv: string[]): string {
  const withValue = new Set([
    '--name',
    '--hostname',
    '--label',
    '--network',
    '--ip',
    '--ip6',
    '--cap-add',
    '--sysctl',
    '--volume',
  ]);
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (withValue.has(arg)) i++;
    else if (arg === '--detach' || arg === '--rm') continue;
    else if (arg.startsWith('-')) throw new Error(`docker run option ${arg} unknown to this test`);
    else return arg;
  }
  throw new Error(`no image in ${argv.join(' ')}`);
}

/** Dotted keys of a values document (leaves only). */
function leafKeys(node: unknown, prefix = ''): string[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

function imagesOf(plan: ReturnType<typeof plans>[number]): string[] {
  const images = new Set<string>();
  for (const action of runs(plan.actions)) {
    const argv = action.argv;
    if (argv[0] === 'docker' && argv[1] === 'run') images.add(dockerRunImage(argv));
    if (argv[0] === 'docker' && argv[1] === 'build') images.add(argv[argv.indexOf('-t') + 1] as string);
    if (action.env?.KIND_IMAGE) images.add(`${action.env.KIND_IMAGE}:${action.env.K8S_VERSION}`);
    if (action.env?.OVN_IMAGE) images.add(action.env.OVN_IMAGE);
  }
  const values = valuesOf(plan.actions);
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const { repository, tag } = node as { repository?: string; tag?: string };
    if (typeof repository === 'string') images.add(`${repository}:${tag}`);
    for (const v of Object.values(node)) walk(v);
  };
  walk(values);
  return [...images];
}

function valuesOf(actions: PlannedAction[]): unknown {
  const write = actions.find((a) => a.type === 'write' && a.path.endsWith('metallb-values.yaml'));
  if (write?.type !== 'write') throw new Error('no MetalLB values file in the plan');
  return parse(write.content);
}

/** Field paths of a custom resource below its spec (`spec.passwordSecret.name`). */
function fieldsOf(object: KubeObject): string[] {
  return leafKeys(object.spec, 'spec');
}

describe('every supported plan, held to upstream-facts.yaml', () => {
  const all = plans();

  it('records every quoted fact with a source it names, for the mirror test to read back', () => {
    const claims = allClaims(facts);
    expect(claims.length).toBeGreaterThan(50);
    for (const c of claims) expect(Object.keys(facts.sources), c.where).toContain(c.source);
  });

  it('covers every supported combination in both second-network routings', () => {
    expect(all.length).toBe(supportedCombinations().length * 2);
    expect(supportedCombinations().length).toBeGreaterThan(0);
  });

  it('pins what the facts pin: the commit, kind and its node image, the chart, the tools', () => {
    expect(KIND_DEFAULTS.versions.ovnKubernetesCommit).toBe(facts.sources['ovn-kubernetes']?.commit);
    expect(KIND_DEFAULTS.versions.ovnKubernetesBranch).toBe(facts.sources['ovn-kubernetes']?.ref);
    expect(KIND_DEFAULTS.versions.kind).toBe(facts.tools.kind?.version);
    expect(KIND_DEFAULTS.versions.metallbChart).toBe(facts.charts.metallb.version);
    expect(KIND_DEFAULTS.metallbChartRepository).toBe(facts.charts.metallb.repository);
    expect(`${KIND_DEFAULTS.ovnKubernetesRepository.replace(/\.git$/, '')}`).toBe(
      facts.sources['ovn-kubernetes']?.repository,
    );
    expect(facts.images.find((i) => i.pinned === 'digest')?.reference).toBe(KIND_DEFAULTS.images.node);
    expect(PINNED_TOOLS).toEqual({
      kind: facts.tools.kind?.version,
      kubectl: facts.tools.kubectl?.version,
      helm: facts.tools.helm?.version,
    });
    expect(MIN_GO.join('.')).toBe(facts.ovnKubernetesBuild.goVersion.minimum);
  });

  it('uses only files of the OVN-Kubernetes checkout the facts list, and never the absent ones', () => {
    const f = facts.ovnKubernetesFiles;
    const directories = new Set(
      f.present.flatMap((p) =>
        p
          .split('/')
          .slice(0, -1)
          .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
      ),
    );
    const bin = 'go-controller/_output/go/bin/';
    const problems: string[] = [];
    for (const plan of all) {
      const root = `${plan.topology.ovnSource}/`;
      const words = plan.actions.flatMap((a) =>
        a.type === 'write'
          ? [a.path]
          : [...a.argv.flatMap((w) => w.split(/\s+/)), ...Object.values(a.env ?? {})],
      );
      for (const word of words.filter((w) => w.startsWith(root))) {
        const path = word.slice(root.length).replace(/\/$/, '');
        const known =
          f.present.includes(path) ||
          directories.has(path) ||
          path === facts.ovnKubernetesBuild.gitInfo.file ||
          (path.startsWith(bin) &&
            facts.ovnKubernetesBuild.make.produces.some((b) => globMatches(b, path.slice(bin.length))));
        if (!known) problems.push(`${plan.name}: ${path}`);
      }
      const text = JSON.stringify(plan.actions);
      for (const absent of f.absent) if (text.includes(absent)) problems.push(`${plan.name}: uses ${absent}`);
    }
    expect(problems).toEqual([]);
  });

  it('copies every binary Dockerfile.fedora needs, and only what make builds', () => {
    for (const plan of all) {
      const copy = runs(plan.actions).find((a) => a.title.startsWith('copy the binaries'));
      const patterns = (copy?.argv[2] ?? '')
        .split(' ')
        .filter((w) => w.includes('/_output/go/bin/'))
        .map((w) => w.split('/').pop() as string);
      const copied = facts.ovnKubernetesBuild.make.produces.filter((b) =>
        patterns.some((p) => globMatches(b, p)),
      );
      for (const needed of facts.ovnKubernetesBuild.dockerfile.needs) expect(copied).toContain(needed);
      for (const p of patterns)
        expect(facts.ovnKubernetesBuild.make.produces.some((b) => globMatches(b, p))).toBe(true);
    }
  });

  it("sets only contrib/kind.sh's variables the facts list, to values they allow", () => {
    const problems: string[] = [];
    for (const plan of all) {
      const env = kindShEnvironment(plan.topology);
      const action = runs(plan.actions).find((a) => a.argv[0]?.endsWith('contrib/kind.sh'));
      expect(action?.env).toEqual(env);
      for (const [name, value] of Object.entries(env)) {
        const fact = facts.kindSh.env[name];
        if (!fact) problems.push(`${plan.name}: ${name} is not in the facts`);
        else if (fact.values && !fact.values.includes(value))
          problems.push(`${plan.name}: ${name}=${value}, the facts allow ${fact.values.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs, builds and loads only images the facts list', () => {
    const listed = new Set(facts.images.map((i) => i.reference));
    const problems = all.flatMap((plan) =>
      imagesOf(plan)
        .filter((image) => !listed.has(image))
        .map((image) => `${plan.name}: ${image}`),
    );
    expect(problems).toEqual([]);
    // The check sees them all: the node, the build, the peers', the sidecars' and MetalLB's FRR.
    expect(imagesOf(all[0]!).length).toBeGreaterThanOrEqual(5);
  });

  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: walks every plan and chart default for images in one test
  it('names no image from a retired registry, in the plan or left in place as a chart default', () => {
    const problems: string[] = [];
    const chart = facts.charts.metallb;
    const defaults = [
      ...Object.entries(chart.values).map(([key, value]) => ({ key, value, mode: 'any' })),
      ...Object.entries(chart.subcharts).flatMap(([name, sub]) =>
        Object.entries(sub.values).map(([key, value]) => ({ key: `${name}.${key}`, value, mode: 'frr-k8s' })),
      ),
    ];
    for (const plan of all) {
      for (const image of imagesOf(plan)) {
        const retired = retiredRegistryOf(image);
        if (retired) problems.push(`${plan.name}: ${image} (${retired.source})`);
      }
      const values = valuesOf(plan.actions);
      for (const d of defaults) {
        if (typeof d.value !== 'string' || !retiredRegistryOf(d.value)) continue;
        if (d.mode === 'frr-k8s' && plan.combination.metallbMode !== 'frr-k8s') continue;
        const set = d.key
          .split('.')
          .reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], values);
        if (typeof set !== 'string' || retiredRegistryOf(set))
          problems.push(`${plan.name}: ${d.key} left at ${d.value}`);
      }
    }
    expect(problems).toEqual([]);
    // The chart defaults this guards against are recorded (finding 1 of issue 19).
    expect(defaults.filter((d) => typeof d.value === 'string' && retiredRegistryOf(d.value)).length).toBe(2);
  });

  it('installs MetalLB from a values file with keys the chart has at the pinned version, never --set', () => {
    const chart = facts.charts.metallb;
    const known = new Set([
      ...Object.keys(chart.values),
      ...Object.entries(chart.subcharts).flatMap(([name, sub]) =>
        Object.keys(sub.values).map((k) => `${name}.${k}`),
      ),
    ]);
    const problems: string[] = [];
    for (const plan of all) {
      for (const key of leafKeys(valuesOf(plan.actions)))
        if (!known.has(key)) problems.push(`${plan.name}: ${key}`);
      const helm = runs(plan.actions).filter((a) => a.argv[0] === 'helm');
      expect(helm.length).toBeGreaterThan(0);
      for (const action of helm) {
        action.argv.forEach((arg, i) => {
          if (arg === '--set' || arg.startsWith('--set'))
            problems.push(`${plan.name}: ${arg} ${action.argv[i + 1]}`);
        });
        expect(action.argv).toEqual(
          expect.arrayContaining([
            '--values',
            metallbValuesPath(plan.topology),
            '--version',
            chart.version,
            '--repo',
            chart.repository,
          ]),
        );
      }
    }
    expect(problems).toEqual([]);
  });

  it('fails a plan that passes a --set value with a comma (the rule bites)', () => {
    const commaSets = (actions: PlannedAction[]) =>
      runs(actions).flatMap((a) => a.argv.filter((arg, i) => a.argv[i - 1] === '--set' && arg.includes(',')));
    expect(commaSets(all[0]!.actions)).toEqual([]);
    const bad: RunAction = {
      type: 'run',
      phase: 'x',
      title: 'the old chart install',
      argv: ['helm', 'install', 'x', '.', '--set', 'podNetwork=10.244.0.0/16/24,fd00:10:244::/48/64'],
    };
    expect(commaSets([bad])).toEqual(['podNetwork=10.244.0.0/16/24,fd00:10:244::/48/64']);
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

  it("needs only the kernel modules the facts list, vrf only for a VRF, and kind.sh's own tools", () => {
    const listed = facts.modules.map((m) => m.name);
    for (const plan of all) {
      const needs = kindHostNeeds(plan.topology, false);
      for (const module of needs.modules) expect(listed).toContain(module);
      expect(needs.modules.includes('vrf')).toBe(plan.topology.otherNetworks[0]?.routing === 'vrf');
      for (const { tool } of facts.kindSh.dependencies) expect(needs.tools).toContain(tool);
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
