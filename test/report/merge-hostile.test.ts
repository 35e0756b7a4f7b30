/**
 * `merge-reports` against hostile shards (issue #22): shards of other runs, impossible shard
 * numbers, values that are not what results.json holds (script in a status or a line), unbounded
 * files (FIFO, /dev/zero, a huge sparse file), diagnostics outside the report, symbolic links in
 * artifacts, and an output directory that is an input. Each is exit 2 in one line naming the file
 * and the field (or copied as regular files only), never a hang, a raw error or a changed shard.
 */
import { execFileSync } from 'node:child_process';
import {
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRuns } from '../../harness/report/merge.js';
import { failureAnnotation } from '../../harness/report/reporters/github.js';
import { writeReports } from '../../harness/report/write.js';
import type { RunResult, TestResult } from '../../harness/run/results.js';
import { cli } from '../support/cli.js';
import { sampleRun } from './sample-run.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-merge-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function shardsOf(run: RunResult, total: number, dirOf: (i: number) => string): RunResult[] {
  return Array.from({ length: total }, (_, i) => ({
    ...run,
    runId: `s${i + 1}`,
    reportDir: dirOf(i + 1),
    shard: { index: i + 1, total },
    tests: run.tests.map(
      (test, t): TestResult =>
        test.status === 'skipped' || t % total === i
          ? test
          : { ...test, status: 'skipped', skipReason: 'other-shard', steps: [], evidence: [] },
    ),
  }));
}

/** Two shards written to disk; `change` edits the parsed results.json of shard 2. */
async function writtenShards(
  name: string,
  change?: (results: Record<string, unknown>) => void,
  shardsChanged: readonly number[] = [2],
): Promise<string[]> {
  const base = join(dir, name);
  const shards = shardsOf(sampleRun(base), 2, (i) => join(base, `shard-${i}`));
  for (const shard of shards) await writeReports(shard);
  for (const index of change ? shardsChanged : []) {
    const file = join(base, `shard-${index}`, 'results.json');
    const results = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    change?.(results);
    await writeFile(file, JSON.stringify(results));
  }
  return shards.map((s) => s.reportDir);
}

type Json = Record<string, unknown>;
const firstTest = (r: Json): Json => (r.tests as Json[])[0] as Json;
function stepsOf(r: Json): Json[] {
  return ((r.tests as Json[]).find((t) => (t.steps as unknown[]).length > 0)?.steps ?? []) as Json[];
}

function oneLineExit2(result: { code: number | undefined; stderr: string }, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at |--debug/);
}

describe('merges only of one run', () => {
  const whole = sampleRun('/r');
  const shards = shardsOf(whole, 2, (i) => `/s${i}`);
  it.each([
    ['tool version', (run: RunResult) => ({ ...run, toolVersion: '9.9.9' })],
    [
      'options',
      (run: RunResult) => ({
        ...run,
        options: { ...run.options, providerOptions: { lab: { faults: ['no-snat'] } } },
      }),
    ],
    [
      'selection',
      (run: RunResult) => ({
        ...run,
        tests: run.tests.map((t, i) => (i === 0 ? { ...t, scenarioId: 'another-test' } : t)),
      }),
    ],
    [
      'environment',
      (run: RunResult) => ({
        ...run,
        environment: { ...run.environment, fingerprint: { cluster: 'someone-else' } },
      }),
    ],
    [
      'implementation',
      (run: RunResult) => ({
        ...run,
        environment: {
          ...run.environment,
          implementation: { ...run.environment.implementation, name: 'Another CNI' },
        },
      }),
    ],
  ])('refuses a shard whose %s differs', (part, change) => {
    const other = change(shards[1] as RunResult) as RunResult;
    expect(() => mergeRuns([shards[0] as RunResult, other], '/m')).toThrow(
      new RegExp(`/s2 is not a shard of the run in /s1: its ${part} differs`),
    );
  });

  it('merges shards of one run', () => {
    expect(mergeRuns(shards, '/m').tests).toEqual(whole.tests);
  });

  // Hostile round of issue #22 (M5): the lab-shards workflow runs each shard on a lab of its own.
  const onLab = (run: RunResult, labId: string, nodes = run.environment.nodes): RunResult => ({
    ...run,
    environment: {
      ...run.environment,
      id: labId,
      nodes,
      fingerprint: { provider: 'lab', labId, nodes: String(nodes.length), families: 'ipv4', frr: '8.4.4' },
    },
  });
  it('merges shards run on two labs of one shape (their own lab ids), naming both', () => {
    const merged = mergeRuns(
      [onLab(shards[0] as RunResult, 'eclab-aaaaaa'), onLab(shards[1] as RunResult, 'eclab-bbbbbb')],
      '/m',
    );
    expect(merged.tests).toEqual(whole.tests);
    expect(merged.environment.id).toBe('eclab-aaaaaa+eclab-bbbbbb');
    expect(merged.environment.fingerprint?.labId).toBe('eclab-aaaaaa+eclab-bbbbbb');
  });
  it('still refuses shards on labs of another shape (one node fewer)', () => {
    const second = shards[1] as RunResult;
    expect(() =>
      mergeRuns(
        [
          onLab(shards[0] as RunResult, 'eclab-aaaaaa'),
          onLab(second, 'eclab-bbbbbb', second.environment.nodes.slice(1)),
        ],
        '/m',
      ),
    ).toThrow(/\/s2 is not a shard of the run in \/s1: its environment differs/);
  });
});

