/**
 * The `kind:` section of the options file: every problem on one line naming `kind.<field>` and
 * what was expected, exit 2, nothing run — checked through the CLI as a user meets it, and on
 * the parser for each kind of problem.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/common/errors.js';
import { parseKindSettings } from '../../harness/env/kind/settings.js';
import { cli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ec-kind-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function optionsFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const message = (settings: Record<string, unknown>): string => {
  try {
    parseKindSettings(settings);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('kind settings', () => {
  it('refuses a bad kind: section through the CLI with one line, exit 2, before anything runs', async () => {
    const bad = optionsFile('bad.yaml', 'provider: kind\nkind:\n  gatwayMode: local\n  workers: "3"\n');
    const result = await cli(['run', '--provider', 'kind', '--dry-run', '--options-file', bad]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `egress-conformance: --options-file ${bad}: kind.gatwayMode: unknown field; expected one of ` +
        'pinSet, id, families, gatewayMode, metallbMode, workers, secondaryNetwork, tertiaryNetwork, networkRouting, versions, images, ovnKubernetes, ' +
        'metallb, loadImages, networks, bgpPassword, workDir; kind.workers: expected a number, got the string "3"',
    );
    expect(result.stdout).not.toContain('# kind environment');
    expect(result.stderr).not.toMatch(/\bat \S+\.js:\d+/);
  });

  it('refuses it for up as well', async () => {
    const bad = optionsFile('bad-up.yaml', 'kind:\n  metallbMode: native\n');
    const result = await cli(['up', '--provider', 'kind', '--dry-run', '--options-file', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `egress-conformance: --options-file ${bad}: kind.metallbMode: expected one of frr-k8s, frr, got the string "native"`,
    );
  });

  it('names wrong types, values, sizes and formats, nested fields included', () => {
    expect(message({ gatewayMode: 'lokal' })).toBe(
      'kind.gatewayMode: expected one of shared, local, got the string "lokal"',
    );
    expect(message({ workers: 2.5 })).toBe('kind.workers: expected an integer, got number 2.5');
    expect(message({ workers: 9 })).toBe('kind.workers: expected at most 4, got number 9');
    expect(message({ families: [] })).toBe('kind.families: expected at least 1 entry, got a list');
    expect(message({ families: ['ipv5'] })).toBe(
      'kind.families[0]: expected one of ipv4, ipv6, got the string "ipv5"',
    );
    expect(message({ images: { nodee: 'x' } })).toMatch(
      /^kind\.images\.nodee: unknown field; expected one of node, /,
    );
    expect(message({ networks: { cluster: { ipv4: '10.0.0.0/16' } } })).toBe(
      'kind.networks.cluster.ipv4: expected an IPv4 /24 such as 10.212.0.0/24, got the string "10.0.0.0/16"; ' +
        'kind.networks.cluster.ipv6: missing; expected a string',
    );
    expect(message({ id: 'A' })).toBe(
      'kind.id: expected lowercase letters, digits and dashes, 3 to 20 characters, got the string "A"',
    );
    expect(message({ secondaryNetwork: 'yes' })).toBe(
      'kind.secondaryNetwork: expected true or false, got the string "yes"',
    );
  });

  it('accepts good settings', () => {
    expect(() => parseKindSettings({ gatewayMode: 'local', metallbMode: 'frr' })).not.toThrow();
  });
});
