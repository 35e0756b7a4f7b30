/**
 * "One line, exit 2" where the README promises it (issue #22): a --report-dir that is a file is
 * refused before anything is brought up, and a command without --debug never suggests it.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli } from '../support/cli.js';

// No docker reachable: a regression that brings a lab up fails instead of touching the shared engine.
const NO_DOCKER = { PATH: dirname(process.execPath), DOCKER_HOST: 'unix:///nonexistent/ec-one-line.sock' };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-one-line-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('one line, exit 2', () => {
  it('refuses a --report-dir that is a file before bringing anything up', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const { code, stdout, stderr } = await cli(['run', '--provider', 'lab', '--report-dir', file], {
      env: NO_DOCKER,
    });
    expect(code, stderr).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      `egress-conformance: --report-dir ${file}: not a directory; expected a directory (or a path that does not exist yet)`,
    ]);
    expect(stdout).not.toMatch(/bring-up|lab: up/);
  });

  // Hostile round of issue #22 (M8): a lab was brought up, then six raw ENOTDIR lines.
  it('refuses a --report-dir under a non-directory (/dev/null/x) before bringing anything up', async () => {
    const { code, stdout, stderr } = await cli(['run', '--provider', 'lab', '--report-dir', '/dev/null/x'], {
      env: NO_DOCKER,
    });
    expect(code, stderr).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      'egress-conformance: --report-dir /dev/null/x: /dev/null is not a directory; expected a directory (or a path that can be made)',
    ]);
    expect(stdout).not.toMatch(/bring-up|lab: up/);
  });

  it("refuses --run-test '' naming the empty id", async () => {
    const { code, stderr } = await cli(['run', '--dry-run', '--provider', 'lab', '--run-test', ''], {
      env: NO_DOCKER,
    });
    expect(code, stderr).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      "egress-conformance: --run-test '': an empty scenario id; expected an id (see `egress-conformance list`)",
    ]);
  });

  // Hostile round 5 (F11): an empty --statement or --feature (a CI variable left empty) selected
  // every test, as --run-test '' once did; the same rule for every selection flag.
  it.each([
    [['--statement', ''], "--statement '': an empty statement id; expected an id such as ES-SNAT-1"],
    [['--feature', ''], "--feature '': an empty feature name; expected a name such as NodeLabel"],
    [
      ['--statement', 'ES-SNAT-1,'],
      "--statement 'ES-SNAT-1,': an empty statement id; expected an id such as ES-SNAT-1",
    ],
    [
      ['--skip-tests', ','],
      "--skip-tests ',': an empty scenario id; expected an id (see `egress-conformance list`)",
    ],
    [['--grep', ''], "--grep '': an empty pattern; expected a regular expression"],
    [['--grep-invert', ' '], "--grep-invert ' ': an empty pattern; expected a regular expression"],
  ])('refuses the empty selection %j in one line (round 5)', async (flags, message) => {
    const { code, stderr } = await cli(['run', '--dry-run', '--provider', 'lab', ...flags], {
      env: NO_DOCKER,
    });
    expect(code, stderr).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toEqual([`egress-conformance: ${message}`]);
  });

  // Hostile round of issue #22 (LOW): Number() read 0x10 as 16 and 0x50 as 80.
  it('refuses hexadecimal numbers: --parallel 0x10, report open --port 0x50', async () => {
    const parallel = await cli(
      ['run', '--provider', 'lab', '--parallel', '0x10', '--report-dir', join(dir, 'r')],
      {
        env: NO_DOCKER,
      },
    );
    expect(parallel.code, parallel.stderr).toBe(2);
    expect(parallel.stderr.split('\n').filter(Boolean)).toEqual([
      'egress-conformance: --parallel 0x10: expected a whole number from 1 to 16 in decimal digits (no sign, space or leading zero)',
    ]);
    const report = join(dir, 'report');
    await mkdir(report, { recursive: true });
    await writeFile(join(report, 'index.html'), '<!doctype html>');
    const port = await cli(['report', 'open', report, '--port', '0x50']);
    expect(port.code, port.stderr).toBe(2);
    expect(port.stderr.split('\n').filter(Boolean)).toEqual([
      'egress-conformance: --port 0x50: expected a whole number from 0 to 65535 in decimal digits (no sign, space or leading zero); 0 picks a free port',
    ]);
  });

  // Hostile round of issue #22 (LOW, odd numbers): `--shard 01/02`, `--parallel ' 4'` and
  // `podsReady=1m1m` ran; one grammar for numbers (common/numbers.ts) and durations (spec/duration.ts).
  const WHOLE = 'in decimal digits (no sign, space or leading zero)';
  const DURATION =
    'expected a duration such as 500ms, 30s, 2m or 1m30s (units h, m, s, ms, each at most once and in that order)';
  it.each([
    [['--shard', '01/02'], `--shard 01/02: expected I/N with 1 <= I <= N <= 64 ${WHOLE}, e.g. 2/3`],
    [['--shard', ' 1/2'], `--shard ' 1/2': expected I/N with 1 <= I <= N <= 64 ${WHOLE}, e.g. 2/3`],
    [['--shard', '1/2/2'], `--shard 1/2/2: expected I/N with 1 <= I <= N <= 64 ${WHOLE}, e.g. 2/3`],
    [['--shard', '+1/2'], `--shard +1/2: expected I/N with 1 <= I <= N <= 64 ${WHOLE}, e.g. 2/3`],
    [['--parallel', ' 4'], `--parallel ' 4': expected a whole number from 1 to 16 ${WHOLE}`],
    [['--parallel', '4 '], `--parallel '4 ': expected a whole number from 1 to 16 ${WHOLE}`],
    [['--parallel', '+4'], `--parallel +4: expected a whole number from 1 to 16 ${WHOLE}`],
    [['--parallel', '04'], `--parallel 04: expected a whole number from 1 to 16 ${WHOLE}`],
    [['--retries', '01'], `--retries 01: expected a whole number from 0 to 10 ${WHOLE}`],
    [['--max-failures', '1e1'], `--max-failures 1e1: expected a whole number from 0 to 10000 ${WHOLE}`],
    [['--timeout', 'podsReady=1m1m'], `--timeout podsReady=1m1m: ${DURATION}, found '1m1m'`],
    [['--timeout', 'podsReady=30s1m'], `--timeout podsReady=30s1m: ${DURATION}, found '30s1m'`],
    [['--timeout', 'podsReady=01m'], `--timeout podsReady=01m: ${DURATION}, found '01m'`],
    [['--timeout', 'podsReady= 30s'], `--timeout podsReady= 30s: ${DURATION}, found ' 30s'`],
  ])('refuses the odd number %j in one line naming the flag (hostile round, low)', async (args, line) => {
    const { code, stdout, stderr } = await cli(
      ['run', '--dry-run', '--provider', 'lab', '--run-test', 'snat-loadbalancer-ip', ...args],
      { env: NO_DOCKER },
    );
    expect(code, stderr).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toEqual([`egress-conformance: ${line}`]);
    expect(stdout).toBe('');
  });

  it.each([
    ['parallel: 04', 'parallel: 04'],
    ['retries: +1', 'retries: +1'],
    ['maxFailures: 0x10', 'maxFailures: 0x10'],
    ['parallel: 4.0', 'parallel: 4.0'],
    ['parallel: 1e1', 'parallel: 1e1'],
    ['kind:\n  workers: 0o3', 'kind.workers: 0o3'],
  ])(
    'refuses the options-file number %j in one line naming the field (hostile round, low)',
    async (yaml, said) => {
      const file = join(dir, 'odd-number.yaml');
      await writeFile(file, `${yaml}\n`);
      const { code, stdout, stderr } = await cli(
        [
          'run',
          '--dry-run',
          '--provider',
          'lab',
          '--run-test',
          'snat-loadbalancer-ip',
          '--options-file',
          file,
        ],
        { env: NO_DOCKER },
      );
      expect(code, stderr).toBe(2);
      const line = yaml.split('\n').length;
      expect(stderr.split('\n').filter(Boolean)).toEqual([
        `${file}:${line}: ${said}: expected a whole number in decimal digits (no sign, leading zero, base prefix, exponent or fraction)`,
      ]);
      expect(stdout).toBe('');
    },
  );

  it('refuses an options-file duration with a repeated unit (podsReady: 1m1m) naming the field', async () => {
    const file = join(dir, 'odd-duration.yaml');
    await writeFile(file, 'timeouts:\n  podsReady: 1m1m\n');
    const { code, stderr } = await cli(
      ['run', '--dry-run', '--provider', 'lab', '--run-test', 'snat-loadbalancer-ip', '--options-file', file],
      { env: NO_DOCKER },
    );
    expect(code, stderr).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      `${file}:2: timeouts.podsReady: ${DURATION}, found '1m1m'`,
    ]);
  });

  it('accepts numbers and durations as the grammar writes them', async () => {
    const file = join(dir, 'good-numbers.yaml');
    await writeFile(file, 'parallel: 4\nretries: 0\ntimeouts:\n  podsReady: 1m30s\n  probe: 1.5s\n');
    const { code, stderr } = await cli(
      [
        'run',
        '--dry-run',
        '--provider',
        'lab',
        '--run-test',
        'snat-loadbalancer-ip',
        '--options-file',
        file,
        '--shard',
        '1/1',
        '--timeout',
        'placement=1h2m3s4ms',
      ],
      { env: NO_DOCKER },
    );
    expect(code, stderr).toBe(0);
  });

  // Hostile round of issue #22 (LOW): two entries for one rule and spec were both accepted.
  it('refuses a repeated scopeExceptions entry in one line naming it', async () => {
    const file = join(dir, 'duplicate-exception.yaml');
    await writeFile(
      file,
      [
        'scopeExceptions:',
        '  - { rule: external-ips, spec: snat-loadbalancer-ip, reason: "first" }',
        '  - { rule: load, spec: snat-loadbalancer-ip, reason: "another rule" }',
        '  - { rule: external-ips, spec: snat-loadbalancer-ip, reason: "again" }',
        '',
      ].join('\n'),
    );
    for (const args of [
      ['run', '--dry-run', '--provider', 'lab', '--run-test', 'snat-loadbalancer-ip'],
      ['validate'],
    ]) {
      const { code, stdout, stderr } = await cli([...args, '--options-file', file], { env: NO_DOCKER });
      expect(code, stderr).toBe(2);
      expect(stderr.split('\n').filter(Boolean)).toEqual([
        `${file}:4: scopeExceptions[2]: a second exception of rule external-ips for spec snat-loadbalancer-ip (the first is scopeExceptions[0]); expected each rule and spec once`,
      ]);
      expect(stdout).toBe('');
    }
  });

  it('list --suites / (a tree it cannot walk) is one line, exit 2, with no --debug hint (list has no --debug)', async () => {
    const { code, stdout, stderr } = await cli(['list', '--no-cache', '--suites', '/'], { timeout: 60_000 });
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^egress-conformance: --suites \/: (cannot read every folder under it|.*spec files, over the limit)/,
    );
    expect(stderr).not.toContain('--debug');
  });

  it('list --suites over an unreadable folder is one line, exit 2, naming it', async () => {
    // A folder others cannot read; as root (who reads every folder) the CLI runs as nobody.
    const root = join(dir, 'unreadable');
    await mkdir(join(root, 'suites', 'locked'), { recursive: true });
    await chmod(dir, 0o755);
    await chmod(join(root, 'suites', 'locked'), 0o000);
    const asNobody = process.getuid?.() === 0;
    const argv = [CLI, 'list', '--no-cache', '--suites', join(root, 'suites')];
    const result = asNobody
      ? await execa(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            'env',
            'HOME=/nonexistent',
            process.execPath,
            ...argv,
          ],
          { reject: false },
        )
      : await execa(process.execPath, argv, { reject: false });
    await chmod(join(root, 'suites', 'locked'), 0o755);
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `egress-conformance: --suites ${join(root, 'suites')}: cannot read every folder under it (${join(root, 'suites', 'locked')}): permission denied`,
    ]);
  });

  // Hostile round of issue #22 (LOW): testcontainers fell back to /var/run/docker.sock when
  // DOCKER_HOST named a missing socket, so `status`/`down` acted on the local engine unannounced.
  it.each([
    [['status', '--provider', 'lab']],
    [['down', '--provider', 'lab', '--all']],
    [['up', '--provider', 'lab']],
    [['run', '--provider', 'lab', '--family', 'ipv4', '--report-dir', 'unused-report-dir']],
  ])(
    'a DOCKER_HOST naming a missing socket is one line naming it, exit 2, never the local engine (%j)',
    async (args) => {
      const { code, stdout, stderr } = await cli(args, { cwd: dir, env: NO_DOCKER });
      expect(code, stderr).toBe(2);
      expect(stderr.split('\n').filter(Boolean)).toEqual([
        "egress-conformance: DOCKER_HOST unix:///nonexistent/ec-one-line.sock: no such socket; expected the Docker engine's socket (unset DOCKER_HOST to use the local engine)",
      ]);
      expect(stdout).not.toMatch(/eclab-|bring-up|lab: up|images/);
    },
  );

  it.each([
    [['up', '--provider', 'lab']],
    [['run', '--provider', 'lab', '--family', 'ipv4', '--report-dir', 'unused-report-dir']],
  ])('a bad EC_LAB_IMAGE_PREFIX is one line, exit 2, before anything is brought up (%j)', async (args) => {
    const { code, stdout, stderr } = await cli(args, {
      cwd: dir,
      env: { ...NO_DOCKER, EC_LAB_IMAGE_PREFIX: 'Bad Prefix\u001b[31m' },
    });
    expect(code, stderr).toBe(2);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^egress-conformance: EC_LAB_IMAGE_PREFIX "Bad Prefix\\u001b\[31m": expected a docker repository path/,
    );
    expect(stdout).not.toMatch(/bring-up|lab: up|images/);
  });

  it.each([
    [['up', '--provider', 'lab']],
    [['run', '--provider', 'lab', '--family', 'ipv4', '--report-dir', 'unused-report-dir']],
  ])('a bad EC_LAB_KEPT_POOL is one line, exit 2, before anything is brought up (%j)', async (args) => {
    const { code, stdout, stderr } = await cli(args, {
      cwd: dir,
      env: { ...NO_DOCKER, EC_LAB_KEPT_POOL: 'Not A Pool' },
    });
    expect(code, stderr).toBe(2);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toBe(
      `egress-conformance: EC_LAB_KEPT_POOL "Not A Pool": expected 1-40 characters of a-z, 0-9 and '-', starting alphanumeric`,
    );
    expect(stdout).not.toMatch(/bring-up|lab: up|images/);
  });
});
