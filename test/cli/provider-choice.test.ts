/**
 * `up` and `run` choose the environment the same way (issue #23): both default to `auto`, print
 * what they chose, and `up` ends with the command to run next. A kept lab passed over is named
 * with the reason.
 */
import { describe, expect, it } from 'vitest';
import { nextCommand } from '../../harness/cli/commands/environment.js';
import { requestedProvider } from '../../harness/cli/provider-choice.js';
import { KEPT_RUN, keptLabShapeMismatch, keptRunLabel } from '../../harness/env/lab/provider.js';
import { cli } from '../support/cli.js';

/** The lines that say which provider was chosen. */
function choiceLines(output: string): string[] {
  return output.split('\n').filter((line) => /^provider( auto)?: /.test(line) || line.startsWith('NOTE: '));
}

describe('the environment up and run choose', () => {
  it('is chosen by the same rule and printed alike when neither names a provider', async () => {
    const [up, run] = await Promise.all([
      cli(['up', '--dry-run', '--family', 'ipv4']),
      cli(['run', '--dry-run', '--family', 'ipv4', '--run-test', 'snat-loadbalancer-ip']),
    ]);
    const upChoice = choiceLines(`${up.stdout}\n${up.stderr}`);
    const runChoice = choiceLines(`${run.stdout}\n${run.stderr}`);
    // This host cannot run kind (no openvswitch module): both say so and take the lab.
    expect(upChoice[0]).toMatch(
      /^provider auto: kind cannot run on this host \(.+\); using the embedded reference lab\.$/,
    );
    expect(upChoice).toEqual(runChoice);
    expect(run.code, run.stderr).toBe(0);
  }, 60_000);

  it('is the named one, printed, when a provider is named', async () => {
    const up = await cli(['up', '--provider', 'lab', '--dry-run']);
    expect(choiceLines(up.stdout)).toEqual(['provider: lab']);
    // The lab has no bring-up plan to print: one line, exit 2 (after the choice was said).
    expect(up.code).toBe(2);
    expect(up.stderr).toBe('egress-conformance: --dry-run: the lab provider has no bring-up plan to print');
  });

  it('takes the flag, then the options file, then auto', () => {
    expect(requestedProvider('kind', 'lab')).toBe('kind');
    expect(requestedProvider(undefined, 'existing')).toBe('existing');
    expect(requestedProvider(undefined, undefined)).toBe('auto');
  });
});

describe("up's next command", () => {
  it('is run with the same provider, families and options file, quoted for a shell', () => {
    expect(nextCommand('lab', {})).toBe('egress-conformance run --provider lab');
    expect(nextCommand('kind', { family: 'ipv6', optionsFile: 'ci/kind.yaml' })).toBe(
      'egress-conformance run --provider kind --family ipv6 --options-file ci/kind.yaml',
    );
    expect(nextCommand('lab', { optionsFile: "my opts's.yaml" })).toBe(
      `egress-conformance run --provider lab --options-file 'my opts'\\''s.yaml'`,
    );
  });
});

describe('a kept lab of another shape', () => {
  const networks = 3;
  it('is passed over with the reason a run brings up a lab of its own', () => {
    const kept = { nodes: 3, families: ['ipv4', 'ipv6'] as const, networks };
    expect(keptLabShapeMismatch(kept, { nodes: 3, families: ['ipv4', 'ipv6'] })).toBeUndefined();
    expect(keptLabShapeMismatch(kept, { nodes: 3, families: ['ipv4'] })).toBe(
      'it has ipv4+ipv6; this run needs ipv4',
    );
    expect(keptLabShapeMismatch(kept, { nodes: 4, families: ['ipv4', 'ipv6'] })).toBe(
      'it has 3 nodes; this run needs 4',
    );
    expect(keptLabShapeMismatch({ ...kept, networks: 2 }, { nodes: 3, families: ['ipv4', 'ipv6'] })).toBe(
      'it has 2 networks, made by an older version; this run needs 3',
    );
  });
});

describe('the kept-lab pool (EC_LAB_KEPT_POOL)', () => {
  it('labels the labs a process keeps, and so the only kept labs it reuses and removes', () => {
    expect(keptRunLabel(undefined)).toBe(KEPT_RUN);
    expect(keptRunLabel('')).toBe(KEPT_RUN);
    expect(keptRunLabel('vt-1a2b')).toBe('kept-vt-1a2b');
    // Two pools never share a label, nor does a pool with the common one.
    expect(keptRunLabel('a')).not.toBe(keptRunLabel('b'));
    expect(keptRunLabel('a')).not.toBe(keptRunLabel(undefined));
  });

  it.each(['Upper', '-lead', 'a b', 'x'.repeat(41), 'a\u001b[31m'])('refuses %j in one line', (pool) => {
    expect(() => keptRunLabel(pool)).toThrow(
      /^EC_LAB_KEPT_POOL ".*": expected 1-40 characters of a-z, 0-9 and '-', starting alphanumeric$/,
    );
  });
});
