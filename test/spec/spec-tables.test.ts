/** docs/specs.md's step and condition tables are the registries' docs (`npm run docs` rewrites them). */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONDITIONS } from '../../harness/spec/conditions/index.js';
import { STEPS } from '../../harness/spec/steps/index.js';
import { markdownTable, withTables } from '../../scripts/spec-tables.js';

describe('the spec tables of docs/specs.md', () => {
  it('are what the registries document: run `npm run docs` after changing a kind', async () => {
    const page = await readFile(new URL('../../docs/specs.md', import.meta.url), 'utf8');
    expect(withTables(page)).toBe(page);
  });

  it('have a row for every step and condition kind, named as the spec writes it', () => {
    const steps = markdownTable(
      ['step', 'does'],
      Object.values(STEPS).flatMap((s) => s.doc),
    );
    for (const kind of Object.keys(STEPS)) expect(steps).toMatch(new RegExp(`^\\| \`${kind}: `, 'm'));
    const conditions = markdownTable(
      ['condition', 'holds when'],
      Object.values(CONDITIONS).map((c) => c.doc),
    );
    for (const kind of Object.keys(CONDITIONS))
      expect(conditions).toMatch(new RegExp(`^\\| \`${kind}: `, 'm'));
  });

  it('are regenerated between their markers, and a missing marker is an error', () => {
    const stale =
      '# x\n<!-- steps:begin -->\n| stale row |\n<!-- steps:end -->\n<!-- conditions:begin --><!-- conditions:end -->\n';
    const fresh = withTables(stale);
    expect(fresh).not.toContain('stale row');
    expect(fresh).toContain('| `probe: {..., measure: failover}` ');
    expect(withTables(fresh)).toBe(fresh);
    expect(() => withTables('# no markers\n')).toThrow(
      'docs/specs.md has no <!-- steps:begin --> ... <!-- steps:end --> markers',
    );
  });
});
