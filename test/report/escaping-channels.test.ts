/**
 * One escaping rule on every output channel (issue #22): the same hostile strings — terminal
 * escapes, GitHub workflow commands (`::error`, `::add-mask::`, `::stop-commands::`, `##[`), bidi
 * overrides, HTML — put where cluster output and spec fields land (a failure message, a step's
 * detail, an error, an output line, a spec title), then every channel is read back: console
 * reporters (line, list, dot, github), the annotations and step summary, `list`, HTML, JUnit.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeUntrusted, shellQuoted } from '../../harness/common/escape.js';
import { judgeLease, leaseLine } from '../../harness/env/shared/lease.js';
import { renderHtmlReport } from '../../harness/report/html/page.js';
import { renderJunit } from '../../harness/report/junit.js';
import type { Reporter } from '../../harness/report/reporter.js';
import { ConformanceReporter, ResultsReporter } from '../../harness/report/reporters/files.js';
import { stepSummaryMarkdown } from '../../harness/report/reporters/github.js';
import { closingLines } from '../../harness/report/reporters/terminal.js';
import { createReporters } from '../../harness/report/select.js';
import type { RunResult } from '../../harness/run/results.js';
import { cli } from '../support/cli.js';
import { sampleRun } from './sample-run.js';

const HOSTILE = [
  '\u001b[31mRED\u001b[0m\u001b]0;title\u0007',
  'first\n::error file=README.md,line=1::pwned',
  '::add-mask::secret-value',
  '\r\n::stop-commands::token123',
  '##[error]old-style command',
  'invoice\u202eslx.exe and \u2066isolate\u2069 and \u200fmark',
  '<script>alert(1)</script><img src=x onerror=alert(2)>',
  'cell | break ` *bold* [link](http://example.test)',
];
const TEXT = HOSTILE.join(' ~ ');

const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/u;

/** What no channel may show raw. `ownCommands`: lines the github reporter itself starts with `::`. */
function expectNeutral(text: string, ownCommands: RegExp | undefined = undefined): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters under test
  expect(text).not.toMatch(/[\u001b\u0007]/);
  expect(text).not.toMatch(BIDI);
  expect(text).not.toContain('##[');
  for (const line of text.split(/\r?\n|\r/)) {
    if (ownCommands?.test(line)) continue;
    expect(line, line).not.toMatch(/^\s*::/);
  }
}

function hostileRun(): RunResult {
  const run = sampleRun('/r');
  const failed = run.tests.find((t) => t.status === 'failed');
  if (!failed) throw new Error('the sample run has a failed test');
  failed.message = TEXT;
  failed.title = TEXT;
  for (const step of failed.steps) step.detail = TEXT;
  run.errors = [{ phase: 'teardown', message: TEXT }];
  return run;
}

function capture() {
  let text = '';
  return {
    stream: {
      write: (t: string) => {
        text += t;
        return true;
      },
    },
    text: () => text,
  };
}

