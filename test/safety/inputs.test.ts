/**
 * Inputs that crashed, hung or misled the CLI (issue #12), one regression test each, run against
 * the built CLI as a user runs it. Every refusal is one line naming the file, field or flag, exit 2,
 * no stack; nothing blocks. (EC_CLI=<an older build> shows them failing there.)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { specText } from './hostile-specs.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-inputs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One line on stderr, no stack trace; returns it. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |Error:/);
  return lines[0] as string;
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

/** `count` nested flow mappings: `a: {a: {a: ... 1}}`. */
const deep = (count: number) => `a: ${'{a: '.repeat(count)}1${'}'.repeat(count)}\n`;
/** The classic billion-laughs document (nine levels of ten aliases each). */
function aliasBomb(): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

const SPEC = specText('plain', {});
const dryRun = (...args: string[]) =>
  cli(['run', '--dry-run', '--provider', 'lab', ...args], { timeout: 30_000 });

describe('YAML that exhausted the parser', () => {
  it('refuses an alias bomb in a spec and in an options file, naming the file and line', async () => {
    const spec = await file('bomb/spec.yaml', `${SPEC}${aliasBomb()}`);
    const validated = await cli(['validate', spec]);
    expect(validated.code).toBe(2);
    expect(oneLine(validated.stderr)).toMatch(/spec\.yaml:\d+: .*alias/i);
    const options = await file('bomb-options.yaml', `keep: false\n${aliasBomb()}`);
    const run = await dryRun('--options-file', options);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/bomb-options\.yaml:\d+: .*alias/i);
  });

  it('refuses a 2,000-deep mapping in a spec and in an options file', async () => {
    const spec = await file('deep/spec.yaml', `${SPEC}${deep(2000)}`);
    const validated = await cli(['validate', spec]);
    expect(validated.code).toBe(2);
    expect(oneLine(validated.stderr)).toMatch(/spec\.yaml:\d+: nested more than 64 levels deep/);
    const options = await file('deep-options.yaml', deep(2000));
    const run = await dryRun('--options-file', options);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/deep-options\.yaml:\d+: nested more than 64 levels deep/);
  });
});

describe('timeouts', () => {
  it.each([
    ['scenario=9999h', /--timeout scenario=9999h: scenario must be from 1ms to 24h/],
    ['placement=0s', /--timeout placement=0s: placement must be from 1ms to 24h/],
    ['negativeWindow=500ms', /negativeWindow must be from 1s to 24h/],
    ['placement=1s=2s', /--timeout placement=1s=2s: expected a duration/],
  ])('refuses --timeout %s', async (value, message) => {
    const { code, stderr } = await dryRun('--timeout', value);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(message);
  });

  it('refuses out-of-bounds timeouts in an options file and in a spec, with the field', async () => {
    const options = await file('timeouts.yaml', 'timeouts:\n  scenario: 9999h\n');
    const run = await dryRun('--options-file', options);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(
      /timeouts\.yaml:2: timeouts\.scenario: scenario must be from 1ms to 24h/,
    );
    const spec = await file(
      'spec-timeouts/spec.yaml',
      SPEC.replace('manifests:', 'timeouts: { negativeWindow: 0s }\nmanifests:'),
    );
    const validated = await cli(['validate', spec]);
    expect(validated.code).toBe(2);
    expect(oneLine(validated.stderr)).toMatch(
      /spec\.yaml:6: timeouts\.negativeWindow: negativeWindow must be from 1s/,
    );
  });
});

describe('what validate passes, the dry run renders', () => {
  it.each([
    [
      'a variable in a mapping key',
      'data: { "${nope}": x }',
      /spec\.yaml:7: manifests\.m\.data\.\$\{nope\}: unknown template variable \$\{nope\}/,
    ],
    [
      'a node beyond requires.nodes',
      'data: { node: "${nodes.9}" }',
      /names node 9, but requires\.nodes is 1/,
    ],
    [
      'an undeclared namespace',
      'data: { ns: "${namespaces.other}" }',
      /names namespace 'other', which requires\.namespaces does not declare/,
    ],
  ])('refuses %s at validation', async (_what, data, message) => {
    const spec = await file(
      `vars-${_what.replace(/\W+/g, '-')}/spec.yaml`,
      specText('vars', {
        manifest: `{ apiVersion: v1, kind: ConfigMap, metadata: { name: c, namespace: "\${namespace}" }, ${data} }`,
      }),
    );
    const validated = await cli(['validate', spec]);
    expect(validated.code).toBe(2);
    expect(oneLine(validated.stderr)).toMatch(message);
  });
});

