/**
 * upstream-facts.yaml read back from the upstream repositories at the recorded commits: every
 * quote is in its file, every listed file is there (and every absent one is not), every values
 * key has the recorded default in the chart's values.yaml, every CRD field is in the CRD's
 * schema, and each commit is the ref it is said to be or an ancestor of it. The config
 * contrib/kind.sh renders from kind.yaml.j2 (with jinja2, the engine of its jinjanate) is valid
 * for kind's v1alpha4 fields and sets what the plan relies on.
 *
 * It needs bare mirrors of the repositories (/work/.mirror/<owner>+<name>/repo, or
 * EC_UPSTREAM_MIRRORS=DIR). With EC_UPSTREAM_MIRRORS set, a missing mirror or commit fails the
 * test; without it, when no mirror is present (a clean CI clone) it is skipped, and
 * upstream-facts.test.ts still holds the plans to the file. With some mirrors present and
 * others missing, it fails (no partial silent skip).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { retiredRegistryOf } from '../../harness/env/kind/registries.js';
import { kindClusterSchema } from './kind-config-schema.js';
import { allClaims, loadFacts } from './upstream-facts.js';

const facts = loadFacts();
/** With EC_UPSTREAM_MIRRORS set, a missing mirror or commit fails; without it, absent mirrors skip. */
const STRICT = process.env.EC_UPSTREAM_MIRRORS !== undefined;
const MIRRORS = process.env.EC_UPSTREAM_MIRRORS ?? '/work/.mirror';

function mirrorOf(source: string): string {
  const repository = facts.sources[source]?.repository ?? '';
  const [owner, name] = repository.replace('https://github.com/', '').split('/');
  return join(MIRRORS, `${owner}+${name}`, 'repo');
}

const anyPresent = Object.keys(facts.sources).some((s) => existsSync(mirrorOf(s)));

function git(source: string, ...args: string[]): string {
  return execFileSync('git', ['-C', mirrorOf(source), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 ** 2,
  });
}

function fileAt(source: string, path: string): string {
  const commit = facts.sources[source]?.commit;
  return git(source, 'show', `${commit}:${path}`);
}

function exists(source: string, path: string): boolean {
  const commit = facts.sources[source]?.commit;
  const result = spawnSync('git', ['-C', mirrorOf(source), 'cat-file', '-e', `${commit}:${path}`]);
  return result.status === 0;
}

/** A dotted key of a values file (`speaker.frr.image.tag`), or undefined when it is not there. */
function valueAt(values: unknown, key: string): { found: boolean; value?: unknown } {
  let node: unknown = values;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return { found: false };
    node = (node as Record<string, unknown>)[part];
  }
  return { found: true, value: node };
}

