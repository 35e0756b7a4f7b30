/** `validate`: checks spec files; one line per problem, `FILE:LINE: field: what was expected`. */
import type { Command } from 'commander';
import type { ScopeException } from '../../spec/scope-reach.js';
import { catalogueOutcome, printOutcome } from '../catalogue-cache.js';

interface ValidateFlags {
  suites?: string;
  cache: boolean;
  optionsFile?: string;
}

/**
 * The options file as `run` reads it (schema, size, every provider section by its schema in the
 * provider table, without loading a provider), so that a spec the file's `scopeExceptions` allow
 * validates as it will run; loaded only when the flag is given (it brings the run command's
 * modules).
 */
async function optionsFileExceptions(file: string): Promise<ScopeException[]> {
  const { readOptionsFile } = await import('./run.js');
  const { PROVIDERS } = await import('../../env/providers.js');
  const { parseProviderSettings } = await import('../../run/session/provider-choice.js');
  const options = await readOptionsFile(file);
  for (const entry of Object.values(PROVIDERS)) {
    const section = options[entry.name];
    if (section !== undefined) parseProviderSettings(entry.settings, section, file);
  }
  return options.scopeExceptions ?? [];
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('validate scenario specs (default: every spec under suites/); exit 2 when any is invalid')
    .argument('[files...]', 'spec files to validate')
    .option('--suites <dir>', 'scenario folder to validate when no files are given')
    .option(
      '--options-file <file>',
      "the run's YAML options: checked, and its scopeExceptions applied as `run` applies them",
    )
    .option('--no-cache', 'load and validate the specs even when the catalogue cache has their result')
    .action(async (files: string[], options: ValidateFlags) => {
      const exceptions = options.optionsFile ? await optionsFileExceptions(options.optionsFile) : [];
      const request = {
        command: 'validate',
        // The exceptions change what is valid: they are part of the cache key.
        options: exceptions.length > 0 ? { scopeExceptions: exceptions } : {},
        files,
        suitesDir: options.suites,
        cache: options.cache,
      };
      const outcome = await catalogueOutcome(request, async (source) => {
        // Loaded only when the cache has no entry: zod, yaml and the spec modules.
        const { loadCatalogue, exceptionWithoutSpec } = await import('../../spec/catalogue.js');
        const { formatProblem } = await import('../../spec/source.js');
        const catalogue = await loadCatalogue(files, options.suites, source, exceptions);
        if (catalogue.problems.length > 0) {
          return { error: { message: '', lines: catalogue.problems.map(formatProblem) } };
        }
        // An exception for a spec that is not in the catalogue is a typo that allows nothing.
        if (files.length === 0) {
          const unknown = exceptionWithoutSpec(catalogue, exceptions);
          if (unknown) {
            const message = `--options-file ${options.optionsFile}: scopeExceptions: no spec with id '${unknown.spec}' (rule ${unknown.rule})`;
            return { error: { message, lines: [] } };
          }
        }
        return { stdout: `${catalogue.scenarios.length} scenario spec(s) valid.\n` };
      });
      printOutcome(outcome);
    });
}
