/**
 * `up --dry-run` and `run --dry-run` through the CLI for both pin sets: a complete plan that
 * follows the pin set (kind-helm.sh, kind-configs/, its MetalLB release), names no image from a
 * retired registry, and creates nothing. Every supported combination's plan is pinned in-process
 * by plan.test.ts's snapshots; this checks the CLI path for one per pin set.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PIN_SET_NAMES, pinSet } from '../../harness/env/kind/pin-sets.js';
import { RETIRED_REGISTRIES } from '../../harness/env/kind/registries.js';
import { cli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ec-kind-dry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kind dry runs through the CLI', () => {
  for (const name of PIN_SET_NAMES) {
    for (const command of ['up', 'run'] as const) {
      it(`${command} --dry-run prints pin set ${name}'s complete plan`, async () => {
        const file = join(dir, `${name}.yaml`);
        writeFileSync(file, `kind:\n  pinSet: "${name}"\n  id: eck-dry\n  workDir: ${join(dir, name)}\n`);
        const result = await cli([command, '--provider', 'kind', '--dry-run', '--options-file', file]);
        expect(result.code, result.stderr).toBe(0);
        const p = pinSet(name);
        expect(result.stdout).toContain(
          `# pin set ${name}: ${p.ovnKubernetes.ref} at ${p.ovnKubernetes.commit}`,
        );
        expect(result.stdout).toContain('/contrib/kind-helm.sh --config-file ');
        expect(result.stdout).toContain('# rendered from kind-configs/ovn-kubernetes.yaml');
        expect(result.stdout).toContain(`--version ${p.metallb.value.replace(/^v/, '')}`);
        for (const r of RETIRED_REGISTRIES) expect(result.stdout).not.toContain(r.prefix);
        expect(result.stdout).not.toContain('creating kind environment');
      });
    }
  }
});
