/**
 * The pins outside ovn-kubernetes (the MetalLB chart, its frr-k8s subchart, the FRR image keys,
 * kind) read back from the upstream mirrors at the pinned refs. Shared by
 * test/kind/bring-up-upstream.test.ts and scripts/upstream-check.ts so both read upstream the
 * same way.
 *
 * Mirrors: EC_UPSTREAM_MIRRORS=DIR, else /work/.mirror; each repository is a bare clone at
 * <DIR>/<owner>+<name>/repo.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { METALLB_CHARTS } from '../../harness/env/kind/metallb-chart.js';
import type { PinSet } from '../../harness/env/kind/pin-sets.js';
import { retiredRegistryOf } from '../../harness/env/kind/registries.js';

export const MIRRORS = process.env.EC_UPSTREAM_MIRRORS ?? '/work/.mirror';
export const REPOS = {
  ovn: join(MIRRORS, 'ovn-kubernetes+ovn-kubernetes', 'repo'),
  kind: join(MIRRORS, 'kubernetes-sigs+kind', 'repo'),
  metallb: join(MIRRORS, 'metallb+metallb', 'repo'),
  frrK8s: join(MIRRORS, 'metallb+frr-k8s', 'repo'),
};

export function show(dir: string, rev: string, path: string): string {
  return execFileSync('git', ['-C', dir, 'show', `${rev}:${path}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 ** 2,
  });
}

/** The newest release tag (vX.Y.Z, no pre-release) by version order. */
export function newestReleaseTag(dir: string): string {
  const tags = execFileSync('git', ['-C', dir, 'tag', '--list', 'v*', '--sort=-version:refname'], {
    encoding: 'utf8',
  }).split('\n');
  return tags.find((t) => /^v\d+\.\d+\.\d+$/.test(t)) ?? '(none)';
}

export interface MetallbChart {
  version: string;
  frrK8sDependency: string | undefined;
  values: unknown;
}

/** charts/metallb at a MetalLB release tag: its version, frr-k8s dependency and values. */
export function readMetallbChart(tag: string): MetallbChart {
  const chart = parse(show(REPOS.metallb, tag, 'charts/metallb/Chart.yaml')) as {
    version: string;
    dependencies?: Array<{ name: string; version: string }>;
  };
  return {
    version: String(chart.version),
    frrK8sDependency: chart.dependencies?.find((d) => d.name === 'frr-k8s')?.version,
    values: parse(show(REPOS.metallb, tag, 'charts/metallb/values.yaml')),
  };
}

/** charts/frr-k8s/values.yaml of frr-k8s chart version `version` (tag v<version>). */
export function readFrrK8sValues(version: string): unknown {
  return parse(show(REPOS.frrK8s, `v${version}`, 'charts/frr-k8s/values.yaml'));
}

/** The value at a dotted key of a values tree, or undefined. */
export function valueAt(values: unknown, key: string): unknown {
  let node = values;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Whether a values tree defaults kube-rbac-proxy to a retired registry. */
export function rbacProxyOnRetired(values: unknown): boolean {
  const repository = valueAt(values, 'prometheus.rbacProxy.repository');
  return typeof repository === 'string' && retiredRegistryOf(repository) !== undefined;
}

/** kind's own version at a ref (pkg/cmd/kind/version/version.go's versionCore). */
export function kindVersionAt(ref: string): string | undefined {
  const source = show(REPOS.kind, ref, 'pkg/cmd/kind/version/version.go');
  const core = /const versionCore = "([^"]+)"/.exec(source)?.[1];
  return core === undefined ? undefined : `v${core}`;
}

/**
 * The node image the commit's CI runs kind with: KIND_IMAGE's default in kind-common.sh and
 * K8S_VERSION from test.yml when it sets one, else kind-common.sh's default.
 */
