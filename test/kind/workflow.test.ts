/**
 * The GitHub workflow that runs the kind path for real: parsed and checked for what a user's run
 * needs (actionlint is not packaged by Debian, so structure is asserted here).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PINNED_TOOLS, REQUIRED_MODULES } from '../../harness/env/kind/host-checks.js';
import { KIND_DEFAULTS } from '../../harness/env/kind/settings.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

const workflow = parse(readFileSync('.github/workflows/kind-conformance.yml', 'utf8')) as {
  on: Record<string, unknown>;
  env: Record<string, string>;
  permissions: Record<string, string>;
  jobs: Record<
    string,
    { 'runs-on': string; steps: Step[]; strategy: { matrix: { include: Array<Record<string, string>> } } }
  >;
};
const job = workflow.jobs.kind!;
const steps = job.steps;
const index = (predicate: (s: Step) => boolean) => steps.findIndex(predicate);
const runs = (text: string) => (s: Step) => (s.run ?? '').includes(text);

describe('kind-conformance workflow', () => {
  it('runs on a hosted Ubuntu runner, by hand, weekly and on kind-related changes, read-only', () => {
    expect(job['runs-on']).toMatch(/^ubuntu-/);
    expect(Object.keys(workflow.on)).toEqual(
      expect.arrayContaining(['workflow_dispatch', 'schedule', 'pull_request']),
    );
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('pins kind, kubectl and helm to the versions doctor tells users to install', () => {
    expect(workflow.env).toMatchObject({
      KIND_VERSION: PINNED_TOOLS.kind,
      KUBECTL_VERSION: PINNED_TOOLS.kubectl,
      HELM_VERSION: PINNED_TOOLS.helm,
    });
    expect(KIND_DEFAULTS.versions.kind).toBe(PINNED_TOOLS.kind);
  });

  it('prepares the host like a user: modules, inotify, tools, npm ci, doctor', () => {
    const modprobe = steps.find(runs('modprobe'));
    for (const module of REQUIRED_MODULES) expect(modprobe?.run).toContain(module);
    expect(index(runs('fs.inotify.max_user_watches=524288'))).toBeGreaterThan(-1);
    expect(index(runs('kind.sigs.k8s.io/dl/${KIND_VERSION}'))).toBeGreaterThan(-1);
    expect(index((s) => s.run?.trim() === 'npm ci')).toBeGreaterThan(-1);
    expect(index(runs('doctor --provider kind'))).toBeGreaterThan(index((s) => s.run?.trim() === 'npm ci'));
  });

  it('brings kind up, runs every profile, uploads results and always tears down', () => {
    const up = index(runs('up --provider kind'));
    const run = index(runs('run --provider kind --profile all'));
    const upload = index((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);
    const down = index(runs('down --provider kind'));
    expect(up).toBeGreaterThan(-1);
    expect(run).toBeGreaterThan(up);
    expect(upload).toBeGreaterThan(run);
    expect(down).toBeGreaterThan(upload);
    expect(steps[upload]?.if).toBe('always()');
    expect(steps[upload]?.with?.path).toBe('test-results/');
    expect(steps[down]?.if).toBe('always()');
  });

  it('covers both gateway modes and both MetalLB modes', () => {
    const include = job.strategy.matrix.include;
    expect(new Set(include.map((m) => m.gatewayMode))).toEqual(new Set(['shared', 'local']));
    expect(new Set(include.map((m) => m.metallbMode))).toEqual(new Set(['frr-k8s', 'frr']));
  });
});
