/** The sharpness matrix and which scenarios a fault runs: pure parts of scripts/sharpness.ts. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULTS, type FaultDefinition } from '../../harness/env/lab/reference/faults.js';
import {
  caught,
  combineParallelism,
  expectedStatements,
  type FaultOutcome,
  labDataPlaneOf,
  onDataPlane,
  profileFor,
  renderMatrix,
} from '../../scripts/sharpness.js';

const fault = (name: string): FaultDefinition => {
  const found = FAULTS.find((f) => f.name === name);
  if (!found) throw new Error(`no fault ${name}`);
  return found;
};

const outcome = (name: string, failed: string[], exitCode = 1, missed: string[] = []): FaultOutcome => ({
  fault: name,
  exitCode,
  failed,
  missed,
  messages: [],
});

describe('sharpness', () => {
  it('runs an extended-only fault against the extended scenarios, a core fault against the asked profile', () => {
    expect(profileFor(fault('no-failover'), 'core')).toBe('extended');
    expect(profileFor(fault('no-failover'), 'all')).toBe('all');
    expect(profileFor(fault('no-snat'), 'core')).toBe('core');
    expect(expectedStatements(fault('no-failover'), 'core')).toEqual(['ES-FAIL-1']);
    expect(expectedStatements(fault('no-snat'), 'core')).toEqual(['ES-SNAT-1']);
  });

  it('counts a fault caught only when every expected statement failed and the run exited 1', () => {
    const f = fault('network-announced-not-routed');
    expect(caught(outcome(f.name, ['ES-NET-1', 'ES-NET-3']))).toBe(true);
    expect(caught(outcome(f.name, ['ES-NET-1'], 1, ['ES-NET-3']))).toBe(false);
    expect(caught(outcome(f.name, ['ES-NET-1', 'ES-NET-3'], 0))).toBe(false);
    // A provisional statement's failure is reported but never fails the run...
    const leak = fault('long-leak-window');
    expect(caught(outcome(leak.name, ['ES-LEAK-1'], 0))).toBe(true);
    expect(caught(outcome(leak.name, ['ES-LEAK-1'], 1))).toBe(false);
    // ...while a counted statement the fault breaks too does.
    expect(caught(outcome(leak.name, ['ES-LEAK-1', 'ES-NET-2'], 1))).toBe(true);
  });

  it('marks caught, MISSED, also and pass, and leaves cells blank that a run did not check', () => {
    const text = renderMatrix(
      [
        outcome('conformant', [], 0),
        outcome('no-snat', ['ES-SNAT-1', 'ES-SNAT-2']),
        outcome('no-failover', [], 1, ['ES-FAIL-1']),
      ],
      'core',
    );
    const [header, , conformant, noSnat, noFailover] = text.split('\n');
    const columns = (header ?? '').split('|').map((c) => c.trim());
    const cell = (row: string | undefined, statement: string) =>
      (row ?? '').split('|')[columns.indexOf(statement)]?.trim();
    // Core columns, plus the extended ones: an extended-only fault ran the extended scenarios.
    expect(columns).toContain('SNAT-1');
    expect(columns).toContain('FAIL-1');
    expect(columns).toContain('NET-1');
    expect(cell(conformant, 'SNAT-1')).toBe('pass');
    expect(cell(noSnat, 'SNAT-1')).toBe('caught');
    expect(cell(noSnat, 'SNAT-2')).toBe('also');
    expect(cell(noSnat, 'LIFE-1')).toBe('-');
    expect(cell(noSnat, 'FAIL-1')).toBe('');
    expect(cell(noFailover, 'FAIL-1')).toBe('MISSED');
    expect(cell(noFailover, 'SNAT-1')).toBe('');
  });
});

describe('sharpness matrix of core faults only', () => {
  it('has the core statements alone', () => {
    const header = renderMatrix([outcome('conformant', [], 0), outcome('no-snat', ['ES-SNAT-1'])], 'core')
      .split('\n')[0]
      ?.split('|')
      .map((c) => c.trim());
    expect(header).toContain('SNAT-1');
    expect(header).not.toContain('FAIL-1');
  });
});

describe('sharpness matrix cells for skipped statements', () => {
  it('says skip, not pass, where every test of a statement was skipped', () => {
    const rows = renderMatrix(
      [{ ...outcome('conformant', [], 0), profile: 'all', skipped: ['ES-EIP-1'] }],
      'core',
    ).split('\n');
    const columns = (rows[0] ?? '').split('|').map((c) => c.trim());
    const cells = (rows[2] ?? '').split('|').map((c) => c.trim());
    expect(cells[columns.indexOf('EIP-1')]).toBe('skip');
    expect(cells[columns.indexOf('FAIL-1')]).toBe('pass');
  });
});

describe('sharpness with --serial: the verdict must not depend on parallelism', () => {
  const name = 'service-lookup-by-name';
  it('counts a statement failed only when the side-by-side and the one-at-a-time runs both failed it', () => {
    // Caught only while tests overlap: side by side ES-LIFE-5 and ES-ISO-1 fail, alone only ES-LIFE-5.
    const sideBySide = outcome(name, ['ES-ISO-1', 'ES-LIFE-5']);
    const serial = outcome(name, ['ES-LIFE-5'], 1, ['ES-ISO-1']);
    const combined = combineParallelism(sideBySide, serial);
    expect(combined.failed).toEqual(['ES-LIFE-5']);
    expect(combined.missed).toEqual(['ES-ISO-1']);
    expect(combined.parallelismDependent).toEqual(['ES-ISO-1']);
    expect(caught(combined)).toBe(false);
    const rows = renderMatrix([combined], 'core').split('\n');
    const columns = (rows[0] ?? '').split('|').map((c) => c.trim());
    const cells = (rows[2] ?? '').split('|').map((c) => c.trim());
    expect(cells[columns.indexOf('ISO-1')]).toBe('OVERLAP');
    expect(cells[columns.indexOf('LIFE-5')]).toBe('also');
    // Caught in both: caught, and the one-at-a-time run's messages are told apart.
    const both = combineParallelism(
      { ...outcome(name, ['ES-ISO-1']), messages: ['a'] },
      { ...outcome(name, ['ES-ISO-1']), messages: ['b'] },
    );
    expect(caught(both)).toBe(true);
    expect(both.messages).toEqual(['a', '[--parallel 1] b']);
  });
  it('fails the conformant baseline when either run failed', () => {
    const combined = combineParallelism(
      outcome('conformant', [], 0),
      outcome('conformant', ['ES-SNAT-6'], 1),
    );
    expect(combined.exitCode).toBe(1);
    expect(combined.failed).toEqual([]);
    expect(combined.parallelismDependent).toEqual(['ES-SNAT-6']);
  });
});

describe('sharpness on a data plane', () => {
  it("reads the data plane from the runs' options file, linux without one", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ec-sharpness-plane-'));
    try {
      const ovn = join(dir, 'ovn.yaml');
      await writeFile(ovn, 'lab:\n  dataPlane: ovn\n');
      const plain = join(dir, 'plain.yaml');
      await writeFile(plain, 'lab:\n  nodes: 3\n');
      expect(await labDataPlaneOf(['--family', 'ipv4', '--options-file', ovn])).toBe('ovn');
      expect(await labDataPlaneOf(['--options-file', plain])).toBe('linux');
      expect(await labDataPlaneOf(['--family', 'ipv4'])).toBe('linux');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs an OVN fault only on the OVN data plane, every other fault on both', () => {
    const ovnFaults = FAULTS.filter((f) => (f as FaultDefinition).dataPlane === 'ovn').map((f) => f.name);
    expect(ovnFaults).toEqual([
      'ovn-reroute-above-no-reroute',
      'ovn-no-pod-no-reroute',
      'ovn-snat-on-gateway-router',
    ]);
    expect(onDataPlane(fault('ovn-no-pod-no-reroute'), 'linux')).toBe(false);
    expect(onDataPlane(fault('ovn-no-pod-no-reroute'), 'ovn')).toBe(true);
    expect(onDataPlane(fault('no-snat'), 'linux')).toBe(true);
    expect(onDataPlane(fault('no-snat'), 'ovn')).toBe(true);
  });
});
