/** Plans scenarios (profile all) and runs them with the real runner, reports in a temp dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../harness/common/log.js';
import type { Environment, EnvironmentDescription } from '../../harness/env/environment.js';
import { planRun } from '../../harness/run/plan.js';
import { runTests } from '../../harness/run/runner.js';
import type { LoadedScenario } from '../../harness/spec/loader.js';
import type { Timeouts } from '../../harness/spec/timeouts.js';

export async function runScenarios(
  specs: LoadedScenario[],
  env: Environment & { description: EnvironmentDescription },
  options: { timeouts?: Partial<Timeouts>; parallelism?: number } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'ec-runner-'));
  try {
    const planned = planRun(
      specs,
      { profile: 'all', runTests: [], skipTests: [], skipProvisional: false },
      env.description,
      'r1',
    );
    const results = await runTests(planned, {
      env,
      description: env.description,
      runId: 'r1',
      reportDir: dir,
      timeouts: options.timeouts ?? {},
      signal: new AbortController().signal,
      log: silentLogger([]),
      ...(options.parallelism ? { parallelism: options.parallelism } : {}),
    });
    return { planned, results };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