describe('namespaces', () => {
  it('gives two ids that differ only after 50 characters different namespaces in one run', async () => {
    const stem = 'a-very-long-scenario-identifier-that-goes-on-and-on-and';
    const suites = join(dir, 'long-ids');
    await file('long-ids/one.yaml', specText(`${stem}-one`, {}));
    await file('long-ids/two.yaml', specText(`${stem}-two`, {}));
    const { code, stdout } = await dryRun('--suites', suites, '--family', 'ipv4');
    expect(code).toBe(0);
    const namespaces = [...stdout.matchAll(/^=== \S+ \[ipv4\] namespace (\S+)$/gm)].map(
      (m) => m[1] as string,
    );
    expect(namespaces).toHaveLength(2);
    expect(new Set(namespaces).size).toBe(2);
    for (const namespace of namespaces) expect(namespace.length).toBeLessThanOrEqual(63);
  });
});

describe('suites folders and spec files', () => {
  it('refuses a missing --suites folder with one line, for validate and run', async () => {
    const missing = join(dir, 'no-such-suites');
    for (const args of [
      ['validate', '--suites', missing],
      ['run', '--dry-run', '--provider', 'lab', '--suites', missing],
    ]) {
      const { code, stderr } = await cli(args);
      expect(code).toBe(2);
      expect(oneLine(stderr)).toBe(`egress-conformance: --suites ${missing}: no such directory`);
    }
  });

  it('refuses an empty --suites folder instead of "0 scenario spec(s) valid"', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });
    const { code, stdout, stderr } = await cli(['validate', '--suites', join(dir, 'empty')]);
    expect(code).toBe(2);
    expect(stdout).not.toContain('0 scenario');
    expect(oneLine(stderr)).toMatch(/no scenario specs/);
  });

  it('finds .YAML files and symbolic links to specs', async () => {
    const suites = join(dir, 'found');
    await file('found/upper.YAML', specText('upper', {}));
    await file('elsewhere/linked.yaml', specText('linked', {}));
    await symlink(join(dir, 'elsewhere/linked.yaml'), join(suites, 'link.yaml'));
    const { code, stdout } = await cli(['validate', '--suites', suites]);
    expect(code).toBe(0);
    expect(stdout).toBe('2 scenario spec(s) valid.');
  });

  it('refuses a FIFO (spec or options file) at once, and /dev/zero, with the reason', async () => {
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const validated = await cli(['validate', fifo], { timeout: 20_000 });
    expect(validated.code).toBe(2);
    expect(oneLine(validated.stderr)).toMatch(
      /fifo\.yaml:1: cannot read: is a FIFO \(named pipe\), not a regular file/,
    );
    const run = await dryRun('--options-file', fifo);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/--options-file .*fifo\.yaml: is a FIFO/);
    const zero = await cli(['validate', '/dev/zero'], { timeout: 20_000 });
    expect(zero.code).toBe(2);
    expect(oneLine(zero.stderr)).toMatch(/cannot read: is a character device, not a regular file/);
  });
});

describe('echoed values', () => {
  it('escapes a newline that would forge a FILE:LINE line, and ANSI escapes', async () => {
    const forged = await dryRun('--timeout', 'placement=1s\n/etc/passwd:1: forged');
    expect(forged.code).toBe(2);
    expect(oneLine(forged.stderr)).toContain('\\n/etc/passwd:1: forged');
    const ansi = join(dir, 'red\u001b[31m.yaml');
    await writeFile(ansi, 'id: [');
    const validated = await cli(['validate', ansi]);
    expect(validated.code).toBe(2);
    const line = oneLine(validated.stderr);
    expect(line).not.toContain('\u001b');
    expect(line).toContain('red\\x1b[31m.yaml');
  });
});

describe('runs that check nothing', () => {
  it('exits 2 with the reason when no test is selected', async () => {
    const { code, stderr } = await dryRun('--run-test', 'failover');
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(/no test selected: --run-test failover with --profile core/);
  });
});

describe('files the providers read', () => {
  it('exits 2 for a missing kubeconfig (run, status)', async () => {
    const options = await file(
      'existing.yaml',
      `existing:\n  kubeconfig: ${join(dir, 'no-kubeconfig')}\n  peer: { mode: host, ssh: ops@peer, addresses: { ipv4: 192.0.2.10 }, asn: 64500 }\n`,
    );
    for (const args of [
      ['run', '--provider', 'existing', '--options-file', options],
      ['status', '--provider', 'existing', '--options-file', options],
    ]) {
      const { code, stderr } = await cli(args);
      expect(code, stderr).toBe(2);
      // The path sits under a secret-named key (`kubeconfig`): it is never printed.
      expect(oneLine(stderr)).toMatch(/kubeconfig <redacted>: no such file/);
    }
    expect(await readFile(options, 'utf8')).toContain('no-kubeconfig');
  });

  it('refuses --lab-fault with another provider', async () => {
    const { code, stderr } = await cli(['run', '--dry-run', '--provider', 'kind', '--lab-fault', 'no-snat']);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(/--lab-fault: faults exist only in the reference lab/);
  });
});