async function play(reporter: Reporter, run: RunResult): Promise<void> {
  reporter.runBegin?.({ runId: run.runId, startedAt: run.startedAt, reportDir: run.reportDir });
  reporter.output?.('info', TEXT);
  reporter.output?.('warn', TEXT);
  for (const test of run.tests) {
    if (test.status !== 'skipped') {
      reporter.testBegin?.(test);
      for (const step of test.steps) {
        reporter.stepBegin?.(test, step);
        reporter.stepEnd?.(test, step);
      }
    }
    reporter.testEnd?.(test);
  }
  for (const error of run.errors ?? []) reporter.error?.(error);
  await reporter.runEnd?.(run, ['/r/junit.xml']);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-escape-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the one escaping rule', () => {
  it('escapes each hostile string to one inert line', () => {
    for (const text of HOSTILE) {
      const escaped = escapeUntrusted(text);
      expect(escaped).not.toMatch(/[\n\r]/);
      expectNeutral(escaped);
    }
    // Ordinary text is unchanged, IPv6 addresses included.
    expect(escapeUntrusted('fd00::1 -> 2001:db8::5, ok')).toBe('fd00::1 -> 2001:db8::5, ok');
  });

  it.each(['line', 'list', 'dot'])('the %s reporter', async (name) => {
    const out = capture();
    const err = capture();
    const reporter = createReporters([name], {
      out: out.stream,
      err: err.stream,
      verbose: true,
      debug: false,
    }).find((r) => r.name === name);
    await play(reporter as Reporter, hostileRun());
    expect(out.text()).toContain('RED'); // the text is shown, escaped
    expectNeutral(out.text());
    expectNeutral(err.text());
  });

  it('the github reporter: annotations and the step summary', async () => {
    const out = capture();
    const summary = join(dir, 'summary.md');
    await writeFile(summary, '');
    const reporter = createReporters(['github'], {
      out: out.stream,
      err: out.stream,
      verbose: false,
      debug: false,
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: '/' },
    } as never).find((r) => r.name === 'github');
    await play(reporter as Reporter, hostileRun());
    const annotations = out.text();
    expect(annotations).toMatch(/^::error /m);
    // Only the reporter's own commands start a line; hostile text stays in their data, one line each.
    expectNeutral(annotations, /^::(error|warning) (file|title)=/);
    // One command per failure and error, each one line: the data's line breaks are %0A.
    const run = hostileRun();
    const expected = run.tests.filter((t) => t.status === 'failed').length + (run.errors?.length ?? 0);
    expect(annotations.split('\n').filter((l) => l.startsWith('::'))).toHaveLength(expected);
    expect(annotations).toContain('%0A\\::error file=README.md');
    const markdown = stepSummaryMarkdown(hostileRun());
    expectNeutral(markdown);
    expect(markdown).not.toMatch(/<script|<img/);
    expect(markdown).not.toContain('[link](');
    if ((await readFile(summary, 'utf8')).length > 0) expectNeutral(await readFile(summary, 'utf8'));
  });

  it('HTML: escaped, and the CSP allows only the page script by hash', () => {
    const html = renderHtmlReport(hostileRun());
    expectNeutral(html);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("script-src 'unsafe-inline'");
  });

  it('JUnit', () => {
    const xml = renderJunit(hostileRun());
    expectNeutral(xml);
    expect(xml).not.toContain('<script>');
  });

  it('YAML (the ConformanceReport)', async () => {
    const run = hostileRun();
    run.reportDir = join(dir, 'yaml-report');
    run.environment.implementation.name = TEXT;
    await new ConformanceReporter().runEnd(run);
    const yaml = await readFile(join(run.reportDir, 'conformance-report.yaml'), 'utf8');
    expectNeutral(yaml);
    expect(yaml).toContain('x1b[31mRED'); // the hostile text is there, escaped
  });

  it('JSON (the ConformanceReport): no raw bidi override, the text read back exact (round 3)', async () => {
    const run = hostileRun();
    run.reportDir = join(dir, 'json-report');
    run.environment.implementation.name = TEXT;
    await new ConformanceReporter().runEnd(run);
    const json = await readFile(join(run.reportDir, 'conformance-report.json'), 'utf8');
    // A data file, not a log: kept exact, with nothing raw that a terminal or an editor obeys.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters under test
    expect(json).not.toMatch(/[\u001b\u0007\u0085]/);
    expect(json).not.toMatch(BIDI);
    expect(json).toContain('\\u202e');
    expect(JSON.stringify(JSON.parse(json))).toContain(JSON.stringify(TEXT));
    expect(json.includes('\u202e')).toBe(false);
  });

  // Hostile round 5 (F11): results.json, the file `merge-reports` reads and writes, kept U+202E raw.
  it("JSON (results.json, a run's and a merge's): no raw bidi override, the text read back exact (round 5)", async () => {
    const run = hostileRun();
    run.reportDir = join(dir, 'results-json');
    run.environment.implementation.name = TEXT;
    await new ResultsReporter().runEnd(run);
    const json = await readFile(join(run.reportDir, 'results.json'), 'utf8');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters under test
    expect(json).not.toMatch(/[\u001b\u0007\u0085]/);
    expect(json).not.toMatch(BIDI);
    expect(json).toContain('\\u202e');
    expect((JSON.parse(json) as RunResult).environment.implementation.name).toBe(TEXT);
  });

  it('list prints spec titles escaped', async () => {
    const suites = join(dir, 'suites');
    await mkdir(suites, { recursive: true });
    const title = JSON.stringify(HOSTILE.slice(0, 7).join(' ~ '));
    await writeFile(
      join(suites, 'spec.yaml'),
      `id: hostile-title\ntitle: ${title}\nstatements: [ES-SNAT-1]\nprofile: core\nfeatures: [SourceIPLoadBalancer]\nmanifests:\n  m: { apiVersion: v1, kind: ConfigMap, metadata: { name: c, namespace: "\${namespace}" } }\nsteps:\n  - apply: [m]\n  - expect: { condition: { noEgressLabel: { service: m } } }\n`,
    );
    const { code, stdout, stderr } = await cli(['list', '--no-cache', '--suites', suites]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('hostile-title');
    expectNeutral(stdout);
  });

  // Hostile round 4: channels that printed spec, options-file or lease text raw.
  describe('hostile round 4', () => {
    const ONE = JSON.stringify(HOSTILE.slice(0, 6).join(' ~ '));

    it('the dry run: manifest values and step bodies', async () => {
      const suites = join(dir, 'dry-suites', 'core');
      await mkdir(suites, { recursive: true });
      await writeFile(
        join(suites, 'spec.yaml'),
        `id: hostile-dry\ntitle: hostile dry\nstatements: [ES-SNAT-1]\nprofile: core\nfeatures: [SourceIPLoadBalancer]\nmanifests:\n  cm: { apiVersion: v1, kind: ConfigMap, metadata: { name: c, namespace: "\${namespace}", annotations: { x: ${ONE} } }, data: { k: ${ONE} } }\n  pod: { apiVersion: v1, kind: Pod, metadata: { name: p, namespace: "\${namespace}", labels: { app: web } }, spec: { containers: [ { name: c, image: ${ONE} } ] } }\nsteps:\n  - apply: [cm, pod]\n  - wait: { condition: { podsReady: { pods: { app: web } } }, timeout: podsReady }\n`,
      );
      const args = [
        'run',
        '--dry-run',
        '--provider',
        'lab',
        '--family',
        'ipv4',
        '--suites',
        join(dir, 'dry-suites'),
      ];
      const { code, stdout, stderr } = await cli(args);
      expect(code, stderr).toBe(0);
      expect(stdout).toContain('# manifest cm');
      expect(stdout).toContain('x1b[31mRED'); // shown, escaped
      expectNeutral(stdout);
      expectNeutral(stderr);
    });

    it('the dry run and every run: scope-exception reasons from the options file', async () => {
      const options = join(dir, 'exceptions.yaml');
      await writeFile(
        options,
        `provider: lab\nscopeExceptions:\n  - { rule: host-access, spec: snat-loadbalancer-ip, reason: ${ONE} }\n`,
      );
      const args = ['run', '--dry-run', '--family', 'ipv4', '--run-test', 'snat-loadbalancer-ip'];
      const { code, stdout, stderr } = await cli([...args, '--options-file', options]);
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/^scope exception: host-access allowed for snat-loadbalancer-ip \(.*RED/m);
      expect(stdout).toMatch(/^# scope exception applied: host-access \(options file: .*RED/m);
      expectNeutral(stdout);
      expectNeutral(stderr);
    });

    it('the closing lines: the report folder, and a shell command that opens it', () => {
      const run = sampleRun('/r');
      const reportDir = `/tmp/rd${HOSTILE.slice(0, 6).join(' ~ ')} it's`;
      run.reportDir = reportDir;
      const lines = closingLines(run, [join(reportDir, 'index.html')]);
      const text = lines.join('\n');
      expect(text).toContain('reports in /tmp/rd');
      expectNeutral(text);
      const open = lines.find((l) => l.startsWith('To open the report: '));
      const quoted = open?.replace('To open the report: egress-conformance report open ', '') ?? '';
      // The printed word, given to bash, is the folder exactly.
      expect(execFileSync('bash', ['-c', `printf %s ${quoted}`]).toString()).toBe(reportDir);
      for (const plain of ['out/run-1', "it's here", 'a b']) {
        expect(execFileSync('bash', ['-c', `printf %s ${shellQuoted(plain)}`]).toString()).toBe(plain);
      }
      expect(shellQuoted('out/run-1')).toBe('out/run-1');
    });

    it('status: the holder and host of a lease file', () => {
      const now = Date.now();
      const lease = JSON.stringify({
        host: HOSTILE[1],
        pid: 1,
        holder: HOSTILE.slice(0, 6).join(' ~ ').slice(0, 250),
        since: new Date(now).toISOString(),
        renewedAt: new Date(now).toISOString(),
      });
      const inUse = judgeLease(lease, { now, host: 'here', alive: () => true });
      expect(inUse.state).toBe('in-use');
      expectNeutral(leaseLine(inUse));
      const gone = judgeLease(lease.replace(JSON.stringify(HOSTILE[1]), '"here"'), {
        now,
        host: 'here',
        alive: () => false,
      });
      expect(gone.state).toBe('stale');
      expectNeutral(leaseLine(gone));
      const goneThere = judgeLease(lease, { now, host: HOSTILE[1] as string, alive: () => false });
      expect(goneThere.state).toBe('stale');
      expectNeutral(leaseLine(goneThere));
    });

    it('error lines: a bad value in an options file', async () => {
      const options = join(dir, 'fault.yaml');
      // Short: the error shows the start of a long value only.
      const value = JSON.stringify('\u001b[2J\u202e\n::error::fault');
      await writeFile(options, `provider: lab\nlab: { faults: [${value}] }\n`);
      const { code, stderr } = await cli(['run', '--dry-run', '--options-file', options]);
      expect(code).toBe(2);
      expect(stderr).toContain('lab.faults[0]');
      expectNeutral(stderr);
    });

    it('list --json: titles with bidi controls written as \\u escapes, read back exact', async () => {
      const suites = join(dir, 'json-suites');
      await mkdir(suites, { recursive: true });
      await writeFile(
        join(suites, 'spec.yaml'),
        `id: hostile-json\ntitle: ${ONE}\nstatements: [ES-SNAT-1]\nprofile: core\nfeatures: [SourceIPLoadBalancer]\nmanifests:\n  m: { apiVersion: v1, kind: ConfigMap, metadata: { name: c, namespace: "\${namespace}" } }\nsteps:\n  - apply: [m]\n  - expect: { condition: { noEgressLabel: { service: m } } }\n`,
      );
      const { code, stdout, stderr } = await cli(['list', '--json', '--no-cache', '--suites', suites]);
      expect(code, stderr).toBe(0);
      expect(stdout).not.toMatch(BIDI);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters under test
      expect(stdout).not.toMatch(/[\u001b\u0007]/);
      expect(JSON.parse(stdout)[0].title).toBe(JSON.parse(ONE));
    });
  });
});
