/** Regenerates the step and condition tables of docs/specs.md from the registries (npm run docs). */
import { readFileSync, writeFileSync } from 'node:fs';
import { TABLES_PAGE, withTables } from './spec-tables.js';

writeFileSync(TABLES_PAGE, withTables(readFileSync(TABLES_PAGE, 'utf8')));
