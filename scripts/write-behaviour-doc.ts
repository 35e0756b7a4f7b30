/** Regenerates docs/behaviour.md from the statement catalogue and the shipped specs (npm run docs:behaviour). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BEHAVIOUR_DOC, renderBehaviourDoc } from '../harness/spec/behaviour-doc.js';
import { loadCatalogue } from '../harness/spec/catalogue.js';
import { formatProblem } from '../harness/spec/loader.js';
import { formatMarkdown } from './format-markdown.js';

const catalogue = await loadCatalogue(undefined);
if (catalogue.problems.length > 0) {
  process.stderr.write(`${catalogue.problems.map(formatProblem).join('\n')}\n`);
  process.exit(2);
}
mkdirSync(dirname(BEHAVIOUR_DOC), { recursive: true });
writeFileSync(BEHAVIOUR_DOC, formatMarkdown(renderBehaviourDoc(catalogue.scenarios), BEHAVIOUR_DOC));
process.stdout.write(`wrote ${BEHAVIOUR_DOC}\n`);