export function nodeImageOfCommit(commit: string): string | undefined {
  const common = show(REPOS.ovn, commit, 'contrib/kind-common.sh');
  const workflow = show(REPOS.ovn, commit, '.github/workflows/test.yml');
  const image = /KIND_IMAGE=\$\{KIND_IMAGE:-([^}]+)\}/.exec(common)?.[1];
  const version =
    /^ {2}K8S_VERSION: (\S+)$/m.exec(workflow)?.[1] ??
    /K8S_VERSION=\$\{K8S_VERSION:-([^}]+)\}/.exec(common)?.[1];
  return image && version ? `${image}:${version}` : undefined;
}

/** One pinned fact and what the mirror says at the ref it was read at. */
export interface PinFact {
  fact: string;
  pinned: string;
  read: string;
  where: string;
}

/**
 * Refs to read instead of the pinned ones (a test reads a different ref to see a change
 * reported); keys: metallb, kind.
 */
export type ReadAt = Partial<Record<'metallb' | 'kind', string>>;

/** Every MetalLB, frr-k8s, FRR-image and kind fact of a pin set, as the mirrors have it. */
export function pinFacts(p: PinSet, readAt: ReadAt = {}): PinFact[] {
  const metallbRef = readAt.metallb ?? p.metallb.value;
  const kindRef = readAt.kind ?? p.kind.value;
  const facts = METALLB_CHARTS[p.name];
  const chart = readMetallbChart(metallbRef);
  const sub = readFrrK8sValues(facts.frrK8sChart);
  const where = `metallb/metallb ${metallbRef}`;
  const keys = (values: unknown, ...ks: string[]) =>
    ks.map((k) => `${k}${valueAt(values, k) === undefined ? ' (absent)' : ''}`).join(', ');
  const frrKeys = ['speaker.frr.image.repository', 'speaker.frr.image.tag'];
  const subKeys = ['frrk8s.frr.image.repository', 'frrk8s.frr.image.tag'];
  return [
    {
      fact: 'MetalLB chart version',
      pinned: p.metallb.value.replace(/^v/, ''),
      read: chart.version,
      where: `${where}:charts/metallb/Chart.yaml`,
    },
    {
      fact: 'frr-k8s subchart version',
      pinned: facts.frrK8sChart,
      read: chart.frrK8sDependency ?? '(no frr-k8s dependency)',
      where: `${where}:charts/metallb/Chart.yaml`,
    },
    {
      fact: 'MetalLB chart kube-rbac-proxy on a retired registry',
      pinned: String(facts.rbacProxyOnRetiredRegistry),
      read: String(rbacProxyOnRetired(chart.values)),
      where: `${where}:charts/metallb/values.yaml`,
    },
    {
      fact: 'frr-k8s chart kube-rbac-proxy on a retired registry',
      pinned: String(facts.rbacProxyOnRetiredRegistry),
      read: String(rbacProxyOnRetired(sub)),
      where: `metallb/frr-k8s v${facts.frrK8sChart}:charts/frr-k8s/values.yaml`,
    },
    {
      // The plan sets the pinned FRR image through these keys (bring-up.ts metallbValues).
      fact: `FRR image ${p.frrImage.value} set through`,
      pinned: frrKeys.join(', '),
      read: keys(chart.values, ...frrKeys),
      where: `${where}:charts/metallb/values.yaml`,
    },
    {
      fact: `FRR image ${p.frrImage.value} set (frr-k8s mode) through`,
      pinned: subKeys.join(', '),
      read: keys(sub, ...subKeys),
      where: `metallb/frr-k8s v${facts.frrK8sChart}:charts/frr-k8s/values.yaml`,
    },
    {
      fact: 'kind version',
      pinned: p.kind.value,
      read: kindVersionAt(kindRef) ?? '(no versionCore)',
      where: `kubernetes-sigs/kind ${kindRef}:pkg/cmd/kind/version/version.go`,
    },
    {
      fact: 'kind node image',
      pinned: `kindest/node:${p.kubernetes.value}`,
      read: nodeImageOfCommit(p.ovnKubernetes.commit) ?? '(not found)',
      where: `ovn-kubernetes ${p.ovnKubernetes.commit.slice(0, 12)}:contrib/kind-common.sh, .github/workflows/test.yml`,
    },
  ];
}
