/**
 * The GitHub workflow that runs the kind path for real: parsed and checked against the
 * provider's pins, combinations and host needs, and against what upstream's CI does on the same
 * runners (upstream-facts.yaml). actionlint is not packaged by Debian, so structure is asserted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeCombination, refusalOf } from '../../harness/env/kind/combinations.js';
import {
  KERNEL_MODULES,
  MIN_FREE_BYTES,
  PINNED_TOOLS,
  RUN_FREE_BYTES,
} from '../../harness/env/kind/host-checks.js';
import { KIND_DEFAULTS } from '../../harness/env/kind/settings.js';
import { loadFacts } from './upstream-facts.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

const workflow = parse(readFileSync('.github/workflows/kind-conformance.yml', 'utf8')) as {
  on: Record<string, { paths?: string[] } | null>;
  env: Record<string, string | number>;
  permissions: Record<string, string>;
  jobs: Record<
    string,
    {
      'runs-on': string;
      env: Record<string, string>;
      steps: Step[];
      strategy: {
        matrix: {
          include: Array<{
            family: 'ipv4' | 'ipv6' | 'dual';
            gatewayMode: 'shared' | 'local';
            metallbMode: 'frr-k8s' | 'frr';
          }>;
        };
      };
    }
  >;
};
const job = workflow.jobs.kind!;
const steps = job.steps;
const facts = loadFacts();
const index = (predicate: (s: Step) => boolean) => steps.findIndex(predicate);
const runs = (text: string) => (s: Step) => (s.run ?? '').includes(text);
const named = (text: string) => (s: Step) => (s.name ?? '').includes(text);
/** The step that runs the suite: the repository's own action (action.yml). */
const runsTheAction = (s: Step) => s.uses === './';

