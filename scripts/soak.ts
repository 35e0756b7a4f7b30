/**
 * Soak: the conformant core profile N times in a row on one lab (default 20), then the failures
 * per scenario. The aim is zero: a failure on the conformant lab is a harness bug or a wait
 * that is too tight, to be fixed at its cause.
 *
 *   npm run soak [-- RUNS [extra run flags...]]     e.g. npm run soak -- 5 --family ipv4
 *   (on the OVN data plane: npm run soak -- 5 --family ipv4 --options-file ovn.yaml, the file
 *   holding `lab: { dataPlane: ovn }`; the kept lab is brought up with the same file)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { cleanUpOnSignal, downKeptLab, type KeptLab, keptLabFlags, upKeptLab } from './kept-lab.js';

const CLI = resolve(fileURLToPath(new URL('../bin/egress-conformance.js', import.meta.url)));

interface ReportTest {
  name: string;
  status: string;
  message?: string;
}

async function main(): Promise<number> {
  const [countText = '20', ...extra] = process.argv.slice(2);
  const runs = Number(countText);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
    process.stderr.write(`soak: expected a number of runs from 1 to 1000, found ${countText}\n`);
    return 2;
  }
  const dir = await mkdtemp(join(tmpdir(), 'egress-conformance-soak-'));
  let lab: KeptLab | undefined;
  cleanUpOnSignal(CLI, dir, () => lab);
  const failures = new Map<string, string[]>();
  const durations: number[] = [];
  let tests = 0;
  let sideBySide = '';
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  process.stdout.write(`soak: ${runs} runs on ${cpus().length} cores, load average at start ${load()}\n`);
  lab = await upKeptLab(CLI, keptLabFlags(extra));
  try {
    for (let i = 1; i <= runs; i++) {
      const reportDir = join(dir, `run-${i}`);
      const started = performance.now();
      const result = await execa(
        'node',
        [CLI, 'run', '--provider', 'lab', '--report-dir', reportDir, ...extra],
        {
          reject: false,
          all: true,
        },
      );
      sideBySide ||= /up to (\d+) tests side by side/.exec(result.all ?? '')?.[1] ?? '';
      durations.push((performance.now() - started) / 1000);
      const report = JSON.parse(
        await readFile(join(reportDir, 'conformance-report.json'), 'utf8').catch(() => '{}'),
      );
      const results = (report.tests ?? []) as ReportTest[];
      tests += results.length;
      for (const test of results.filter((t) => t.status === 'failed')) {
        failures.set(test.name, [...(failures.get(test.name) ?? []), `run ${i}: ${test.message ?? ''}`]);
      }
      const failed = results.filter((t) => t.status === 'failed').length;
      process.stdout.write(
        `run ${i}/${runs}: exit ${result.exitCode}, ${failed} failed, ${durations.at(-1)?.toFixed(0)} s\n`,
      );
    }
  } finally {
    await downKeptLab(CLI, lab);
    await rm(dir, { recursive: true, force: true });
  }
  const failedCount = [...failures.values()].reduce((sum, list) => sum + list.length, 0);
  process.stdout.write(
    `\n${runs} runs, ${tests} tests, ${failedCount} failures (${sideBySide || '?'} tests side by side; load average at end ${load()})\n`,
  );
  for (const [test, list] of failures) {
    process.stdout.write(`${test}: ${list.length} failure(s)\n${list.map((m) => `  ${m}`).join('\n')}\n`);
  }
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  process.stdout.write(
    `mean run time ${mean.toFixed(0)} s (min ${Math.min(...durations).toFixed(0)}, max ${Math.max(...durations).toFixed(0)})\n`,
  );
  return failedCount === 0 ? 0 : 1;
}

process.exitCode = await main();
