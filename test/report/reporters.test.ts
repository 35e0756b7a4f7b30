/**
 * The reporters on a sample run: the multiplexer keeps a run whose reporter throws, the console
 * reporters' lines, GitHub's annotations and step summary, JUnit with run errors (checked by the
 * JUnit schema and by a third-party reader, Debian's python3-junitparser).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReporterMultiplexer } from '../../harness/report/multiplexer.js';
import type { Reporter } from '../../harness/report/reporter.js';
import { DotReporter } from '../../harness/report/reporters/dot.js';
import {
  escapeData,
  escapeProperty,
  failureAnnotation,
  GithubReporter,
} from '../../harness/report/reporters/github.js';
import { LineReporter } from '../../harness/report/reporters/line.js';
import { ListReporter } from '../../harness/report/reporters/list.js';
import { type ConsoleOptions, LiveArea, liveWidth } from '../../harness/report/reporters/terminal.js';
import { createReporters, defaultReporters, parseReporterNames } from '../../harness/report/select.js';
import { writeReports } from '../../harness/report/write.js';
import type { RunResult, TestResult } from '../../harness/run/results.js';
import { sampleRun } from './sample-run.js';

function capture(): { stream: { write: (t: string) => boolean }; text: () => string } {
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

function consoleOptions(verbose = false) {
  const out = capture();
  const err = capture();
  const options: ConsoleOptions = { out: out.stream, err: err.stream, verbose, debug: false, live: false };
  return { options, out, err };
}

/** Plays a run's events to a reporter the way `run` does. */
async function play(reporter: Reporter, run: RunResult): Promise<void> {
  reporter.runBegin?.({ runId: run.runId, startedAt: run.startedAt, reportDir: run.reportDir });
  reporter.phaseBegin?.('bring-up');
  reporter.output?.('info', 'lab: up in 6.1 s');
  reporter.phaseEnd?.('bring-up', 6100);
  const planned = run.tests.map((t) => ({ skip: t.status === 'skipped' ? {} : undefined }));
  reporter.environmentUp?.(run.environment, planned as never);
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
  await reporter.runEnd?.(run, ['/r/junit.xml', '/r/index.html']);
}

describe('the reporter multiplexer', () => {
  it('turns a reporter that throws into a reported error; the others get every event', async () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const broken: Reporter = {
      name: 'broken',
      testEnd: () => {
        throw new Error('disk full');
      },
      runEnd: () => {
        throw new Error('cannot write');
      },
    };
    const healthy: Reporter = {
      name: 'healthy',
      testEnd: (t) => seen.push(t.scenarioId),
      error: (e) => errors.push(e.message),
      runEnd: (run) => {
        seen.push(`end with ${run.errors?.length} errors`);
        return ['/r/x'];
      },
    };
    const mux = new ReporterMultiplexer([broken, healthy]);
    const run = sampleRun('/tmp/none');
    for (const test of run.tests) mux.testEnd(test);
    const files = await mux.runEnd(run);
    expect(seen).toEqual([...run.tests.map((t) => t.scenarioId), 'end with 5 errors']);
    expect(files).toEqual(['/r/x']);
    expect(errors[0]).toBe('the broken reporter failed (testEnd): disk full');
    expect(mux.errors.map((e) => e.message).at(-1)).toBe('the broken reporter failed (runEnd): cannot write');
    expect(mux.errors.every((e) => e.phase === 'reporter')).toBe(true);
  });

  it('chooses list by default, line and github on GitHub Actions, and rejects unknown names', () => {
    expect(defaultReporters({})).toEqual(['list']);
    expect(defaultReporters({ GITHUB_ACTIONS: 'true' })).toEqual(['line', 'github']);
    expect(parseReporterNames('line, github', '--reporter')).toEqual(['line', 'github']);
    expect(() => parseReporterNames('list,tap', '--reporter')).toThrow(
      /--reporter tap: unknown reporter; expected one of list, line, dot, github/,
    );
    const { options } = consoleOptions();
    const names = createReporters(['dot'], options).map((r) => r.name);
    // The files are always written, whatever the consoles.
    expect(names).toEqual(['results', 'junit', 'conformance', 'summary', 'html', 'dot']);
  });
});

