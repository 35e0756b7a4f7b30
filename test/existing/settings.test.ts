/** The `existing:` section of the options file: one line naming `existing.<field>`, exit 2. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExistingSettings } from '../../harness/env/existing/settings.js';
import { cli } from '../support/cli.js';

const message = (settings: Record<string, unknown>): string => {
  try {
    parseExistingSettings(settings);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('existing settings', () => {
  it('refuses a bad existing: section through the CLI with one line and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ec-existing-settings-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'existing:\n  kubeconfg: /tmp/k\n  peer: { mode: container, addresses: { ipv4: 192.0.2.10 }, asn: "64500" }\n',
    );
    const result = await cli(['run', '--provider', 'existing', '--dry-run', '--options-file', file]);
    rmSync(dir, { recursive: true, force: true });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^egress-conformance: --options-file ${file}: existing\\.kubeconfg: unknown field; expected one of kubeconfig, context, .*; existing\\.peer\\.asn: expected a number, got the string "64500"$`,
        ),
      ),
    ]);
  });

  it("names the field of a rule that depends on the peer's mode", () => {
    expect(message({ peer: { mode: 'container', addresses: { ipv4: '192.0.2.10' }, asn: 64500 } })).toBe(
      'existing.peer.dockerNetwork: required in container mode: the docker network the nodes reach',
    );
    expect(message({ peer: { mode: 'tunnel', addresses: {}, asn: 1 } })).toBe(
      'existing.peer.mode: expected one of container, host, got the string "tunnel"',
    );
    expect(message({})).toBe('existing.peer: missing; expected a mapping');
  });
});
