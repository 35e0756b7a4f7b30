/**
 * Generated Markdown goes through the same formatter `npm run lint` checks it with (Biome), so a
 * generated file and its staleness test agree with the linter whatever the generator's spacing.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const BIOME = resolve(import.meta.dirname, '../node_modules/.bin/biome');

export function formatMarkdown(text: string, path: string): string {
  return execFileSync(BIOME, ['format', `--stdin-file-path=${path}`], { input: text, encoding: 'utf8' });
}