describe.skipIf(!STRICT && !anyPresent)('upstream facts, read back from the upstream repositories', () => {
  it('has a mirror of every source with its commit (no silent skip)', () => {
    const missing = Object.entries(facts.sources)
      .filter(
        ([name, source]) =>
          !existsSync(mirrorOf(name)) ||
          spawnSync('git', ['-C', mirrorOf(name), 'cat-file', '-e', `${source.commit}^{commit}`]).status !==
            0,
      )
      .map(([name, source]) => `${name}: ${source.commit} not in ${mirrorOf(name)}`);
    expect(missing).toEqual([]);
  });

  it('records each commit as its ref or an ancestor of it', () => {
    for (const [name, source] of Object.entries(facts.sources)) {
      const result = spawnSync('git', [
        '-C',
        mirrorOf(name),
        'merge-base',
        '--is-ancestor',
        source.commit,
        source.ref,
      ]);
      expect(result.status, `${name}: ${source.commit} is not in ${source.ref}`).toBe(0);
    }
  });

  it('finds every quote in its file at the commit', () => {
    const missing = allClaims(facts)
      .filter((c) => !fileAt(c.source, c.path).includes(c.quote))
      .map((c) => `${c.where}: "${c.quote}" not in ${c.source}:${c.path}`);
    expect(missing).toEqual([]);
  });

  it('finds the files the plan uses, and not the ones it must not', () => {
    const f = facts.ovnKubernetesFiles;
    expect(f.present.filter((p) => !exists(f.source, p))).toEqual([]);
    expect(f.absent.filter((p) => exists(f.source, p))).toEqual([]);
  });

  it("finds every values key with its default in the charts' values.yaml", () => {
    const chart = facts.charts.metallb;
    const problems: string[] = [];
    const check = (source: string, file: string, values: Record<string, unknown>) => {
      const parsed = parse(fileAt(source, file));
      for (const [key, expected] of Object.entries(values)) {
        const found = valueAt(parsed, key);
        if (!found.found) problems.push(`${source}:${file}: no key ${key}`);
        else if (found.value !== expected)
          problems.push(`${source}:${file}: ${key} is ${JSON.stringify(found.value)}, recorded ${expected}`);
      }
    };
    check(chart.source ?? '', chart.valuesFile, chart.values);
    for (const sub of Object.values(chart.subcharts)) check(sub.source, sub.valuesFile, sub.values);
    expect(problems).toEqual([]);
  });

  it("records every chart default on a retired registry, so the plan's override is held to it", () => {
    const chart = facts.charts.metallb;
    const recorded = (source: string, values: Record<string, unknown>) =>
      Object.entries(values)
        .filter(([, v]) => typeof v === 'string' && retiredRegistryOf(v))
        .map(([k]) => `${source}:${k}`);
    const found: string[] = [];
    const walk = (source: string, node: unknown, prefix: string): void => {
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        const key = prefix ? `${prefix}.${k}` : k;
        if (k === 'repository' && typeof v === 'string' && retiredRegistryOf(v))
          found.push(`${source}:${key}`);
        walk(source, v, key);
      }
    };
    walk(chart.source ?? '', parse(fileAt(chart.source ?? '', chart.valuesFile)), '');
    for (const sub of Object.values(chart.subcharts))
      walk(sub.source, parse(fileAt(sub.source, sub.valuesFile)), '');
    const listed = [
      ...recorded(chart.source ?? '', chart.values),
      ...Object.values(chart.subcharts).flatMap((sub) => recorded(sub.source, sub.values)),
    ];
    expect(found.sort()).toEqual(listed.sort());
    expect(found.length).toBeGreaterThan(0);
  });

  it('finds every CRD field in the CRD schema at the pinned version', () => {
    const problems: string[] = [];
    for (const [name, crd] of Object.entries(facts.crds)) {
      const [group, version] = name.split('/');
      const doc = parse(fileAt(crd.source, crd.path)) as {
        spec: { group: string; versions: Array<{ name: string; schema: { openAPIV3Schema: unknown } }> };
      };
      expect(doc.spec.group).toBe(group);
      const schema = doc.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
      expect(schema, `${name}: no version ${version}`).toBeDefined();
      for (const field of crd.fields) {
        let node = schema as { properties?: Record<string, unknown> } | undefined;
        for (const part of field.split('.')) node = node?.properties?.[part] as typeof node;
        if (!node) problems.push(`${name}: no field ${field} in ${crd.path}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('finds the binaries make builds in the Makefile and those the Dockerfile copies among them', () => {
    const build = facts.ovnKubernetesBuild;
    const makefile = fileAt(build.source, build.make.path ?? '');
    for (const binary of build.make.produces) expect(makefile).toMatch(new RegExp(`/${binary}( |$)`, 'm'));
    const dockerfile = fileAt(build.source, build.dockerfile.path ?? '');
    // What the Dockerfile copies that the repository does not hold there: the built binaries.
    const context = 'dist/images';
    const copied = [...dockerfile.matchAll(/^COPY ([^\n]+) \/\S+$/gm)]
      .flatMap((m) => (m[1] as string).split(' '))
      .map((file) => file.replace(/^\.\//, ''))
      .filter((file) => file !== 'git_info' && !exists(build.source, `${context}/${file}`));
    expect(copied.sort()).toEqual([...build.dockerfile.needs].sort());
  });

  describe('the kind config contrib/kind.sh renders from kind.yaml.j2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ec-kind-j2-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const template = join(dir, 'kind.yaml.j2');
    const hasJinja = spawnSync('/usr/bin/python3', ['-c', 'import jinja2']).status === 0;

    // The variables kind.sh passes (create_kind_cluster) for the plan's settings.
    const variants = [
      { family: 'ipv4', ovn_ip_family: '', net: '10.244.0.0/16', svc: '10.96.0.0/16' },
      { family: 'ipv6', ovn_ip_family: 'ipv6', net: 'fd00:10:244::/48', svc: 'fd00:10:96::/112' },
      {
        family: 'dual',
        ovn_ip_family: 'dual',
        net: '10.244.0.0/16,fd00:10:244::/48',
        svc: '10.96.0.0/16,fd00:10:96::/112',
      },
    ];
    for (const v of variants) {
      it.skipIf(!hasJinja)(`is valid for kind and has no CNI and no kube-proxy (${v.family})`, () => {
        writeFileSync(template, fileAt('ovn-kubernetes', 'contrib/kind.yaml.j2'));
        const rendered = execFileSync(
          '/usr/bin/python3',
          [
            '-c',
            'import jinja2,os,sys; print(jinja2.Template(open(sys.argv[1]).read()).render(**os.environ))',
            template,
          ],
          {
            encoding: 'utf8',
            env: {
              ovn_ip_family: v.ovn_ip_family,
              ovn_ha: 'false',
              net_cidr: v.net,
              svc_cidr: v.svc,
              use_local_registy: 'false',
              dns_domain: 'cluster.local',
              ovn_num_master: '1',
              ovn_num_worker: '2',
              cluster_log_level: '4',
              kind_local_registry_port: '5000',
              kind_local_registry_name: 'kind-registry',
            },
          },
        );
        const config = parse(rendered);
        const parsed = kindClusterSchema.safeParse(config);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        expect(config.networking).toMatchObject({
          disableDefaultCNI: true,
          kubeProxyMode: 'none',
          podSubnet: v.net,
          serviceSubnet: v.svc,
        });
        expect(config.nodes.map((n: { role: string }) => n.role)).toEqual([
          'control-plane',
          'worker',
          'worker',
        ]);
      });
    }
  });
});
