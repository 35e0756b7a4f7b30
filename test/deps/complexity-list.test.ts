/**
 * Biome's cognitive-complexity rule (biome.json, at 25) has one suppression per function that
 * exceeded it when the rule was turned on (issue #23). docs/design.md lists them; the list only
 * shrinks: a new suppression fails here, and so does a listed one whose function was simplified
 * (take it off the list).
 */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const RULE = 'lint/complexity/noExcessiveCognitiveComplexity';
/** How many there were when the rule was turned on; lower it as functions are split. */
const CEILING = 27;

/** The name of the function a suppression stands above, from the line after it. */
function suppressedName(line: string): string {
  const text = line.trim();
  const patterns = [
    /function\s+(\w+)/,
    /^it\((['`])(.*?)\1/,
    /^((?:\w+\.)+forEach)\(/,
    /^(?:const|let)\s+(\w+)\s*=/,
    /^((?:\w+\.)*\w+)\s*=\s*\(/,
    /^(?:(?:private|public|protected|static|async)\s+)*(\w+)\s*\(/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match) return match[0].startsWith('it(') ? `it: ${match[2]}` : (match[match.length - 1] as string);
  }
  return text;
}

async function suppressions(): Promise<string[]> {
  const { stdout } = await execa('git', [
    'grep',
    '-n',
    '-A1',
    `biome-ignore ${RULE}`,
    '--',
    'harness',
    'scripts',
    'test',
  ]);
  const found: string[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^:]+):\d+:\s*\/\/ biome-ignore /.exec(lines[i] ?? '');
    if (!match) continue;
    const next = (lines[i + 1] ?? '').replace(/^.*?-\d+-/, '');
    found.push(`${match[1]}: ${suppressedName(next)}`);
  }
  return found.sort();
}

function listed(): string[] {
  const design = readFileSync('docs/design.md', 'utf8');
  const from = design.indexOf('<!-- complexity:begin -->');
  const to = design.indexOf('<!-- complexity:end -->');
  expect(from, 'docs/design.md has the complexity list markers').toBeGreaterThan(0);
  return [...design.slice(from, to).matchAll(/^- `([^`]+)`: `([^`]+)`/gm)]
    .map((m) => `${m[1]}: ${m[2]}`)
    .sort();
}

describe('the cognitive-complexity suppressions', () => {
  it('are each listed in docs/design.md, the list is exactly them, and it only shrinks', async () => {
    const inCode = await suppressions();
    expect(inCode.length).toBeGreaterThan(0);
    expect(listed()).toEqual(inCode);
    expect(inCode.length).toBeLessThanOrEqual(CEILING);
  });

  it('are kept on at 25 in biome.json', () => {
    const biome = JSON.parse(readFileSync('biome.json', 'utf8'));
    expect(biome.linter.rules.complexity.noExcessiveCognitiveComplexity).toEqual({
      level: 'error',
      options: { maxAllowedComplexity: 25 },
    });
  });

  it('name the function below them', () => {
    expect(suppressedName('export async function runCommand(flags: RunFlags) {')).toBe('runCommand');
    expect(suppressedName('  parse(bytes: Uint8Array, start: number) {')).toBe('parse');
    expect(suppressedName('  private placeEgressServices(services: ServiceView[]) {')).toBe(
      'placeEgressServices',
    );
    expect(suppressedName('  const primary = (): Value => {')).toBe('primary');
    expect(suppressedName('  env.onChange = (_env, object) => {')).toBe('env.onChange');
    expect(suppressedName('  scenario.steps.forEach((step, i) => {')).toBe('scenario.steps.forEach');
    expect(suppressedName("  it('names no image', () => {")).toBe('it: names no image');
  });
});