describe('several console reporters', () => {
  // Hostile round of issue #22 (LOW): with --reporter list,line,dot every informational line,
  // phase line, error and closing line was printed once per console reporter.
  it('print each line they share once; each still shows the tests its own way', async () => {
    const { options, out, err } = consoleOptions();
    const consoles = createReporters(['list', 'line', 'dot'], options).filter((r) =>
      ['list', 'line', 'dot'].includes(r.name),
    );
    expect(consoles.map((r) => r.name)).toEqual(['list', 'line', 'dot']);
    // A file reporter first, as in a run: the consoles name the files it wrote.
    const files: Reporter = { name: 'files', runEnd: () => ['/r/junit.xml', '/r/index.html'] };
    const mux = new ReporterMultiplexer([files, ...consoles]);
    mux.output('info', 'scope exception: external-ips allowed for my-spec (lab routers)');
    mux.error({ phase: 'teardown', message: 'a container was left' });
    await play(mux, sampleRun('/r'));
    const text = out.text() + err.text();
    const times = (line: string) => text.split(line).length - 1;
    for (const line of [
      'scope exception: external-ips allowed for my-spec (lab routers)',
      'lab: up in 6.1 s',
      'bring-up done in 6.1s',
      'teardown: a container was left',
      'To open the report: egress-conformance report open /r',
      'reports in /r',
    ])
      expect(times(line), `${line}\n${text}`).toBe(1);
    // The reporters' own views of the tests are still there (list's lines).
    expect(text).toContain('  ✓ 1/3 snat-loadbalancer-ip [IPv4] (1.2s)');
  });
});

describe('console reporters', () => {
  it("list: one line per test with its progress and duration, a failed test's steps, the summary", async () => {
    const { options, out } = consoleOptions();
    await play(new ListReporter(options), sampleRun('/r'));
    const text = out.text();
    expect(text).toContain('lab: up in 6.1 s\nbring-up done in 6.1s');
    expect(text).toContain('  ✓ 1/3 snat-loadbalancer-ip [IPv4] (1.2s)');
    expect(text).toContain('  ✗ 2/3 snat-loadbalancer-ip [IPv6] (1.2s)');
    expect(text).toContain('  ✗ 2. probe: 47/50 packets');
    expect(text).toContain('  at suites/core/snat-loadbalancer-ip.yaml:77 (ES-SNAT-1, ES-SNAT-2)');
    expect(text).toContain(
      '  - failover [IPv4]: skipped (not-supported: the environment does not support Failover)',
    );
    // Steps of passing tests only with --verbose.
    expect(text).toContain('  ✓ 1/3 snat-loadbalancer-ip [IPv4] (1.2s)\n  ✗ 2/3');
    expect(text).toContain('1 passed, 2 failed, 1 skipped');
    expect(text).toMatch(/reports in \/r: .*junit\.xml/);
    // The last lines: the counts, and the one command that opens the report.
    expect(text).toMatch(
      /1 passed, 2 failed, 0 flaky\nTo open the report: egress-conformance report open \/r\n$/,
    );
    const verbose = consoleOptions(true);
    await play(new ListReporter(verbose.options), sampleRun('/r'));
    expect(verbose.out.text()).toContain('  ✓ 1. apply: applied Service web (12ms)');
  });

  it('line: failures in full as they happen, a progress line per tenth of the run', async () => {
    const { options, out } = consoleOptions();
    await play(new LineReporter(options), sampleRun('/r'));
    const text = out.text();
    expect(text).toContain('  ✗ [2/3] snat-loadbalancer-ip [IPv6]');
    expect(text).toContain('  [3/3] 2 failed');
    expect(text).not.toContain('✓ 1/3');
  });

  it('line: off a terminal, its progress lines name the tests running, their steps and the last one', () => {
    const { options, out } = consoleOptions();
    const reporter = new LineReporter(options);
    const [first, second] = sampleRun('/r').tests as [TestResult, TestResult];
    reporter.environmentUp(sampleRun('/r').environment, [{}, {}] as never);
    reporter.testBegin(first);
    reporter.testBegin(second);
    reporter.stepBegin(second, second.steps[1] as never);
    reporter.testEnd(first);
    expect(out.text()).toMatch(
      /^ {2}\[1\/2\] 0 failed; running: snat-loadbalancer-ip \[IPv6\] — step 2\/2 probe \(0s\); last: snat-loadbalancer-ip \[IPv4\] passed in 1\.2s\n$/,
    );
    expect(out.text()).not.toContain('[1/4] 0 failed\n');
  });

  it.each([
    ['list', (o: ConsoleOptions) => new ListReporter(o)],
    ['line', (o: ConsoleOptions) => new LineReporter(o)],
  ])('%s: off a terminal, a test that waits is named with its step, never silence', async (_name, make) => {
    const { options, out } = consoleOptions();
    const reporter = make({ ...options, heartbeatMs: 60 });
    const run = sampleRun('/r');
    const test = run.tests[1] as TestResult;
    reporter.environmentUp(run.environment, [{}] as never);
    reporter.testBegin(test);
    reporter.stepBegin(test, test.steps[1] as never);
    await new Promise((r) => setTimeout(r, 200));
    const waiting = out.text();
    expect(waiting).toContain('  … running: snat-loadbalancer-ip [IPv6] — step 2/2 probe (0s)\n');
    // Nothing was printed for a heartbeat each time: at most one line per heartbeat.
    expect(waiting.split('… running').length - 1).toBeLessThanOrEqual(4);
    reporter.testEnd(test);
    await reporter.runEnd(run, []);
    const ended = out.text().length;
    await new Promise((r) => setTimeout(r, 150));
    expect(out.text().length).toBe(ended);
  });

  it('live lines: a terminal that reports 0 columns is taken as 100 wide, not cut to 16 characters', () => {
    expect(liveWidth(0)).toBe(99);
    expect(liveWidth(undefined)).toBe(99);
    expect(liveWidth(80)).toBe(79);
    expect(liveWidth(8)).toBe(20);
    const out = capture();
    const line = '  ▶ snat-loadbalancer-ip [IPv4] — step 5/9 probe (12s)';
    const area = new LiveArea({ ...out.stream, isTTY: true, columns: 0 }, () => [line]);
    area.redraw();
    expect(out.text()).toBe(`${line}\n`);
    const narrow = capture();
    new LiveArea({ ...narrow.stream, isTTY: true, columns: 30 }, () => [line]).redraw();
    expect(narrow.text()).toBe(`${line.slice(0, 28)}…\n`);
  });

  it('dot: one character per test', async () => {
    const { options, out } = consoleOptions();
    await play(new DotReporter(options), sampleRun('/r'));
    expect(out.text()).toContain('.Fsf\n');
  });
});

