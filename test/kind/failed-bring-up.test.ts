/**
 * A failed bring-up keeps its evidence: the kind provider's real `up` path, with a recording
 * command runner in place of docker and kind (no Docker needed), whose kind-helm.sh step fails.
 * kind's logs are exported and the cluster's state saved into the diagnostics directory, and
 * only then is the environment torn down.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKindProvider } from '../../harness/env/kind/provider.js';
import { kindOptions, recordingRunner } from './support.js';

const workDir = mkdtempSync(join(tmpdir(), 'ec-kind-failed-up-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** docker and kind as the runner answers them: the environment exists once its networks were created. */
function failingAtKindHelm() {
  let created = false;
  return recordingRunner((argv) => {
    if (argv[0] === 'docker' && argv[1] === 'network' && argv[2] === 'create') created = true;
    if (argv[0]?.endsWith('/contrib/kind-helm.sh'))
      return { exitCode: 1, stderr: 'kind create cluster failed' };
    if (argv[0] === 'docker' && argv[1] === 'network' && argv[2] === 'ls' && created)
      return { stdout: 'eck-test\teck-test\n' };
    return undefined;
  });
}

async function failedUp(keep: boolean) {
  const { runner, calls } = failingAtKindHelm();
  const provider = createKindProvider({ runner });
  const options = { ...kindOptions({ workDir: join(workDir, String(keep)) }), keep };
  await expect(provider.up(options)).rejects.toThrow();
  return calls.map((c) => c.argv);
}

describe('a failed bring-up', () => {
  it("exports kind's logs and the cluster's state into the diagnostics, then tears down", async () => {
    const argvs = await failedUp(false);
    const at = (predicate: (argv: string[]) => boolean) => argvs.findIndex(predicate);
    const failed = at((a) => a[0]?.endsWith('/contrib/kind-helm.sh') ?? false);
    const exportLogs = at((a) => a[0] === 'kind' && a[1] === 'export' && a[2] === 'logs');
    const state = at((a) => a[0] === 'sh' && (a[2] ?? '').includes('get all -A'));
    const nodeNetwork = at(
      (a) => a[0] === 'docker' && a[1] === 'exec' && (a.at(-1) ?? '').includes('ip rule'),
    );
    const remove = at((a) => a[0] === 'kind' && a[1] === 'delete' && a[2] === 'cluster');
    expect(failed).toBeGreaterThan(-1);
    expect(exportLogs).toBeGreaterThan(failed);
    expect(state).toBeGreaterThan(exportLogs);
    expect(nodeNetwork).toBeGreaterThan(exportLogs);
    expect(remove).toBeGreaterThan(Math.max(exportLogs, state, nodeNetwork));
    // Into the diagnostics directory of this environment, for the workflow to upload.
    const logs = argvs[exportLogs] ?? [];
    expect(logs.slice(4)).toEqual(['--name', 'eck-test']);
    expect(logs[3]).toMatch(new RegExp(`^${join(workDir, 'false')}/bring-up-diagnostics-[^/]+/kind-logs$`));
    expect(argvs[state]?.[2]).toContain(`${join(workDir, 'false')}/bring-up-diagnostics-`);
    expect(readdirSync(join(workDir, 'false')).some((f) => f.startsWith('bring-up-diagnostics-'))).toBe(true);
  });

  it('keeps the evidence and the environment with --keep', async () => {
    const argvs = await failedUp(true);
    expect(argvs.some((a) => a[0] === 'kind' && a[1] === 'export')).toBe(true);
    expect(argvs.some((a) => a[0] === 'kind' && a[1] === 'delete')).toBe(false);
  });
});
