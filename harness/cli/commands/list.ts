/** `list`: the catalogue, and the statements (docs/behaviour.md) no scenario covers yet. */
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { BEHAVIOUR_DOC } from '../../spec/behaviour-doc.js';
import { loadCatalogue, uncoveredStatements } from '../../spec/catalogue.js';
import { formatProblem } from '../../spec/loader.js';

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list the scenarios (id, title, profile, features, statements) and uncovered statements')
    .option('--json', 'print a JSON array of scenarios instead of a table')
    .option('--suites <dir>', 'scenario folder (default: the suites shipped with the tool)')
    .action(async (options: { json?: boolean; suites?: string }) => {
      const catalogue = await loadCatalogue(undefined, options.suites);
      if (catalogue.problems.length > 0) {
        throw new UsageError(
          'invalid scenario specs; run `egress-conformance validate`',
          catalogue.problems.map(formatProblem),
        );
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
      if (options.json) {
        process.stdout.write(`${JSON.stringify(scenarios, null, 2)}\n`);
        return;
      }
      const out: string[] = [];
      for (const s of scenarios) {
        out.push(
          `${s.id}  [${s.profile}] ${s.features.join(', ')}  ${s.statements.join(', ')}${s.provisional ? ' (provisional)' : ''}`,
        );
        out.push(`    ${s.title}`);
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
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