describe('github reporter', () => {
  it('annotates a failure at its failing step, escaping what GitHub requires', () => {
    const failed = sampleRun('/r').tests[1] as TestResult;
    const annotation = failureAnnotation({ ...failed, file: '/ws/suites/core/x.yaml' }, '/ws');
    expect(annotation).toMatch(
      /^::error file=suites\/core\/x\.yaml,line=77,title=ES-SNAT-1%2C ES-SNAT-2%3A snat-loadbalancer-ip \[IPv6\]::ES-SNAT-1, ES-SNAT-2: step 5/,
    );
    expect(annotation).not.toMatch(/ES-SNAT-1, ES-SNAT-2: ES-SNAT-1/);
    expect(escapeData('50% of\r\nx')).toBe('50%25 of%0D%0Ax');
    expect(escapeProperty('a:b,c')).toBe('a%3Ab%2Cc');
    const provisional = sampleRun('/r').tests[3] as TestResult;
    expect(failureAnnotation(provisional, '/ws')).toMatch(/^::warning /);
  });

  it('prints annotations and appends the summary table to $GITHUB_STEP_SUMMARY', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ec-gh-'));
    try {
      const summary = join(dir, 'summary.md');
      const out = capture();
      const run = sampleRun('/r');
      run.errors = [{ phase: 'teardown', message: 'lab tear-down left things behind' }];
      const reporter = new GithubReporter({ out: out.stream, workspace: resolve('.'), stepSummary: summary });
      await play(reporter, run);
      reporter.error({ phase: 'teardown', message: 'lab tear-down left things behind' });
      expect(out.text().match(/^::error /gm)).toHaveLength(2);
      expect(out.text()).toContain(
        '::error title=egress-conformance teardown::lab tear-down left things behind',
      );
      const markdown = await readFile(summary, 'utf8');
      expect(markdown).toContain('| scenario | IPv4 | IPv6 |');
      expect(markdown).toContain('| snat-loadbalancer-ip | ✅ pass | ❌ FAIL |');
      expect(markdown).toContain('**teardown failed**: lab tear-down left things behind');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('junit.xml with run errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-junit-'));
    const run = sampleRun(dir);
    run.errors = [{ phase: 'bring-up', message: 'cannot create docker network: <gone> & "lost"' }];
    run.tests = run.tests.map((t) =>
      t.status === 'skipped' ? t : { ...t, status: 'skipped', skipReason: 'not-run', message: 'not run' },
    );
    run.tests.push({
      ...(run.tests[0] as TestResult),
      scenarioId: 'elsewhere',
      skipReason: 'other-shard',
      status: 'skipped',
    });
    await writeReports(run);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validates against the JUnit schema and carries the error as a testcase', async () => {
    const lint = await execa(
      'xmllint',
      ['--noout', '--schema', resolve('schemas/junit.xsd'), join(dir, 'junit.xml')],
      {
        reject: false,
      },
    );
    expect(lint.exitCode, lint.stderr).toBe(0);
    const xml = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(xml).toContain(
      '<error message="cannot create docker network: &lt;gone&gt; &amp; &quot;lost&quot;" type="bring-up">',
    );
    // Another shard's test is that shard's to report.
    expect(xml).not.toContain('elsewhere');
  });

  it('reads in python3-junitparser: every test skipped, one error', async () => {
    const script = [
      'import sys, junitparser',
      'xml = junitparser.JUnitXml.fromfile(sys.argv[1])',
      'cases = [c for s in xml for c in s]',
      'kinds = sorted(type(r).__name__ for c in cases for r in c.result)',
      'print(len(cases), " ".join(kinds))',
    ].join('\n');
    const result = await execa('/usr/bin/python3', ['-c', script, join(dir, 'junit.xml')]);
    expect(result.stdout).toBe('5 Error Skipped Skipped Skipped Skipped');
  });
});
