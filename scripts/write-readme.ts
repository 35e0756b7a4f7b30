/** Regenerates the step and condition tables of README.md from the registries (npm run docs). */
import { readFileSync, writeFileSync } from 'node:fs';
import { withTables } from './readme-tables.js';

writeFileSync('README.md', withTables(readFileSync('README.md', 'utf8')));