describe('merge-reports reads shards as hostile input', () => {
  it.each([
    ['shard 0/0', (r: Record<string, unknown>) => (r.shard = { index: 0, total: 0 }), /shard\.index/],
    ['shard -1/-1', (r: Record<string, unknown>) => (r.shard = { index: -1, total: -1 }), /shard\.index/],
    [
      'shard 3/2',
      (r: Record<string, unknown>) => (r.shard = { index: 3, total: 2 }),
      /shard: expected index from 1 to total/,
    ],
    [
      'script as a status',
      (r: Record<string, unknown>) => (firstTest(r).status = '<script>alert(1)</script>'),
      /tests\[0\]\.status/,
    ],
    [
      'script as a family',
      (r: Record<string, unknown>) => (firstTest(r).family = '<img src=x onerror=alert(1)>'),
      /tests\[0\]\.family/,
    ],
    [
      'script as a line number',
      (r: Record<string, unknown>) => {
        (stepsOf(r)[0] as Json).line = '<script>alert(1)</script>';
      },
      /tests\[\d+\]\.steps\[0\]\.line/,
    ],
    [
      'diagnostics outside the report',
      (r: Record<string, unknown>) => (firstTest(r).diagnostics = '../../..'),
      /tests\[0\]\.diagnostics: expected a path inside the report directory/,
    ],
    ['no tests', (r: Record<string, unknown>) => delete r.tests, /tests:/],
    // Hostile round 5 (F5): a run of 37903706 minutes, and a shard that is two shards at once.
    [
      'a startedAt that is not a date (round 5)',
      (r: Record<string, unknown>) => (r.startedAt = 'not a date'),
      /startedAt: expected an ISO 8601 date and time/,
    ],
    [
      'a finishedAt before startedAt (round 5)',
      (r: Record<string, unknown>) => (r.finishedAt = '2020-01-01T00:00:00.000Z'),
      /finishedAt: before startedAt/,
    ],
    [
      'a shard that its options call another shard (round 5)',
      (r: Record<string, unknown>) => (r.options = { ...(r.options as Json), shard: { index: 1, total: 2 } }),
      /options\.shard: 1\/2 differs from shard 2\/2/,
    ],
    // Hostile round of issue #22 (M6): names the merge prints on the console and in summary.txt.
    [
      'a feature carrying ESC and a workflow command',
      (r: Record<string, unknown>) => (firstTest(r).features = ['X\u001b[2J\n::add-mask::secret']),
      /tests\[0\]\.features\[0\]: expected a feature name/,
    ],
    [
      'a phase name with a bidi override and ::error',
      (r: Record<string, unknown>) =>
        ((r.phases as Json[])[0] = { name: 'x\u202e\n::error::forged', durationMs: 1 }),
      /phases\[0\]\.name: expected a phase name of printable ASCII/,
    ],
    [
      'a statement id with ::stop-commands::',
      (r: Record<string, unknown>) => (firstTest(r).statements = ['\n::stop-commands::x']),
      /tests\[0\]\.statements\[0\]: expected a statement id/,
    ],
    // Hostile round 3: a status its own record contradicts was counted as a pass no shard ran.
    [
      'a test skipped as not run but marked passed (round 3)',
      (r: Record<string, unknown>) => {
        const skipped = (r.tests as Json[]).find((t) => t.skipReason !== undefined) as Json;
        skipped.status = 'passed';
      },
      /tests\[\d+\]\.status: 'passed' contradicts skipReason '[a-z-]+': a test with a skip reason did not run/,
    ],
    [
      'a test passed with no step (round 3)',
      (r: Record<string, unknown>) => {
        const ran = (r.tests as Json[]).find((t) => t.skipReason === undefined) as Json;
        ran.status = 'passed';
        ran.steps = [];
      },
      /tests\[\d+\]\.status: 'passed' with no step/,
    ],
    // Hostile round 4: a status its own steps, failedStatements or message contradict.
    ...(
      [
        [
          'a test passed with a failed step (round 4)',
          (t: Json) => (((t.steps as Json[])[0] as Json).status = 'failed'),
          /'passed' contradicts steps\[0\]\.status 'failed'/,
        ],
        [
          'a test passed with failedStatements (round 4)',
          (t: Json) => (t.failedStatements = ['ES-SNAT-1']),
          /'passed' contradicts failedStatements/,
        ],
        [
          'a test passed with a failure message (round 4)',
          (t: Json) => (t.message = 'ES-SNAT-1: boom'),
          /'passed' contradicts message/,
        ],
        [
          'a test failed with no message (round 4)',
          (t: Json) => {
            t.status = 'failed';
            t.failedStatements = t.statements;
          },
          /'failed' without a message/,
        ],
        [
          'a test failed with no failedStatements (round 4)',
          (t: Json) => {
            t.status = 'failed';
            t.message = 'ES-SNAT-1: boom';
          },
          /'failed' without failedStatements/,
        ],
      ] as Array<[string, (t: Json) => void, RegExp]>
    ).map(([name, edit, why]): [string, (r: Json) => void, RegExp] => [
      name,
      (r: Json) => {
        // A test this shard ran, made a consistent pass first; then the one edit.
        const ran = (r.tests as Json[]).find((t) => t.skipReason === undefined) as Json;
        ran.status = 'passed';
        for (const step of ran.steps as Json[]) step.status = 'passed';
        delete ran.message;
        delete ran.failedStatements;
        edit(ran);
      },
      new RegExp(`tests\\[\\d+\\]\\.status: ${why.source}`),
    ]),
  ])('refuses %s in one line naming the file and field', async (name, change, field) => {
    const dirs = await writtenShards(name.replace(/\W+/g, '-'), change);
    const result = await cli([
      'merge-reports',
      ...dirs,
      '--report-dir',
      join(dir, `out-${name.replace(/\W+/g, '-')}`),
    ]);
    oneLineExit2(result, new RegExp(`shard-2/results\\.json: ${field.source}`));
  });

  // Hostile round 4: a forged pair of shards (both edited alike, so they are one run) claiming
  // what the test's scenario does not prove; the catalogue of this tool decides, not the shards.
  it.each([
    [
      'statements it does not have (extended ES-SEL-1, ES-FAIL-1 on a core test)',
      (t: Json) => (t.statements = ['ES-SNAT-1', 'ES-SNAT-2', 'ES-SEL-1', 'ES-FAIL-1']),
      /tests\[0\]\.statements: differs from scenario snat-loadbalancer-ip in the catalogue/,
    ],
    [
      'another title',
      (t: Json) => (t.title = 'something else'),
      /tests\[0\]\.title: differs from scenario snat-loadbalancer-ip/,
    ],
    [
      'another profile',
      (t: Json) => (t.profile = 'extended'),
      /tests\[0\]\.profile: differs from scenario snat-loadbalancer-ip/,
    ],
    [
      'another feature',
      (t: Json) => (t.features = ['Failover']),
      /tests\[0\]\.features: differs from scenario snat-loadbalancer-ip/,
    ],
    [
      'a scenario the catalogue does not have',
      (t: Json) => (t.scenarioId = 'invented-test'),
      /tests\[0\]\.scenarioId: 'invented-test' is not a scenario of the run's catalogue/,
    ],
  ] as Array<[string, (t: Json) => void, RegExp]>)(
    'refuses a forged pair of shards claiming %s (round 4)',
    async (name, edit, field) => {
      const slug = `forged-${name.replace(/\W+/g, '-')}`;
      const dirs = await writtenShards(slug, (r) => edit(firstTest(r)), [1, 2]);
      const result = await cli(['merge-reports', ...dirs, '--report-dir', join(dir, `out-${slug}`)]);
      oneLineExit2(result, new RegExp(`shard-1/results\\.json: ${field.source}`));
    },
  );

  it('refuses a shard of another run (the lab fault differs) in one line', async () => {
    const dirs = await writtenShards('other-run', (r) => {
      r.options = { ...(r.options as object), providerOptions: { lab: { faults: ['no-snat'] } } };
    });
    const result = await cli(['merge-reports', ...dirs, '--report-dir', join(dir, 'out-other-run')]);
    oneLineExit2(result, /shard-2 is not a shard of the run in .*shard-1: its options differs/);
  });

  it('refuses shards in which no test ran or was selected (tests: []), as run does: exit 2 (round 3)', async () => {
    const dirs = await writtenShards('tests-empty');
    for (const shard of dirs) {
      const file = join(shard, 'results.json');
      const results = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      results.tests = [];
      await writeFile(file, JSON.stringify(results));
    }
    const result = await cli(['merge-reports', ...dirs, '--report-dir', join(dir, 'out-tests-empty')]);
    oneLineExit2(
      result,
      /^egress-conformance: merge-reports: no test selected in .*shard-1, .*shard-2: every shard lists no test/,
    );
  });

  it('refuses malformed JSON naming the file', async () => {
    const dirs = await writtenShards('malformed');
    await writeFile(join(dirs[1] as string, 'results.json'), '{"runId": ');
    const result = await cli(['merge-reports', ...dirs, '--report-dir', join(dir, 'out-malformed')]);
    oneLineExit2(result, /shard-2\/results\.json: not JSON/);
  });

  it('refuses a FIFO, /dev/zero and a huge file without reading them', async () => {
    const dirs = await writtenShards('unbounded');
    const results = join(dirs[1] as string, 'results.json');
    await rm(results);
    execFileSync('mkfifo', [results]);
    const started = Date.now();
    oneLineExit2(
      await cli(['merge-reports', ...dirs, '--report-dir', join(dir, 'out-fifo')]),
      /results\.json.*not a regular file/,
    );
    await rm(results);
    await symlink('/dev/zero', results);
    oneLineExit2(
      await cli(['merge-reports', ...dirs, '--report-dir', join(dir, 'out-zero')]),
      /results\.json.*not a regular file/,
    );
    await rm(results);
    await writeFile(results, '');
    await truncate(results, 400 * 1024 * 1024); // sparse: no disk, no memory
    oneLineExit2(
      await cli(['merge-reports', ...dirs, '--report-dir', join(dir, 'out-huge')]),
      /results\.json.*over the limit of/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('copies artifacts as regular files only, never a link', async () => {
    const dirs = await writtenShards('links');
    const artifacts = join(dirs[0] as string, 'artifacts', 'ns');
    await mkdir(artifacts, { recursive: true });
    await writeFile(join(artifacts, 'capture.pcap'), 'pcap');
    await symlink('/etc/passwd', join(artifacts, 'passwd'));
    await symlink('/', join(artifacts, 'root'));
    const out = join(dir, 'out-links');
    const result = await cli(['merge-reports', ...dirs, '--report-dir', out]);
    expect(result.code, result.stderr).toBe(1); // the sample run has failures
    expect(result.stderr).toMatch(/left out .*artifacts\/ns\/passwd: not a regular file/);
    const copied = await readdir(join(out, 'artifacts', 'ns'));
    expect(copied).toEqual(['capture.pcap']);
    expect((await lstat(join(out, 'artifacts', 'ns', 'capture.pcap'))).isFile()).toBe(true);
  });

  // Hostile round 5 (F2, F3, F4): a hard link (its content may be any file of the merging host the
  // shard's owner could link), a directory where a step names its capture file, and an artifacts
  // folder that is itself a link were copied or left out without a word.
  it('leaves out a hard-linked artifact, naming it, and never copies its content (round 5)', async () => {
    const dirs = await writtenShards('hard-link');
    const artifacts = join(dirs[0] as string, 'artifacts', 'ns');
    await mkdir(artifacts, { recursive: true });
    const outside = join(dir, 'hard-link', 'outside-secret.txt');
    await writeFile(outside, 'HARDLINKED-SECRET');
    await link(outside, join(artifacts, 'capture.pcap'));
    await writeFile(join(artifacts, 'own.pcap'), 'pcap');
    const out = join(dir, 'out-hard-link');
    const result = await cli(['merge-reports', ...dirs, '--report-dir', out]);
    expect(result.code, result.stderr).toBe(1); // the sample run has failures
    expect(result.stderr).toMatch(
      /left out .*shard-1\/artifacts\/ns\/capture\.pcap: a hard link \(2 names\); its content may be a file outside the shard/,
    );
    expect(await readdir(join(out, 'artifacts', 'ns'))).toEqual(['own.pcap']);
  });

  it('leaves out a directory where a step names its capture file, naming it (round 5)', async () => {
    const dirs = await writtenShards('capture-dir');
    // The sample's first test ran in shard 1; its evidence names this capture.
    const capture = join(
      dirs[0] as string,
      'artifacts/ec-r1-snat-loadbalancer-ip-v4/endpoints-tcp-ipv4-0.pcap',
    );
    await mkdir(capture, { recursive: true });
    await writeFile(join(capture, 'x'), 'not a capture');
    const out = join(dir, 'out-capture-dir');
    const result = await cli(['merge-reports', ...dirs, '--report-dir', out]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /left out .*shard-1\/artifacts\/ec-r1-snat-loadbalancer-ip-v4\/endpoints-tcp-ipv4-0\.pcap: not a regular file \(a directory\)/,
    );
    await expect(
      lstat(join(out, 'artifacts/ec-r1-snat-loadbalancer-ip-v4/endpoints-tcp-ipv4-0.pcap')),
    ).rejects.toThrow(/ENOENT/);
  });

  it('names a shard whose artifacts folder is a symbolic link, and copies nothing through it (round 5)', async () => {
    const dirs = await writtenShards('artifacts-link');
    const elsewhere = join(dir, 'artifacts-link', 'elsewhere');
    await mkdir(elsewhere, { recursive: true });
    await writeFile(join(elsewhere, 'passwd'), 'root:x:0:0');
    await symlink(elsewhere, join(dirs[1] as string, 'artifacts'));
    const out = join(dir, 'out-artifacts-link');
    const result = await cli(['merge-reports', ...dirs, '--report-dir', out]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/left out .*shard-2\/artifacts: not a directory \(a symbolic link\)/);
    await expect(lstat(join(out, 'artifacts', 'passwd'))).rejects.toThrow(/ENOENT/);
  });

  // Hostile round 5 (F11): the github reporter annotated failures only as tests ended, which a
  // merge never plays: the merged run's failures got the step summary but no annotation.
  it('annotates each failed test on --reporter github, as a run does (round 5)', async () => {
    const dirs = await writtenShards('github');
    const summary = join(dir, 'github-summary.md');
    await writeFile(summary, '');
    const result = await cli(
      ['merge-reports', ...dirs, '--report-dir', join(dir, 'out-github'), '--reporter', 'github'],
      {
        env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: process.cwd() },
      },
    );
    expect(result.code, result.stderr).toBe(1);
    const failed = sampleRun('/r').tests.filter((t) => t.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    const annotations = result.stdout.split('\n').filter((l) => /^::(error|warning) /.test(l));
    expect(annotations).toEqual(failed.map((t) => failureAnnotation(t, process.cwd())));
    expect(await readFile(summary, 'utf8')).toContain('#### Failures');
  });

  it('refuses a --report-dir that is (or is inside) an input, and leaves the shard unchanged', async () => {
    const dirs = await writtenShards('output-is-input');
    const before = await readFile(join(dirs[0] as string, 'results.json'), 'utf8');
    for (const out of [dirs[0] as string, join(dirs[0] as string, 'merged')]) {
      oneLineExit2(
        await cli(['merge-reports', ...dirs, '--report-dir', out]),
        /--report-dir .* overlaps the input .*shard-1: expected a directory of its own/,
      );
    }
    expect(await readFile(join(dirs[0] as string, 'results.json'), 'utf8')).toBe(before);
  });

  // Hostile round of issue #22 (low): one directory named twice read as two runs of every test.
  it('refuses a shard directory named twice, in one line saying so', async () => {
    const dirs = await writtenShards('named-twice');
    oneLineExit2(
      await cli(['merge-reports', dirs[0] as string, `${dirs[0]}/`, '--report-dir', join(dir, 'out-twice')]),
      /shard-1\/ is the same directory as .*shard-1: expected each shard's report directory once/,
    );
  });

  // Hostile round of issue #22 (M7): a link to an input, or a path under a link into one.
  it('refuses a --report-dir that is a link to an input, or a new path under such a link', async () => {
    const dirs = await writtenShards('output-links-to-input');
    const before = await readFile(join(dirs[0] as string, 'results.json'), 'utf8');
    const link = join(dir, 'link-to-shard-1');
    await symlink(dirs[0] as string, link);
    for (const out of [link, join(link, 'new', 'merged')]) {
      oneLineExit2(
        await cli(['merge-reports', ...dirs, '--report-dir', out]),
        /--report-dir .* overlaps the input .*shard-1: expected a directory of its own/,
      );
    }
    expect(await readFile(join(dirs[0] as string, 'results.json'), 'utf8')).toBe(before);
  });
});
