/**
 * Deep nesting is refused before the YAML parser sees the text (hostile round 5, F12): a 1 MiB
 * spec of nested `[` took 27 s and 650 MB when the depth was checked on the parsed document.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YAML_MAX_DEPTH, YAML_MAX_NODES } from '../../harness/common/limits.js';
import { formatProblem, parseScenario } from '../../harness/spec/loader.js';
import { tooDeepAt, tooManyNodesAt } from '../../harness/spec/yaml-depth.js';

describe('the nesting scan before parsing', () => {
  it('refuses a 1 MiB spec of nested brackets at the scan, so the parser never gets it', () => {
    const text = `id: deep\nx: ${'['.repeat(1024 * 1024 - 20)}\n`;
    expect(tooDeepAt(text)).toBe(2);
    const result = parseScenario(text, 'deep.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      `deep.yaml:2: nested more than ${YAML_MAX_DEPTH} levels deep: refused`,
    ]);
  });

  it('refuses block sequences chained on one line, and counts the document as the first level', () => {
    expect(tooDeepAt(`a:\n${'- '.repeat(YAML_MAX_DEPTH + 1)}x\n`)).toBe(2);
    expect(tooDeepAt(`a: ${'['.repeat(YAML_MAX_DEPTH)}${']'.repeat(YAML_MAX_DEPTH)}\n`)).toBe(1);
    expect(
      tooDeepAt(`a: ${'['.repeat(YAML_MAX_DEPTH - 1)}${']'.repeat(YAML_MAX_DEPTH - 1)}\n`),
    ).toBeUndefined();
    // Brackets closed again do not add up.
    expect(tooDeepAt(`a: [${'[], '.repeat(10_000)}]\n`)).toBeUndefined();
  });

  it('passes every spec and fixture of the catalogue', async () => {
    const files: string[] = [];
    for (const folder of ['suites/core', 'suites/extended', 'suites/fixtures'])
      for (const name of await readdir(folder)) files.push(join(folder, name));
    expect(files.length).toBeGreaterThan(30);
    for (const file of files)
      expect([file, tooDeepAt(await readFile(file, 'utf8'))]).toEqual([file, undefined]);
  });
});

describe('the node count before parsing', () => {
  it('refuses a flat spec of more than YAML_MAX_NODES items in one line, exit 2 (250,000 overflowed the stack)', () => {
    const text = `id: flat\nx: [${Array(250_000).fill('[]').join(',')}]\n`;
    expect(tooManyNodesAt(text)).toBe(2);
    const result = parseScenario(text, 'flat.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      `flat.yaml:2: more than ${YAML_MAX_NODES} YAML nodes (each [, {, comma and line counted): refused`,
    ]);
  });

  it('counts lines too, and passes the catalogue with room to spare', async () => {
    // The (MAX + 1)th newline ends line MAX + 1.
    expect(tooManyNodesAt(`a:\n${'  - x\n'.repeat(YAML_MAX_NODES)}`)).toBe(YAML_MAX_NODES + 1);
    expect(tooManyNodesAt(`a:\n${'  - x\n'.repeat(YAML_MAX_NODES - 2)}`)).toBeUndefined();
    for (const dir of ['suites/core', 'suites/extended', 'suites/fixtures']) {
      for (const name of await readdir(dir)) {
        if (!name.endsWith('.yaml')) continue;
        expect(tooManyNodesAt(await readFile(join(dir, name), 'utf8')), name).toBeUndefined();
      }
    }
  });
});
