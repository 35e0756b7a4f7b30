/**
 * The plan of a run and what must hold of it before anything is created, and what the reports say
 * of tests that never ran.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { UsageError } from '../../common/errors.js';
import { nearestExisting } from '../../common/real-path.js';
import type { EnvironmentDescription } from '../../env/environment.js';
import type { Catalogue } from '../../spec/catalogue.js';
import { checkAddressRoom, contextFor } from '../context.js';
import type { RunOptions } from '../options.js';
import { type PlannedTest, planRun, selectShard } from '../plan.js';
import type { TestResult } from '../results.js';
import { baseResult, runsAlone } from '../runner.js';

/** The plan of a run: every scenario x family, cut to this shard's slice when sharded. */
export function planFor(
  catalogue: Catalogue,
  options: RunOptions,
  description: EnvironmentDescription,
  runId: string,
): PlannedTest[] {
  const planned = planRun(catalogue.scenarios, options, description, runId);
  checkAddressRoom(planned, description);
  return options.shard ? selectShard(planned, options.shard, runsAlone) : planned;
}

/** The flags that narrowed the selection, as the "no test selected" line names them. */
function narrowedBy(options: RunOptions): string[] {
  const why: string[] = [];
  if (options.runTests.length > 0)
    why.push(`--run-test ${options.runTests.join(', ')} with --profile ${options.profile}`);
  if (options.skipTests.length > 0) why.push(`--skip-tests ${options.skipTests.join(', ')}`);
  if (options.grep !== undefined) why.push(`--grep ${options.grep}`);
  if (options.grepInvert !== undefined) why.push(`--grep-invert ${options.grepInvert}`);
  if (options.statements?.length) why.push(`--statement ${options.statements.join(', ')}`);
  if (options.features?.length) why.push(`--feature ${options.features.join(', ')}`);
  if (options.lastFailed) why.push(`--last-failed (${options.lastFailed.length} failed last time)`);
  if (options.skipProvisional) why.push('--skip-provisional');
  if (options.shard) why.push(`--shard ${options.shard.index}/${options.shard.total} gets none`);
  return why;
}

/**
 * What must hold of a run's plan before anything is created: at least one test selected (zero
 * tests is no pass: exit 2 with the reason), and every selected test's rendered manifests inside
 * the scope guard (spec/scope.ts; contextFor throws a ScopeError naming the spec and field).
 */
export function checkPlan(
  planned: PlannedTest[],
  options: RunOptions,
  description: EnvironmentDescription,
): void {
  const selected = planned.filter((t) => !t.skip || t.skip.reason === 'not-supported');
  if (selected.length === 0) {
    const why = narrowedBy(options);
    if (planned.length === 0)
      why.unshift(`no scenario of profile ${options.profile} (see \`egress-conformance list\`)`);
    throw new UsageError(`no test selected: ${why.join('; ') || 'every test was left out'}`);
  }
  for (const test of planned) if (!test.skip) contextFor(test, description, options.scopeExceptions);
}

/**
 * The report directory must be one (or not exist yet): found out after the bring-up, a file there
 * was five reporter errors and a lab brought up for nothing.
 */
export async function checkReportDir(reportDir: string): Promise<void> {
  const info = await stat(reportDir).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new UsageError(
      `--report-dir ${reportDir}: not a directory; expected a directory (or a path that does not exist yet)`,
    );
  }
  // A path that does not exist yet is made under its nearest existing ancestor: that must be a
  // directory we may write (`/dev/null/x` failed only after the bring-up, with raw ENOTDIR lines).
  const { existing } = await nearestExisting(reportDir);
  const ancestor = await stat(existing).catch(() => undefined);
  if (!ancestor?.isDirectory()) {
    throw new UsageError(
      `--report-dir ${reportDir}: ${existing} is not a directory; expected a directory (or a path that can be made)`,
    );
  }
  if (
    !(await access(existing, constants.W_OK).then(
      () => true,
      () => false,
    ))
  ) {
    throw new UsageError(`--report-dir ${reportDir}: ${existing} is not writable`);
  }
}

/** Tests that could not run because the environment never came up (or the run was stopped first). */
export function notRun(
  planned: PlannedTest[],
  reason: 'not-run' | 'interrupted',
  message: string,
): TestResult[] {
  return planned.map((test) =>
    test.skip
      ? { ...baseResult(test), skipReason: test.skip.reason, message: test.skip.message }
      : { ...baseResult(test), skipReason: reason, message },
  );
}
