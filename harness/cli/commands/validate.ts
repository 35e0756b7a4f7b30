/** `validate`: checks spec files; one line per problem, `FILE:LINE: field: what was expected`. */
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { loadCatalogue } from '../../spec/catalogue.js';
import { formatProblem } from '../../spec/loader.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('validate scenario specs (default: every spec under suites/); exit 2 when any is invalid')
    .argument('[files...]', 'spec files to validate')
    .option('--suites <dir>', 'scenario folder to validate when no files are given')
    .action(async (files: string[], options: { suites?: string }) => {
      const catalogue = await loadCatalogue(files, options.suites);
      if (catalogue.problems.length > 0) {
        throw new UsageError('', catalogue.problems.map(formatProblem));
      }
      process.stdout.write(`${catalogue.scenarios.length} scenario spec(s) valid.\n`);
    });
}
