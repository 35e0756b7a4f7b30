/**
 * The mutants of the reference implementation, made by StrykerJS's instrumenter: every mutant of
 * the reference's behaviour files placed in one copy of the code behind a mutation switch, so that
 * one build serves every mutant (the running process activates one with an environment variable).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';

/** The reference implementation's files that decide behaviour (not its API store or wiring). */
export const MUTATED_FILES = [
  'harness/env/lab/reference/controller.ts',
  'harness/env/lab/reference/egress-placement.ts',
  'harness/env/lab/reference/dataplane.ts',
  'harness/env/lab/reference/egress-rules.ts',
  'harness/env/lab/reference/selector.ts',
  'harness/env/lab/reference/metallb.ts',
] as const;

/** What the instrumented code reads to switch one mutant on (Stryker's own variable). */
export const ACTIVE_MUTANT_VARIABLE = '__STRYKER_ACTIVE_MUTANT__';

/** 1-based line and column, as the mutation-testing report schema counts them. */
export interface Position {
  line: number;
  column: number;
}

export interface MutantInfo {
  /** The instrumenter's id: what the switch compares with (stable only for unchanged sources). */
  id: string;
  /** Stable across runs of the same sources: file, position and mutator. */
  key: string;
  file: string;
  mutatorName: string;
  /** The code that replaces `original` in this mutant. */
  replacement: string;
  original: string;
  location: { start: Position; end: Position };
}

export interface Instrumented {
  mutants: MutantInfo[];
  /** Each file's source as read, and its instrumented TypeScript. */
  files: Array<{ name: string; source: string; instrumented: string }>;
}

/** The instrumenter's logger interface, quiet but for warnings and errors. */
const logger = {
  trace() {},
  debug() {},
  info() {},
  warn: (...args: unknown[]) => process.stderr.write(`instrumenter: ${args.join(' ')}\n`),
  error: (...args: unknown[]) => process.stderr.write(`instrumenter: ${args.join(' ')}\n`),
  fatal: (...args: unknown[]) => process.stderr.write(`instrumenter: ${args.join(' ')}\n`),
  isTraceEnabled: () => false,
  isDebugEnabled: () => false,
  isInfoEnabled: () => false,
  isWarnEnabled: () => true,
  isErrorEnabled: () => true,
  isFatalEnabled: () => true,
};

/** The text between two 1-based positions of a source. */
export function textAt(source: string, start: Position, end: Position): string {
  const lines = source.split('\n');
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const first = (lines[start.line - 1] ?? '').slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = (lines[end.line - 1] ?? '').slice(0, end.column - 1);
  return [first, ...middle, last].join('\n');
}

/**
 * `file.ts:line:column:Mutator`, and `#2`, `#3` for the second and third mutant of one mutator at
 * one place (e.g. `<` to `<=` and to `>=`), in the instrumenter's order.
 */
export function mutantKey(
  file: string,
  start: Position,
  mutatorName: string,
  seen: Map<string, number>,
): string {
  const base = `${file.split('/').pop() ?? file}:${start.line}:${start.column}:${mutatorName}`;
  const count = (seen.get(base) ?? 0) + 1;
  seen.set(base, count);
  return count === 1 ? base : `${base}#${count}`;
}

/** Instruments the files (relative to `root`) and lists their mutants. */
export async function instrumentReference(
  root: string,
  files: readonly string[] = MUTATED_FILES,
): Promise<Instrumented> {
  const sources = await Promise.all(files.map((name) => readFile(join(root, name), 'utf8')));
  // The logger's shape is what the instrumenter calls; its full type lives in log4js's typings.
  const instrumenter = new Instrumenter(logger as unknown as ConstructorParameters<typeof Instrumenter>[0]);
  const result = await instrumenter.instrument(
    files.map((name, i) => ({ name, mutate: true, content: sources[i] as string })),
    { plugins: null, excludedMutations: [], ignorers: [] },
  );
  const seen = new Map<string, number>();
  const sourceOf = new Map(files.map((name, i) => [name, sources[i] as string]));
  const mutants = result.mutants.map((m): MutantInfo => {
    // The instrumenter counts lines and columns from 0; the report schema from 1.
    const start = { line: m.location.start.line + 1, column: m.location.start.column + 1 };
    const end = { line: m.location.end.line + 1, column: m.location.end.column + 1 };
    return {
      id: m.id,
      key: mutantKey(m.fileName, start, m.mutatorName, seen),
      file: m.fileName,
      mutatorName: m.mutatorName,
      replacement: m.replacement,
      original: textAt(sourceOf.get(m.fileName) ?? '', start, end),
      location: { start, end },
    };
  });
  return {
    mutants,
    files: result.files.map((f, i) => ({
      name: f.name,
      source: sources[i] as string,
      instrumented: f.content,
    })),
  };
}
