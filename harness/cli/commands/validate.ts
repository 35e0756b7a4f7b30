/** `validate`: checks spec files; one line per problem, `FILE:LINE: field: what was expected`. */
import type { Command } from 'commander';
import { catalogueOutcome, printOutcome } from '../catalogue-cache.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('validate scenario specs (default: every spec under suites/); exit 2 when any is invalid')
    .argument('[files...]', 'spec files to validate')
    .option('--suites <dir>', 'scenario folder to validate when no files are given')
    .option('--no-cache', 'load and validate the specs even when the catalogue cache has their result')
    .action(async (files: string[], options: { suites?: string; cache: boolean }) => {
      const request = {
        command: 'validate',
        options: {},
        files,
        suitesDir: options.suites,
        cache: options.cache,
      };
      const outcome = await catalogueOutcome(request, async (source) => {
        // Loaded only when the cache has no entry: zod, yaml and the spec modules.
        const { loadCatalogue } = await import('../../spec/catalogue.js');
        const { formatProblem } = await import('../../spec/source.js');
        const catalogue = await loadCatalogue(files, options.suites, source);
        if (catalogue.problems.length > 0) {
          return { error: { message: '', lines: catalogue.problems.map(formatProblem) } };
        }
        return { stdout: `${catalogue.scenarios.length} scenario spec(s) valid.\n` };
      });
      printOutcome(outcome);
    });
}
