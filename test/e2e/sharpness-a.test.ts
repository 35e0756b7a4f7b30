/**
 * The suite catches broken implementations, first half of the subset (test/e2e/sharpness-subset.ts),
 * and the fault table as `lab faults` lists it.
 */
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../harness/env/lab/reference/faults.js';
import { STATEMENT_IDS } from '../../harness/spec/statements.js';
import { cli } from '../support/cli.js';
import { describeSharpness, SHARPNESS_HALVES, SHARPNESS_SUBSET } from './sharpness-subset.js';

describe('the sharpness subset', () => {
  it('lists every fault with the statements it breaks', async () => {
    const { code, stdout } = await cli(['lab', 'faults', '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as Array<{ name: string; statements: string[]; breaks: string }>;
    expect(listed.map((f) => f.name)).toEqual(FAULTS.map((f) => f.name));
    for (const fault of listed) {
      expect(fault.breaks.length).toBeGreaterThan(10);
      for (const id of fault.statements) expect(STATEMENT_IDS.has(id), id).toBe(true);
      for (const id of (fault as { extendedStatements?: string[] }).extendedStatements ?? []) {
        expect(STATEMENT_IDS.has(id), id).toBe(true);
      }
    }
  });

  it('is split in two halves that run each fault once, every one a known fault', () => {
    expect(SHARPNESS_SUBSET).toHaveLength(14);
    expect(new Set(SHARPNESS_SUBSET).size).toBe(SHARPNESS_SUBSET.length);
    for (const half of SHARPNESS_HALVES) expect(half.length).toBeGreaterThan(0);
    const known = new Set<string>(FAULTS.map((f) => f.name));
    for (const name of SHARPNESS_SUBSET) expect(known.has(name), name).toBe(true);
  });
});

describeSharpness(0);
