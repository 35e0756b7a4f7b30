/**
 * The import rules of .dependency-cruiser.cjs, run by dependency-cruiser itself on a small tree
 * of the project's shape: each rule reports the imports it forbids, and none of the imports the
 * architecture allows. (`npm run deps` applies them to the real tree.)
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Files of the tree, each with the modules it imports (relative specifiers, or npm names; `type:`
 * makes it a type-only import).
 */
const TREE: Record<string, string[]> = {
  'harness/env/environment.ts': [],
  'harness/env/shared/docker.ts': [],
  'harness/env/lab/lab.ts': ['../shared/docker.js', '../environment.js'],
  'harness/env/lab/provider.ts': ['./infra/lab.js', './reference/controller.js', '../provider.js'],
  'harness/env/lab/infra/lab.ts': ['./docker.js', '../../environment.js', '../../../common/log.js'],
  'harness/env/lab/infra/docker.ts': [],
  'harness/env/lab/infra/bad.ts': ['../reference/controller.js', '../provider.js'],
  'harness/env/lab/reference/controller.ts': ['./machines.js', '../../environment.js'],
  'harness/env/lab/reference/machines.ts': [],
  'harness/env/lab/reference/bad.ts': ['../infra/docker.js', '../provider.js'],
  'harness/env/provider.ts': [],
  'harness/common/log.ts': [],
  'harness/report/xml.ts': [],
  'harness/env/kind/bad-leaf.ts': ['../../report/xml.js', '../shared/docker.js', '../../common/log.js'],
  'harness/env/lab/bad-sibling.ts': ['../kind/topology.js'],
  'harness/env/lab/bad-runner.ts': ['../../run/plan.js', '../../cli/main.js'],
  'harness/env/kind/topology.ts': ['../shared/docker.js'],
  'harness/env/kind/settings.ts': ['zod', 'type:../provider.js', './bad-heavy.js'],
  'harness/env/kind/bad-heavy.ts': ['execa', './environment.js'],
  'harness/env/kind/environment.ts': [],
  'harness/env/lab/settings.ts': ['zod', 'type:../provider.js', './reference/machines.js'],
  'harness/env/existing/provider.ts': ['../kind/topology.js'],
  'harness/cli/main.ts': ['../run/plan.js', '../env/lab/lab.js', '../spec/schema.js'],
  'harness/run/plan.ts': ['../env/environment.js', '../spec/schema.js', './steps/apply.js'],
  'harness/run/steps/apply.ts': ['../step-run.js'],
  'harness/run/step-run.ts': ['type:./steps/apply.js'],
  'harness/run/bad-provider.ts': ['../env/shared/docker.js', '../env/kind/topology.js', '../cli/main.js'],
  'harness/spec/schema.ts': ['zod', './steps/apply.js'],
  'harness/spec/steps/apply.ts': ['zod'],
  'harness/spec/bad.ts': ['../run/plan.js', '../env/lab/lab.js', 'execa'],
  'harness/capture/reader.ts': ['node:fs', './pcap.js'],
  'harness/capture/pcap.ts': [],
  'harness/capture/bad.ts': ['../spec/schema.js', 'zod'],
};

let dir: string;
let violations: Array<{ rule: string; from: string; to: string }>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-deps-'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext' } }));
  for (const [file, imports] of Object.entries(TREE)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    const lines = imports.map((spec) =>
      spec.startsWith('type:') ? `import type { T } from '${spec.slice(5)}';` : `import '${spec}';`,
    );
    await writeFile(join(dir, file), `${lines.join('\n')}\nexport type T = 1;\n`);
  }
  const { stdout } = await execa(
    join(ROOT, 'node_modules/.bin/depcruise'),
    ['--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json', 'harness'],
    { cwd: dir, reject: false },
  );
  const result = JSON.parse(stdout) as {
    summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> };
  };
  violations = result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function reported(rule: string): string[] {
  return violations
    .filter((v) => v.rule === rule)
    .map((v) => `${v.from} -> ${v.to}`)
    .sort();
}

