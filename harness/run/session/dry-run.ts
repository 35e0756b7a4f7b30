/** `--dry-run`: per scenario and family the objects and steps, without any environment. */
import { stringify } from 'yaml';
import type { Logger } from '../../common/log.js';
import type { EnvironmentDescription } from '../../env/environment.js';
import { bodyAsWritten, type Step } from '../../spec/steps/index.js';
import { render } from '../../spec/template.js';
import { contextFor } from '../context.js';
import type { RunOptions } from '../options.js';
import type { PlannedTest } from '../plan.js';

function describeStep(step: Step, values: Record<string, string | number>): string {
  return `${step.kind}: ${JSON.stringify(render(bodyAsWritten(step), values))}`;
}

export function printDryRun(
  planned: PlannedTest[],
  description: EnvironmentDescription,
  log: Logger,
  exceptions: RunOptions['scopeExceptions'],
): void {
  log.info(
    `dry run on the ${description.provider} provider (planned environment ${description.id}); nothing is created.`,
  );
  for (const test of planned) {
    const { scenario } = test.loaded;
    const head = `=== ${scenario.id} [${test.family}] namespace ${test.namespace}`;
    if (test.skip) {
      log.info(`${head}: skipped (${test.skip.reason}: ${test.skip.message})`);
      continue;
    }
    const ctx = contextFor(test, description, exceptions);
    log.info(head);
    // What the guard let through for this spec, and why, where a reviewer reads the objects.
    for (const e of (exceptions ?? []).filter((x) => x.spec === scenario.id)) {
      log.info(`# scope exception applied: ${e.rule} (options file: ${e.reason})`);
    }
    log.info(`# objects applied (in step order), rendered for ${test.family}:`);
    for (const [name, object] of Object.entries(ctx.manifests)) {
      log.info(`---\n# manifest ${name}\n${stringify(object, { lineWidth: 0 }).trimEnd()}`);
    }
    log.info('# steps:');
    scenario.steps.forEach((step, i) => {
      log.info(`${i + 1}. ${describeStep(step, ctx.values)}`);
    });
  }
}