describe('kind-conformance workflow', () => {
  it('runs on a hosted Ubuntu runner, by hand, weekly and on kind-related changes, read-only', () => {
    expect(job['runs-on']).toMatch(/^ubuntu-/);
    expect(Object.keys(workflow.on)).toEqual(
      expect.arrayContaining(['workflow_dispatch', 'schedule', 'pull_request']),
    );
    expect(workflow.on.pull_request?.paths).toEqual(
      expect.arrayContaining(['harness/env/kind/**', 'harness/env/shared/**']),
    );
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it("pins kind, kubectl, helm and Go to the provider's and upstream's versions", () => {
    expect(workflow.env).toMatchObject({
      KIND_VERSION: PINNED_TOOLS.kind,
      KUBECTL_VERSION: PINNED_TOOLS.kubectl,
      HELM_VERSION: PINNED_TOOLS.helm,
      GO_VERSION: facts.tools.go?.version,
    });
    expect(KIND_DEFAULTS.versions.kind).toBe(PINNED_TOOLS.kind);
    const setupGo = steps.find((s) => s.uses?.startsWith('actions/setup-go@'));
    expect(setupGo?.with?.['go-version']).toBe('${{ env.GO_VERSION }}');
    // Downloads are checked against their published checksums.
    const install = steps.find(named('Install kind, kubectl and helm'));
    expect(install?.run?.match(/sha256sum --check/g)).toHaveLength(3);
  });

  it('runs only combinations the provider supports, covering both gateway modes, both MetalLB modes and every family', () => {
    const include = job.strategy.matrix.include;
    for (const c of include) expect(refusalOf(c), describeCombination(c)).toBeUndefined();
    expect(new Set(include.map((m) => m.gatewayMode))).toEqual(new Set(['shared', 'local']));
    expect(new Set(include.map((m) => m.metallbMode))).toEqual(new Set(['frr-k8s', 'frr']));
    expect(new Set(include.map((m) => m.family))).toEqual(new Set(['ipv4', 'ipv6', 'dual']));
  });

  it('installs the extra modules package as upstream does, and loads and checks each module on its own', () => {
    const step = steps.find(named('Load kernel modules'));
    const script = step?.run ?? '';
    expect(script).toContain(`sudo apt-get install -y "${facts.modulesPackage.name}"`);
    // Never `modprobe a b c`: that loads a and passes b and c to it as parameters.
    for (const line of script.split('\n').filter((l) => /\bmodprobe\b/.test(l))) {
      expect(line.trim()).toMatch(/^sudo modprobe (-a |"\$module"$)/);
    }
    const loop = /for module in ([a-z ]+); do/g;
    const lists = [...script.matchAll(loop)].map((m) => (m[1] as string).split(' '));
    expect(lists).toHaveLength(2);
    for (const list of lists) expect(list).toEqual([...KERNEL_MODULES]);
    expect(script).toContain('::error::kernel module $module is not loaded');
    expect(script).toContain('exit 1');
    for (const module of KERNEL_MODULES) expect(facts.modules.map((m) => m.name)).toContain(module);
  });

  it('prepares the host as contrib/kind.sh needs it: inotify, IPv6 sysctls, ufw off, jinjanate and jq', () => {
    const text = steps.map((s) => s.run ?? '').join('\n');
    for (const line of [
      'sudo sysctl fs.inotify.max_user_watches=524288',
      'sudo sysctl fs.inotify.max_user_instances=512',
      'sudo sysctl -w net.ipv6.conf.all.forwarding=1',
      'sudo sysctl -w net.ipv6.conf.all.disable_ipv6=0',
      'sudo ufw disable',
      "pipx install 'jinjanator[yaml]'",
      'sudo apt-get install -y jq',
    ])
      expect(text).toContain(line);
  });

  it('frees disk before doctor checks it, says how much the job needs, and checks what is left after bring-up', () => {
    expect(workflow.env.DISK_BEFORE_UP_GIB).toBe(MIN_FREE_BYTES / 1024 ** 3);
    expect(workflow.env.DISK_FOR_RUN_GIB).toBe(RUN_FREE_BYTES / 1024 ** 3);
    const free = index(named('Free up disk space'));
    expect(steps[free]?.run).toContain('sudo rm -rf /usr/local/lib/android/sdk');
    const doctor = index(runs('doctor --provider kind'));
    const up = index(runs('up --provider kind'));
    const after = index(named('Check the disk left after bring-up'));
    const run = index(runsTheAction);
    expect(free).toBeGreaterThan(-1);
    expect(free).toBeLessThan(doctor);
    expect(doctor).toBeLessThan(up);
    expect(up).toBeLessThan(after);
    expect(after).toBeLessThan(run);
    expect(steps[after]?.run).toContain('DISK_FOR_RUN_GIB');
    expect(steps[doctor]?.run).toContain('--options-file');
  });

  it('brings kind up, runs every profile with the repository action (step summary, report upload), uploads diagnostics, and always tears down', () => {
    const up = index(runs('up --provider kind'));
    const run = index(runsTheAction);
    const logs = index(runs('kind export logs'));
    const upload = index((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);
    const down = index(runs('down --provider kind'));
    expect(up).toBeGreaterThan(-1);
    expect(run).toBeGreaterThan(up);
    // The action's github reporter appends the summary table to the step summary.
    expect(steps[run]?.with).toMatchObject({
      provider: 'kind',
      profile: 'all',
      'options-file': '${{ runner.temp }}/options.yaml',
      'report-dir': '${{ env.REPORT_DIR }}',
    });
    expect(String(steps[run]?.with?.reporters).split(',')).toContain('github');
    expect(job.env.REPORT_DIR).toMatch(/^test-results\//);
    expect(logs).toBeGreaterThan(run);
    expect(steps[logs]?.run).toContain('bring-up-diagnostics-');
    expect(upload).toBeGreaterThan(logs);
    expect(steps[upload]?.if).toBe('always()');
    // The report dir, with its pcaps (artifacts/) and diagnostics, and the bring-up diagnostics.
    expect(steps[upload]?.with?.path).toBe('test-results/');
    expect(down).toBeGreaterThan(upload);
    expect(steps[down]?.if).toBe('always()');
  });
});
