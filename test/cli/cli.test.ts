import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, uncoveredStatements } from '../../harness/spec/catalogue.js';
import { cli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** No stack trace and nothing but one line per problem. */
function expectCleanError(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  expect(stderr).not.toContain('Error:');
}

describe('egress-conformance CLI', () => {
  it.each([['list'], ['validate'], ['run'], ['up'], ['down'], ['status'], ['pcap', 'summary']])(
    '%s --help exits 0 and describes the command',
    async (...command) => {
      const { code, stdout } = await cli([...command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: egress-conformance /);
    },
  );

  it('lists the catalogue as JSON', async () => {
    const { code, stdout } = await cli(['list', '--json']);
    expect(code).toBe(0);
    const scenarios = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(scenarios.length).toBeGreaterThanOrEqual(9);
    for (const s of scenarios) {
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['id', 'title', 'profile', 'features', 'statements']),
      );
    }
    expect(scenarios.find((s) => s.id === 'snat-loadbalancer-ip')).toMatchObject({
      profile: 'core',
      statements: ['ES-SNAT-1', 'ES-SNAT-2'],
    });
  });

  it('lists the catalogue as a table; the shipped one covers every statement', async () => {
    const { code, stdout } = await cli(['list']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^snat-loadbalancer-ip {2}\[core\] SourceIPLoadBalancer {2}ES-SNAT-1, ES-SNAT-2$/m,
    );
    expect(uncoveredStatements((await loadCatalogue(undefined)).scenarios)).toEqual([]);
    expect(stdout).not.toContain('Not yet covered');
  });

  it('names the statements no scenario of a suites folder covers', async () => {
    // One shipped spec and the shipped fixtures: every other statement is uncovered.
    const suites = join(dir, 'one-spec');
    await cp(resolve('suites/fixtures'), join(suites, 'fixtures'), { recursive: true });
    await cp(resolve('suites/core/snat-loadbalancer-ip.yaml'), join(suites, 'snat-loadbalancer-ip.yaml'));
    const { code, stdout } = await cli(['list', '--suites', suites]);
    expect(code).toBe(0);
    const uncovered = uncoveredStatements((await loadCatalogue(undefined, suites)).scenarios);
    expect(uncovered.map((s) => s.id)).toContain('ES-LIFE-1');
    expect(uncovered.map((s) => s.id)).not.toContain('ES-SNAT-1');
    expect(stdout).toContain('Not yet covered by a scenario (the statements in full: docs/behaviour.md):');
    for (const s of uncovered) {
      expect(stdout).toMatch(new RegExp(`^ {2}${s.id} +\\[${s.profile}\\] ${s.feature} {2}\\S`, 'm'));
    }
  });

  it('validates the shipped suites', async () => {
    const { code, stdout } = await cli(['validate']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+ scenario spec\(s\) valid\.$/);
  });

  it('rejects invalid specs with one FILE:LINE line each and exit 2', async () => {
    await writeFile(join(dir, 'empty.yaml'), '');
    await writeFile(join(dir, 'syntax.yaml'), 'id: x\ntitle: [unclosed\n');
    await writeFile(
      join(dir, 'fields.yaml'),
      'id: x\ntitle: t\nstatements: [ES-NOPE-1]\nprofile: core\nfeatures: [Lifecycle]\ncolour: blue\nmanifests: {}\nsteps: [{ jump: {} }]\n',
    );
    const { code, stdout, stderr } = await cli(['validate', 'empty.yaml', 'syntax.yaml', 'fields.yaml'], {
      cwd: dir,
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expectCleanError(stderr);
    const lines = stderr.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^(empty|syntax|fields)\.yaml:\d+: /);
    expect(lines).toContain('empty.yaml:1: empty file: expected a scenario spec (a YAML mapping)');
    expect(lines.some((l) => /^syntax\.yaml:\d+: YAML syntax error/.test(l))).toBe(true);
    expect(lines).toContain("fields.yaml:6: colour: unknown field 'colour'");
    expect(lines.some((l) => l.startsWith('fields.yaml:3: statements[0]: expected a statement ID'))).toBe(
      true,
    );
    expect(lines.some((l) => l.startsWith("fields.yaml:8: steps[0].jump: unknown step kind 'jump'"))).toBe(
      true,
    );
  });

  it('rejects a startController without an earlier stopController in one line, exit 2', async () => {
    const spec = await readFile(
      join(process.cwd(), 'suites/core/lifecycle-delete-across-restart.yaml'),
      'utf8',
    );
    await writeFile(join(dir, 'restart.yaml'), spec.replace('  - stopController: {}\n', ''));
    const { code, stdout, stderr } = await cli(['validate', 'restart.yaml'], { cwd: dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expectCleanError(stderr);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^restart\.yaml:\d+: steps\[\d+\]\.startController: startController: expected an earlier stopController/,
      ),
    ]);
  });

  it('says so in one line when a spec file does not exist', async () => {
    const { code, stderr } = await cli(['validate', 'nope.yaml'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('nope.yaml:1: cannot read: no such file');
  });

  it('prints the objects and steps of every scenario and family on a dry run, creating nothing', async () => {
    const { code, stdout, stderr } = await cli([
      'run',
      '--dry-run',
      '--provider',
      'lab',
      '--report-dir',
      join(dir, 'r'),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The options dump is for --verbose and --debug only.
    expect(stdout).not.toContain('effective options:');
    expect(stdout).toMatch(
      /=== snat-loadbalancer-ip \[ipv4\] namespace ec-[0-9a-f]{6}-snat-loadbalancer-ip-v4/,
    );
    expect(stdout).toMatch(
      /=== snat-loadbalancer-ip \[ipv6\] namespace ec-[0-9a-f]{6}-snat-loadbalancer-ip-v6/,
    );
    expect(stdout).toContain('kind: EgressService');
    expect(stdout).toMatch(/addresses:\n\s+- 203\.0\.113\.\d+\/32/);
    expect(stdout).toMatch(/1\. apply: \["pool","advertisement","deployment","service","egress-service"\]/);
    expect(stdout).not.toContain('${');
  });

  it('rejects an unknown test id, timeout name and option with exit 2 and one line', async () => {
    for (const args of [
      ['run', '--dry-run', '--provider', 'lab', '--run-test', 'no-such-test'],
      ['run', '--dry-run', '--provider', 'lab', '--timeout', 'placment=10s'],
      ['run', '--dry-run', '--provider', 'lab', '--timeout', 'placement=soon'],
      ['run', '--provider', 'moon'],
      ['run', '--frobnicate'],
      ['explode'],
    ]) {
      const { code, stderr } = await cli(args);
      expect(code, args.join(' ')).toBe(2);
      expectCleanError(stderr);
      expect(stderr.trim().split('\n')[0]).toMatch(/^(egress-conformance: |error: )/);
    }
  });

  it('run control through the CLI: --grep selects, a near-miss id gets "did you mean", a bad count is exit 2', async () => {
    const grep = await cli([
      'run',
      '--dry-run',
      '--provider',
      'lab',
      '--family',
      'ipv4',
      '-g',
      '^snat-loadbalancer-ip ',
    ]);
    expect(grep.code, grep.stderr).toBe(0);
    expect(grep.stdout).toMatch(/^=== snat-loadbalancer-ip \[ipv4\] namespace/m);
    expect(grep.stdout.match(/^=== \S+ \[ipv4\] namespace \S+$/gm)).toHaveLength(1);
    const near = await cli(['run', '--dry-run', '--provider', 'lab', '--run-test', 'snat-loadbalancer-i']);
    expect(near.code).toBe(2);
    expectCleanError(near.stderr);
    expect(near.stderr).toContain('did you mean snat-loadbalancer-ip?');
    const retries = await cli(['run', '--dry-run', '--provider', 'lab', '--retries', 'two']);
    expect(retries.code).toBe(2);
    expect(retries.stderr).toContain('--retries two: expected a whole number from 0 to 10');
  });

  it('reads an options file, lets flags override it, and names the bad field of a bad one', async () => {
    const good = join(dir, 'options.yaml');
    await writeFile(
      good,
      'provider: lab\nprofile: core\nfamily: ipv6\ntimeouts: { placement: 2m }\nexisting: { bgpPassword: s3cret }\n',
    );
    const ok = await cli(['run', '--dry-run', '--options-file', good, '--family', 'ipv4', '--verbose']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/family: ipv4/);
    expect(ok.stdout).toMatch(/placement: 120000/);
    expect(ok.stdout).not.toContain('s3cret');
    expect(ok.stdout).toContain('bgpPassword: <redacted>');
    // No IPv6 test runs; the lab's IPv6 tests are listed as not selected (they count in M).
    expect(ok.stdout).not.toMatch(/\[ipv6\] namespace \S+$/m);
    expect(ok.stdout).toMatch(/\[ipv6\] namespace \S+: skipped \(not-selected: --family ipv4\)$/m);

    const bad = join(dir, 'bad-options.yaml');
    await writeFile(bad, 'provider: lab\nprofil: core\n');
    const result = await cli(['run', '--dry-run', '--options-file', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`${bad}:2: profil: unknown field 'profil'`);
  });
});
