/** `--dry-run`: per scenario and family the objects and steps, without any environment. */
import { stringify } from 'yaml';
import { escapeUntrusted, escapeUntrustedDeep, escapeUntrustedLines } from '../../common/escape.js';
import type { Logger } from '../../common/log.js';
import type { EnvironmentDescription } from '../../env/environment.js';
import { bodyAsWritten, type Step } from '../../spec/steps/index.js';
import { render } from '../../spec/template.js';
import { contextFor } from '../context.js';
import type { RunOptions } from '../options.js';
import type { PlannedTest } from '../plan.js';

function describeStep(step: Step, values: Record<string, string | number>): string {
  return `${step.kind}: ${escapeUntrusted(JSON.stringify(render(bodyAsWritten(step), values)))}`;
}

/**
 * Everything printed here carries spec values and options-file text (manifest fields, titles,
 * scope-exception reasons), so each line goes through the one escaping rule (common/escape.ts), and
 * each manifest is escaped value by value before it is written as YAML: a newline in a value would
 * otherwise fold onto a line of its own, which may start with `::error::`.
 */
export function printDryRun(
  planned: PlannedTest[],
  description: EnvironmentDescription,
  logger: Logger,
  exceptions: RunOptions['scopeExceptions'],
): void {
  const log = { info: (text: string) => logger.info(escapeUntrustedLines(text)) };
  log.info(
    `dry run on the ${description.provider} provider (planned environment ${description.id}); nothing is created.`,
  );
  for (const test of planned) {
    const { scenario } = test.loaded;
    const head = `=== ${scenario.id} [${test.family}] namespace ${test.namespace}`;
    if (test.skip) {
      log.info(`${head}: skipped (${test.skip.reason}: ${escapeUntrusted(test.skip.message)})`);
      continue;
    }
    const ctx = contextFor(test, description, exceptions);
    log.info(head);
    // What the guard let through for this spec, and why, where a reviewer reads the objects.
    for (const e of (exceptions ?? []).filter((x) => x.spec === scenario.id)) {
      log.info(`# scope exception applied: ${e.rule} (options file: ${escapeUntrusted(e.reason)})`);
    }
    log.info(`# objects applied (in step order), rendered for ${test.family}:`);
    for (const [name, object] of Object.entries(ctx.manifests)) {
      log.info(
        `---\n# manifest ${name}\n${stringify(escapeUntrustedDeep(object), { lineWidth: 0 }).trimEnd()}`,
      );
    }
    log.info('# steps:');
    scenario.steps.forEach((step, i) => {
      log.info(`${i + 1}. ${describeStep(step, ctx.values)}`);
    });
  }
}
