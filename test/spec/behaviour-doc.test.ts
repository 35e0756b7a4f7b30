/** docs/behaviour.md is generated from the statement catalogue and the specs: it must be current. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BEHAVIOUR_DOC, renderBehaviourDoc } from '../../harness/spec/behaviour-doc.js';
import { loadCatalogue } from '../../harness/spec/catalogue.js';
import { STATEMENTS } from '../../harness/spec/statements.js';
import { formatMarkdown } from '../../scripts/format-markdown.js';

describe(BEHAVIOUR_DOC, () => {
  it('is what `npm run docs:behaviour` writes from the catalogue (run it when this fails)', async () => {
    const catalogue = await loadCatalogue(undefined);
    expect(catalogue.problems).toEqual([]);
    const shipped = await readFile(BEHAVIOUR_DOC, 'utf8').catch(() => '(missing)');
    expect(shipped, `${BEHAVIOUR_DOC} is out of date: run npm run docs:behaviour`).toBe(
      formatMarkdown(renderBehaviourDoc(catalogue.scenarios), BEHAVIOUR_DOC),
    );
  });

  it('gives every statement in full, with its feature, profile and the scenarios that check it', async () => {
    const catalogue = await loadCatalogue(undefined);
    const doc = renderBehaviourDoc(catalogue.scenarios);
    for (const statement of STATEMENTS) {
      const section = doc.split(`#### ${statement.id}\n`)[1]?.split('\n#### ')[0]?.split('\n## ')[0] ?? '';
      expect(section.replace(/\s+/g, ' '), statement.id).toContain(statement.text);
      expect(section).toContain(`Feature \`${statement.feature}\`, profile ${statement.profile}`);
      const checking = catalogue.scenarios.filter((s) => s.scenario.statements.includes(statement.id));
      for (const s of checking) expect(section).toContain(`[\`${s.scenario.id}\`](../${s.file})`);
      if (checking.length === 0) expect(section).toContain('*not yet covered*');
    }
  });
});
