/**
 * The step and condition tables of docs/specs.md, generated from the registries' docs: each table
 * sits between `<!-- NAME:begin -->` and `<!-- NAME:end -->` markers and is rewritten by
 * `npm run docs`; a test fails when docs/specs.md is not what this makes of it.
 */
import { CONDITIONS } from '../harness/spec/conditions/index.js';
import type { DocRow } from '../harness/spec/definitions.js';
import { STEPS } from '../harness/spec/steps/index.js';

/** A Markdown table with its columns padded to one width, as a Markdown formatter leaves it. */
export function markdownTable(header: [string, string], rows: DocRow[]): string {
  const cells = [header, ...rows.map((r): [string, string] => [r.syntax, r.meaning])].map((row) =>
    row.map((cell) => cell.replaceAll('|', '\\|')),
  );
  const widths = [0, 1].map((column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [head, ...body] = cells;
  return [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export const TABLES: Record<string, () => string> = {
  steps: () =>
    markdownTable(
      ['step', 'does'],
      Object.values(STEPS).flatMap((step) => step.doc),
    ),
  conditions: () =>
    markdownTable(
      ['condition', 'holds when'],
      Object.values(CONDITIONS).map((condition) => condition.doc),
    ),
};

/** The page that holds the tables. */
export const TABLES_PAGE = 'docs/specs.md';

/** The page's text with every marked table regenerated; a marker pair missing is an error. */
export function withTables(page: string): string {
  let text = page;
  for (const [name, render] of Object.entries(TABLES)) {
    const begin = `<!-- ${name}:begin -->`;
    const end = `<!-- ${name}:end -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${TABLES_PAGE} has no ${begin} ... ${end} markers`);
    text = `${text.slice(0, from + begin.length)}\n\n${render()}\n\n${text.slice(to)}`;
  }
  return text;
}
