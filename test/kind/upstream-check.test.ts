/**
 * `npm run upstream:check` run against the mirrors: it prints, for each pin set, the MetalLB
 * chart, frr-k8s subchart, FRR image and kind facts and their staleness, and it reports CHANGED
 * (exit 1) when a mirror is read at a ref other than the pinned one (EC_UPSTREAM_CHECK_READ_AT).
 *
 * Mirrors: EC_UPSTREAM_MIRRORS=DIR (a missing mirror FAILS), else /work/.mirror when present.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIN_SET_NAMES, pinSet } from '../../harness/env/kind/pin-sets.js';
import { newestReleaseTag, REPOS } from './upstream-pins.js';

const STRICT = process.env.EC_UPSTREAM_MIRRORS !== undefined;
const present = Object.values(REPOS).every((dir) => existsSync(dir));

function check(env: Record<string, string> = {}) {
  const r = spawnSync('npx', ['tsx', 'scripts/upstream-check.ts'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** The lines printed under one pin set's heading. */
function section(out: string, pin: string): string[] {
  const blocks = out.split(/^(?=pin set )/m);
  return (blocks.find((b) => b.startsWith(`pin set ${pin}:`)) ?? '').split('\n');
}

describe.skipIf(!STRICT && !present)('npm run upstream:check against the mirrors', () => {
  let pinned: ReturnType<typeof check>;
  beforeAll(() => {
    pinned = check();
  });

  it('prints the MetalLB, frr-k8s, FRR image and kind facts of every pin set, all holding', () => {
    expect(pinned.err).toBe('');
    expect(pinned.status).toBe(0);
    for (const pin of PIN_SET_NAMES) {
      const lines = section(pinned.out, pin);
      for (const fact of [
        'MetalLB chart version',
        'frr-k8s subchart version',
        'MetalLB chart kube-rbac-proxy',
        'frr-k8s chart kube-rbac-proxy',
        `FRR image ${pinSet(pin).frrImage.value} set through`,
        'kind version',
        'kind node image',
      ])
        expect(
          lines.filter((l) => l.startsWith(`  holding  ${fact}`)),
          `${pin}: ${fact}`,
        ).toHaveLength(1);
      expect(lines.some((l) => /CHANGED|MISSING/.test(l))).toBe(false);
    }
  });

  it('prints each pin next to the newest release in its mirror', () => {
    for (const pin of PIN_SET_NAMES) {
      const p = pinSet(pin);
      const staleness = section(pinned.out, pin).find((l) => l.includes('staleness: MetalLB'));
      expect(staleness).toContain(`MetalLB ${p.metallb.value} (newest ${newestReleaseTag(REPOS.metallb)})`);
      expect(staleness).toContain(`(newest ${newestReleaseTag(REPOS.frrK8s)})`);
      expect(staleness).toContain(`kind ${p.kind.value} (newest ${newestReleaseTag(REPOS.kind)})`);
    }
  });

  it('reports CHANGED and exits 1 when MetalLB and kind are read at other releases than the pins', () => {
    // The release before each pin set's oldest pin: a real upstream ref that is not pinned.
    const before = (dir: string, pins: string[]) => {
      const r = spawnSync('git', ['-C', dir, 'tag', '--list', 'v*', '--sort=version:refname'], {
        encoding: 'utf8',
      });
      const tags = r.stdout.split('\n').filter((t) => /^v\d+\.\d+\.\d+$/.test(t));
      const first = Math.min(...pins.map((t) => tags.indexOf(t)));
      return tags[first - 1] as string;
    };
    const pins = PIN_SET_NAMES.map(pinSet);
    const metallb = before(
      REPOS.metallb,
      pins.map((p) => p.metallb.value),
    );
    const kind = before(
      REPOS.kind,
      pins.map((p) => p.kind.value),
    );
    const moved = check({ EC_UPSTREAM_CHECK_READ_AT: `metallb=${metallb},kind=${kind}` });
    expect(moved.status).toBe(1);
    for (const pin of PIN_SET_NAMES) {
      const lines = section(moved.out, pin);
      expect(lines.find((l) => l.includes('MetalLB chart version'))).toMatch(
        new RegExp(`^ {2}CHANGED {2}MetalLB chart version = .*\\(read: ${metallb.slice(1)}\\)`),
      );
      expect(lines.find((l) => l.includes('kind version'))).toMatch(
        new RegExp(`^ {2}CHANGED {2}kind version = .*\\(read: ${kind}\\)`),
      );
    }
  });

  it('exits 1 naming the mirror when one is missing', () => {
    const r = check({ EC_UPSTREAM_MIRRORS: '/nonexistent-mirrors' });
    expect(r.status).toBe(1);
    expect(r.err).toContain('no mirror at /nonexistent-mirrors/metallb+metallb/repo');
  });
});
