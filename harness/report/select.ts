/**
 * Which reporters a run has: the console ones the user names (`--reporter`, the options file's
 * `reporter`), or by default `list` on a terminal and `line` plus `github` on GitHub Actions;
 * and always every file reporter, so that the report directory is complete whatever is chosen.
 */
import { UsageError } from '../common/errors.js';
import type { Reporter } from './reporter.js';
import { DotReporter } from './reporters/dot.js';
import { fileReporters } from './reporters/files.js';
import { GithubReporter } from './reporters/github.js';
import { LineReporter } from './reporters/line.js';
import { ListReporter } from './reporters/list.js';
import type { ConsoleOptions } from './reporters/terminal.js';

export const CONSOLE_REPORTERS = ['list', 'line', 'dot', 'github'] as const;
/** Written into the report directory on every run; naming them is allowed and changes nothing. */
export const FILE_REPORTERS = ['junit', 'conformance', 'html', 'summary', 'results'] as const;
export const REPORTER_NAMES: readonly string[] = [...CONSOLE_REPORTERS, ...FILE_REPORTERS];

/** `list,github` or ['list', 'github'] -> names, checked. */
export function parseReporterNames(value: string | string[], source: string): string[] {
  const names = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!REPORTER_NAMES.includes(name)) {
      throw new UsageError(
        `${source} ${name}: unknown reporter; expected one of ${REPORTER_NAMES.join(', ')}`,
      );
    }
  }
  if (names.length === 0)
    throw new UsageError(`${source}: expected reporter names, e.g. list or line,github`);
  return [...new Set(names)];
}

export function defaultReporters(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.GITHUB_ACTIONS === 'true' ? ['line', 'github'] : ['list'];
}

export interface ReporterContext extends ConsoleOptions {
  env?: NodeJS.ProcessEnv;
}

/** File reporters first (consoles then name the files they wrote), then the consoles in order. */
export function createReporters(names: readonly string[], context: ReporterContext): Reporter[] {
  const env = context.env ?? process.env;
  const consoles = names.filter((n) => (CONSOLE_REPORTERS as readonly string[]).includes(n));
  const reporters: Reporter[] = fileReporters();
  // The lines every console reporter prints alike come from the first of them only (sharedLines).
  const first = consoles.find((n) => n !== 'github') ?? 'list';
  const options = (name: string) => (name === first ? context : { ...context, sharedLines: false });
  for (const name of consoles) {
    if (name === 'list') reporters.push(new ListReporter(options(name)));
    if (name === 'line') reporters.push(new LineReporter(options(name)));
    if (name === 'dot') reporters.push(new DotReporter(options(name)));
    if (name === 'github') {
      reporters.push(
        new GithubReporter({
          out: context.out,
          workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
          stepSummary: env.GITHUB_STEP_SUMMARY,
        }),
      );
    }
  }
  // Annotations alone would hide progress and the summary: a plain list goes with them.
  if (consoles.length > 0 && consoles.every((n) => n === 'github')) reporters.push(new ListReporter(context));
  return reporters;
}
