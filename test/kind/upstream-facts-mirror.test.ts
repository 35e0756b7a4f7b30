/**
 * upstream-facts.yaml read back from the upstream repositories at the recorded commits: every
 * quote is in its file, every CRD field is in the CRD's
 * schema, and each commit is the ref it is said to be or an ancestor of it. (The bring-up's
 * scripts, charts, images and kind config are the pin sets', test/kind/bring-up-upstream.test.ts.)
 *
 * It needs bare mirrors of the repositories (/work/.mirror/<owner>+<name>/repo, or
 * EC_UPSTREAM_MIRRORS=DIR). With EC_UPSTREAM_MIRRORS set, a missing mirror or commit fails the
 * test; without it, when no mirror is present (a clean CI clone) it is skipped, and
 * upstream-facts.test.ts still holds the plans to the file. With some mirrors present and
 * others missing, it fails (no partial silent skip).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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

function _exists(source: string, path: string): boolean {
  const commit = facts.sources[source]?.commit;
  const result = spawnSync('git', ['-C', mirrorOf(source), 'cat-file', '-e', `${commit}:${path}`]);
  return result.status === 0;
}

/** A dotted key of a values file (`speaker.frr.image.tag`), or undefined when it is not there. */
function _valueAt(values: unknown, key: string): { found: boolean; value?: unknown } {
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
});