describe('the import rules', () => {
  it('find cycles, type-only ones included', () => {
    const cycles = violations.filter((v) => v.rule === 'no-cycles');
    expect(cycles).toHaveLength(1);
    expect([cycles[0]?.from, cycles[0]?.to].sort()).toEqual([
      'harness/run/step-run.ts',
      'harness/run/steps/apply.ts',
    ]);
  });

  it('keep the spec below the runner and the providers, and light', () => {
    expect(reported('spec-below-run-and-providers')).toEqual([
      'harness/spec/bad.ts -> harness/env/lab/lab.ts',
      'harness/spec/bad.ts -> harness/run/plan.ts',
    ]);
    expect(reported('spec-loads-no-heavy-code')).toEqual([
      expect.stringMatching(/^harness\/spec\/bad\.ts -> .*node_modules\/execa\//),
    ]);
  });

  it('let the runner see the contract, not a provider, shared provider code or the CLI', () => {
    expect(reported('run-sees-only-the-contract')).toEqual([
      'harness/run/bad-provider.ts -> harness/cli/main.ts',
      'harness/run/bad-provider.ts -> harness/env/kind/topology.ts',
      'harness/run/bad-provider.ts -> harness/env/shared/docker.ts',
    ]);
  });

  it('keep the capture reader to itself and Node built-ins', () => {
    expect(reported('capture-is-self-contained')).toEqual([
      expect.stringMatching(/^harness\/capture\/bad\.ts -> .*node_modules\/zod\//),
      'harness/capture/bad.ts -> harness/spec/schema.ts',
    ]);
  });

  it('keep providers apart, and below the CLI and the runner', () => {
    expect(reported('providers-do-not-import-each-other')).toEqual([
      'harness/env/existing/provider.ts -> harness/env/kind/topology.ts',
      'harness/env/lab/bad-sibling.ts -> harness/env/kind/topology.ts',
    ]);
    expect(reported('providers-below-cli-and-run')).toEqual([
      'harness/env/lab/bad-runner.ts -> harness/cli/main.ts',
      'harness/env/lab/bad-runner.ts -> harness/run/plan.ts',
    ]);
  });

  it("keep the providers' settings schemas light: no heavy library, no provider module", () => {
    expect(reported('provider-settings-are-light')).toEqual([
      expect.stringMatching(/^harness\/env\/kind\/settings\.ts -> .*node_modules\/execa\//),
      'harness/env/kind/settings.ts -> harness/env/kind/environment.ts',
    ]);
  });

  it('keep kind, existing and env/shared on the contract and leaf libraries', () => {
    expect(reported('kind-existing-and-shared-on-contract-and-leaves')).toEqual([
      'harness/env/existing/provider.ts -> harness/env/kind/topology.ts',
      'harness/env/kind/bad-leaf.ts -> harness/report/xml.ts',
    ]);
  });

  it('keep the lab in layers: infrastructure and reference apart, joined by the adapter', () => {
    expect(reported('lab-reference-knows-no-machines')).toEqual([
      'harness/env/lab/reference/bad.ts -> harness/env/lab/infra/docker.ts',
      'harness/env/lab/reference/bad.ts -> harness/env/lab/provider.ts',
    ]);
    expect(reported('lab-infra-knows-no-egress-service')).toEqual([
      'harness/env/lab/infra/bad.ts -> harness/env/lab/provider.ts',
      'harness/env/lab/infra/bad.ts -> harness/env/lab/reference/controller.ts',
    ]);
  });

  it('report nothing else: every other import of the tree is allowed', () => {
    expect(
      violations.filter(
        (v) =>
          !v.from.includes('bad') &&
          !v.from.includes('existing/provider') &&
          v.rule !== 'provider-settings-are-light',
      ),
    ).toEqual([expect.objectContaining({ rule: 'no-cycles' })]);
  });
});
