/** `list`: the catalogue, and the statements (docs/behaviour.md) no scenario covers yet. */

import type { Command } from 'commander';
import { escapeUntrusted, jsonWithoutControls } from '../../common/escape.js';
import type { CatalogueSource } from '../../spec/inputs.js';
import { catalogueOutcome, type Outcome, printOutcome } from '../catalogue-cache.js';

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list the scenarios (id, title, profile, features, statements) and uncovered statements')
    .option('--json', 'print a JSON array of scenarios instead of a table')
    .option('--suites <dir>', 'scenario folder (default: the suites shipped with the tool)')
    .option('--no-cache', 'load the specs even when the catalogue cache has this listing')
    .action(async (options: { json?: boolean; suites?: string; cache: boolean }) => {
      const json = options.json === true;
      const request = { command: 'list', options: { json }, suitesDir: options.suites, cache: options.cache };
      printOutcome(await catalogueOutcome(request, (source) => listing(source, json, options.suites)));
    });
}

/** What `list` prints. Loads zod, yaml and the spec modules: only when the cache has no entry. */
async function listing(
  source: CatalogueSource,
  json: boolean,
  suitesDir: string | undefined,
): Promise<Outcome> {
  const { loadCatalogue, uncoveredStatements } = await import('../../spec/catalogue.js');
  const { BEHAVIOUR_DOC } = await import('../../spec/behaviour-doc.js');
  const { formatProblem } = await import('../../spec/source.js');
  const catalogue = await loadCatalogue(undefined, suitesDir, source);
  if (catalogue.problems.length > 0) {
    return {
      error: {
        message: 'invalid scenario specs; run `egress-conformance validate`',
        lines: catalogue.problems.map(formatProblem),
      },
    };
  }
  const scenarios = catalogue.scenarios.map(({ scenario, file }) => ({
    id: scenario.id,
    title: scenario.title,
    profile: scenario.profile,
    features: scenario.features,
    statements: scenario.statements,
    provisional: scenario.provisional,
    file,
  }));
  const uncovered = uncoveredStatements(catalogue.scenarios);
  // JSON escapes C0 controls only: bidi overrides and C1 controls are written as \u escapes too.
  if (json) return { stdout: `${jsonWithoutControls(scenarios, 2)}\n` };
  const out: string[] = [];
  for (const s of scenarios) {
    out.push(
      `${s.id}  [${s.profile}] ${s.features.join(', ')}  ${s.statements.join(', ')}${s.provisional ? ' (provisional)' : ''}`,
    );
    out.push(`    ${escapeUntrusted(s.title)}`);
  }
  out.push('', `${scenarios.length} scenarios.`);
  if (uncovered.length === 0) {
    out.push(`Every statement of ${BEHAVIOUR_DOC} is covered by a scenario.`);
  } else {
    const width = Math.max(...uncovered.map((s) => s.id.length));
    out.push(`Not yet covered by a scenario (the statements in full: ${BEHAVIOUR_DOC}):`);
    for (const s of uncovered) {
      out.push(`  ${s.id.padEnd(width)}  [${s.profile}] ${s.feature}  ${s.summary}`);
    }
  }
  return { stdout: `${out.join('\n')}\n` };
}
