/**
 * Mutation testing of the suite: how many small changes to the reference implementation does the
 * catalogue notice? StrykerJS's instrumenter makes the mutants (scripts/mutation/mutants.ts) and
 * places them all in one build behind a switch; each sampled mutant is switched on for one run of
 * the catalogue on a kept lab, stopped at its first failed test.
 *
 *   npm run mutation -- --sample N --seed S   a seeded random sample of N mutants (default 20, 1)
 *   --shard I/N                               only the I-th of N slices of the sample (CI jobs)
 *   --mutants KEY[,KEY...]                    these mutants (by key, as the report lists them)
 *   --report-dir DIR                          where mutation.json, index.html and summary.txt go
 *                                             (default test-results/mutation-<timestamp>)
 *   --undetected-in DIR[,DIR...]              the mutants those reports did not detect (survived,
 *                                             no coverage, runtime error, equivalent): judge
 *                                             them again with other run flags (e.g. --profile all)
 *   --resume                                  keep the mutants --report-dir's mutation.json already
 *                                             judged and judge only the rest (an interrupted run)
 *   --list                                    print every mutant's key and change; run nothing
 *   --report-dir DIR --merge DIR...           one report of several (CI shards), with the current triage
 *   other flags (--family ipv4, --run-test X, --profile all) pass on to every `run`
 *
 * First a conformant run of the same build (no mutant): it must pass, it measures the time limit
 * (3x its time, at least its time + 2 min), and it records which mutants its code reached; a
 * mutant it never reached is NoCoverage without a run. Exit 0 when every survivor is triaged in
 * scripts/mutation/triage.yaml, 1 when one is not (or the conformant run failed), 2 on bad flags.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { cleanUpOnSignal, downKeptLab, type KeptLab, keptLabFlags, upKeptLab } from './kept-lab.js';
import { writeMutantBuild } from './mutation/build.js';
import { mergeOutcomes } from './mutation/merge.js';
import { instrumentReference, type MutantInfo } from './mutation/mutants.js';
import {
  lateKill,
  type MutantOutcome,
  mutationPage,
  mutationReport,
  type Score,
  scoreOf,
  triaged,
} from './mutation/report.js';
import { runMutant } from './mutation/run-mutant.js';
import { drawSample, parseShard, type Shard, shardOf } from './mutation/sample.js';
import { loadTriage, TRIAGE_FILE } from './mutation/triage.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'bin', 'egress-conformance.js');
const require = createRequire(import.meta.url);

export interface MutationFlags {
  sample: number;
  seed: number;
  shard: Shard | undefined;
  mutants: string[] | undefined;
  /** Reports whose undetected mutants are the ones to judge. */
  undetectedIn: string[] | undefined;
  reportDir: string;
  resume: boolean;
  list: boolean;
  runFlags: string[];
}

class UsageError extends Error {}

/** The flags; anything not ours passes on to `run`. */
export function parseFlags(argv: readonly string[], now = new Date()): MutationFlags {
  const args = [...argv];
  const take = (name: string): string | undefined => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const value = args[at + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${name}: expected a value`);
    args.splice(at, 2);
    return value;
  };
  const integer = (name: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min)
      throw new UsageError(`${name} ${text}: expected a whole number >= ${min}`);
    return Number(text);
  };
  const sample = integer('--sample', take('--sample'), 20, 1);
  const seed = integer('--seed', take('--seed'), 1, 0);
  const shardText = take('--shard');
  let shard: Shard | undefined;
  try {
    shard = shardText === undefined ? undefined : parseShard(shardText);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const mutants = take('--mutants')
    ?.split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const undetectedIn = take('--undetected-in')
    ?.split(',')
    .filter(Boolean)
    .map((d) => resolve(d));
  if (mutants && undetectedIn) throw new UsageError('--mutants and --undetected-in: give one of them');
  const reportDir = resolve(
    take('--report-dir') ?? `test-results/mutation-${now.toISOString().replace(/[:.]/g, '-')}`,
  );
  const switchFlag = (name: string) => {
    const at = args.indexOf(name);
    if (at >= 0) args.splice(at, 1);
    return at >= 0;
  };
  const list = switchFlag('--list');
  const resume = switchFlag('--resume');
  for (const forbidden of ['--report-dir', '--reporter', '--lab-fault', '--shard', '--keep']) {
    if (args.includes(forbidden)) throw new UsageError(`${forbidden} is set by the mutation run`);
  }
  return { sample, seed, shard, mutants, undetectedIn, reportDir, resume, list, runFlags: args };
}

/** The mutants to run: the named ones, or the seeded sample; then the shard's slice. */
export function chooseMutants(all: readonly MutantInfo[], flags: MutationFlags): MutantInfo[] {
  if (flags.mutants) {
    const byKey = new Map(all.map((m) => [m.key, m]));
    const unknown = flags.mutants.filter((k) => !byKey.has(k));
    if (unknown.length > 0) throw new UsageError(`--mutants: no mutant ${unknown.join(', ')} (see --list)`);
    return shardOf(
      flags.mutants.map((k) => byKey.get(k) as MutantInfo),
      flags.shard,
    );
  }
  return shardOf(drawSample(all, flags.sample, flags.seed), flags.shard);
}

function summaryText(score: Score, outcomes: readonly MutantOutcome[], header: string): string {
  const lines = [
    header,
    `mutants: ${score.total}; killed ${score.killed}, timeout ${score.timeout}, survived ${score.survived}, no coverage ${score.noCoverage}, runtime error ${score.runtimeError}, equivalent ${score.equivalent}`,
    `score: ${score.killedPercent}% killed, ${score.detectedPercent}% detected (killed or timeout) among the ${score.killed + score.timeout + score.survived + score.noCoverage} not equivalent; gaps ${score.gaps}, untriaged ${score.untriaged}`,
    `late kills (the failed wait's condition held at the end, too late: timing or the mutant): ${score.lateKills}; ${score.firmKilledPercent}% killed without them`,
    `false kills (mutants triaged equivalent that a run "killed": failures they did not cause): ${score.falseKills}`,
    '',
  ];
  for (const o of outcomes) {
    const what = o.run
      ? `${o.status}${lateKill(o.run) ? ' late' : ''}${o.run.statements.length > 0 ? ` by ${o.run.statements.join(', ')}` : ''} (${(o.run.durationMs / 1000).toFixed(0)} s)`
      : o.status;
    const triage = o.triage ? ` [${o.triage.verdict}: ${o.triage.reason}]` : '';
    lines.push(
      `${what.padEnd(28)} ${o.mutant.key}: \`${o.mutant.original.replace(/\s+/g, ' ').slice(0, 80)}\` -> \`${o.mutant.replacement.replace(/\s+/g, ' ').slice(0, 80)}\`${triage}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** mutation.json, its page and summary.txt into `dir`. */
async function writeReportFiles(
  dir: string,
  report: Record<string, unknown>,
  bundle: string,
  summary: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'mutation.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(
    join(dir, 'index.html'),
    mutationPage(report, bundle, 'egress-conformance mutation testing'),
  );
  await writeFile(join(dir, 'summary.txt'), summary);
}

/** `--merge DIR...`: the reports' outcomes as one report, with the current triage. */
async function merge(dirs: string[], reportDir: string): Promise<number> {
  const triage = await loadTriage(join(ROOT, TRIAGE_FILE));
  const instrumented = await instrumentReference(ROOT);
  const outcomes = await mergeOutcomes(dirs, instrumented.mutants, triage);
  const version = (require('@stryker-mutator/instrumenter/package.json') as { version: string }).version;
  const report = mutationReport({
    outcomes,
    sources: new Map(instrumented.files.map((f) => [f.name, f.source])),
    config: { mergedFrom: dirs, mutantsInAll: instrumented.mutants.length },
    performance: { setup: 0, initialRun: 0, mutation: 0 },
    frameworkVersion: `@stryker-mutator/instrumenter ${version}`,
  });
  const score = scoreOf(outcomes);
  const summary = summaryText(
    score,
    outcomes,
    `npm run mutation -- --merge: ${outcomes.length} mutants from ${dirs.length} reports`,
  );
  const bundle = await readFile(
    require.resolve('mutation-testing-elements/dist/mutation-test-elements.js'),
    'utf8',
  );
  await writeReportFiles(reportDir, report, bundle, summary);
  process.stdout.write(`${summary}\nreport: ${join(reportDir, 'index.html')}\n`);
  return score.untriaged > 0 ? 1 : 0;
}

/** `--report-dir DIR --merge DIR...`: one report from shards' reports. */
function mergeCommand(argv: string[], mergeAt: number): Promise<number> | number {
  const dirs = argv.slice(mergeAt + 1);
  const rest = argv.slice(0, mergeAt);
  const at = rest.indexOf('--report-dir');
  if (dirs.length === 0 || (rest.length > 0 && (at < 0 || rest.length !== 2))) {
    process.stderr.write('mutation: usage: --report-dir DIR --merge DIR...\n');
    return 2;
  }
  return merge(
    dirs.map((d) => resolve(d)),
    resolve(rest[at + 1] ?? 'test-results/mutation-merged'),
  );
}

/** The value, or undefined after printing a usage error's one line. */
function orUsageError<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mutation: ${error.message}\n`);
    return undefined;
  }
}

/** The mutants to judge and how to describe them; undefined after a usage error's line. */
async function choose(
  all: MutantInfo[],
  flags: MutationFlags,
  triage: Awaited<ReturnType<typeof loadTriage>>,
): Promise<{ chosen: MutantInfo[]; described: string } | undefined> {
  if (flags.undetectedIn) {
    const earlier = await mergeOutcomes(flags.undetectedIn, all, triage);
    flags.mutants = earlier.filter((o) => !DETECTED.has(o.status)).map((o) => o.mutant.key);
  }
  const chosen = orUsageError(() => chooseMutants(all, flags));
  if (!chosen) return undefined;
  const described = flags.undetectedIn
    ? `${chosen.length} mutants undetected in ${flags.undetectedIn.length} reports`
    : flags.mutants
      ? `${flags.mutants.length} named mutants`
      : `sample ${flags.sample} of ${all.length} mutants, seed ${flags.seed}`;
  return { chosen, described };
}

/** Statuses that count as detected: not judged again by --undetected-in. */
const DETECTED = new Set<MutantOutcome['status']>(['Killed', 'Timeout']);

/** The outcomes of `chosen` in `dir`'s mutation.json, if it has one (for --resume). */
async function judgedBefore(
  dir: string,
  all: readonly MutantInfo[],
  chosen: readonly MutantInfo[],
  triage: Awaited<ReturnType<typeof loadTriage>>,
): Promise<MutantOutcome[]> {
  if (!existsSync(join(dir, 'mutation.json'))) return [];
  const keys = new Set(chosen.map((m) => m.key));
  const before = await mergeOutcomes([dir], all, triage);
  return before.filter((o) => keys.has(o.mutant.key));
}

function printMutants(all: MutantInfo[]): void {
  const short = (text: string) => text.replace(/\s+/g, ' ').slice(0, 100);
  for (const m of all)
    process.stdout.write(`${m.key}: \`${short(m.original)}\` -> \`${short(m.replacement)}\`\n`);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const mergeAt = argv.indexOf('--merge');
  if (mergeAt >= 0) return mergeCommand(argv, mergeAt);
  const flags = orUsageError(() => parseFlags(argv));
  if (!flags) return 2;
  const started = performance.now();
  const triage = await loadTriage(join(ROOT, TRIAGE_FILE));
  const instrumented = await instrumentReference(ROOT);
  const all = instrumented.mutants;
  if (flags.list) {
    printMutants(all);
    return 0;
  }
  const choice = await choose(all, flags, triage);
  if (!choice) return 2;
  const { chosen, described } = choice;
  process.stdout.write(
    `mutation: ${described}${flags.shard ? `, shard ${flags.shard.index}/${flags.shard.total}` : ''}: ${chosen.length} to judge\n`,
  );
  // The build's dist/ copy must hold the current code.
  await execa('node', [join(ROOT, 'scripts', 'build-if-stale.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const work = await mkdtemp(join(tmpdir(), 'egress-conformance-mutation-'));
  let lab: KeptLab | undefined;
  cleanUpOnSignal(CLI, work, () => lab);
  const mutantCli = await writeMutantBuild(ROOT, join(work, 'build'), instrumented);
  const setupMs = performance.now() - started;
  // --resume: what the report dir already holds of these mutants stands; the rest is judged.
  const outcomes: MutantOutcome[] = flags.resume
    ? await judgedBefore(flags.reportDir, all, chosen, triage)
    : [];
  const judged = new Set(outcomes.map((o) => o.mutant.key));
  if (judged.size > 0) process.stdout.write(`  resuming: ${judged.size} judged before, kept\n`);
  let baselineMs = 0;
  let mutationStarted = performance.now();
  const version = (require('@stryker-mutator/instrumenter/package.json') as { version: string }).version;
  const bundle = await readFile(
    require.resolve('mutation-testing-elements/dist/mutation-test-elements.js'),
    'utf8',
  );

  /** Writes the report of the mutants judged so far (after each one: a stopped run keeps its part). */
  const writeReports = async (done: boolean) => {
    const score = scoreOf(outcomes);
    const report = mutationReport({
      outcomes,
      sources: new Map(instrumented.files.map((f) => [f.name, f.source])),
      config: {
        sample: flags.mutants ? undefined : flags.sample,
        seed: flags.mutants ? undefined : flags.seed,
        mutants: flags.mutants,
        shard: flags.shard ? `${flags.shard.index}/${flags.shard.total}` : undefined,
        runFlags: flags.runFlags,
        mutantsInAll: all.length,
        judged: `${outcomes.length} of ${chosen.length}`,
      },
      performance: {
        setup: Math.round(setupMs),
        initialRun: Math.round(baselineMs),
        mutation: Math.round(performance.now() - mutationStarted),
      },
      frameworkVersion: `@stryker-mutator/instrumenter ${version}`,
    });
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    const header = `npm run mutation: ${described}${flags.shard ? `, shard ${flags.shard.index}/${flags.shard.total}` : ''}${flags.runFlags.length > 0 ? `, run flags ${flags.runFlags.join(' ')}` : ''}; ${done ? '' : `STOPPED EARLY: ${outcomes.length} of ${chosen.length} judged; `}${minutes} min (conformant run ${(baselineMs / 1000).toFixed(0)} s)`;
    const summary = summaryText(score, outcomes, header);
    await writeReportFiles(flags.reportDir, report, bundle, summary);
    return { score, summary };
  };
  try {
    // A kept lab shared with other checkouts can go away under `up` (another run removing it):
    // one more try then brings up or finds another.
    lab = await upKeptLab(CLI, keptLabFlags(flags.runFlags)).catch(async (error: Error) => {
      process.stderr.write(`mutation: up failed (${error.message.split('\n')[0]}); trying once more\n`);
      return upKeptLab(CLI, keptLabFlags(flags.runFlags));
    });
    process.stdout.write('conformant run of the mutant build (no mutant) ...\n');
    const coverageFile = join(work, 'coverage.json');
    const conformantRun = (attempt: number) =>
      runMutant({
        cli: mutantCli,
        mutantId: undefined,
        reportDir: join(work, `conformant-${attempt}`),
        runFlags: flags.runFlags,
        timeoutMs: 30 * 60_000,
        stopAtFirstFailure: false,
        coverageFile,
      });
    let baseline = await conformantRun(1);
    if (baseline.status !== 'Survived') {
      // One more try: a test that fails on a loaded machine (a timing) says nothing of mutants
      // yet; failing twice, the suite or the lab is broken and no mutant can be judged.
      process.stdout.write(`  failed once (${baseline.reason.split('\n')[0]}); once more ...\n`);
      baseline = await conformantRun(2);
    }
    baselineMs = baseline.durationMs;
    process.stdout.write(
      `  ${baseline.status}, exit ${baseline.exitCode} (${(baselineMs / 1000).toFixed(0)} s)\n`,
    );
    if (baseline.status !== 'Survived') {
      process.stderr.write(
        `mutation: the conformant run did not pass, so no mutant can be judged: ${baseline.reason}\n`,
      );
      return 1;
    }
    const reached = new Set(JSON.parse(await readFile(coverageFile, 'utf8')) as string[]);
    const timeoutMs = Math.max(3 * baselineMs, baselineMs + 120_000);
    mutationStarted = performance.now();
    for (const [i, mutant] of chosen.entries()) {
      if (judged.has(mutant.key)) continue;
      const entry = triage.get(mutant.key);
      if (!reached.has(mutant.id)) {
        const status = triaged('NoCoverage', entry);
        outcomes.push({ mutant, status, ...(entry ? { triage: entry } : {}) });
        process.stdout.write(`[${i + 1}/${chosen.length}] ${mutant.key}: ${status} (not reached)\n`);
        await writeReports(false);
        continue;
      }
      const run = await runMutant({
        cli: mutantCli,
        mutantId: mutant.id,
        reportDir: join(work, `mutant-${mutant.id}`),
        runFlags: flags.runFlags,
        timeoutMs,
        stopAtFirstFailure: true,
      });
      const status = triaged(run.status, entry);
      outcomes.push({ mutant, status, run, ...(entry ? { triage: entry } : {}) });
      await writeReports(false);
      process.stdout.write(
        `[${i + 1}/${chosen.length}] ${mutant.key}: ${status}${run.statements.length > 0 ? ` by ${run.statements.join(', ')}` : ''} (${(run.durationMs / 1000).toFixed(0)} s)\n`,
      );
    }
  } finally {
    await downKeptLab(CLI, lab);
    await rm(work, { recursive: true, force: true });
  }
  const { score, summary } = await writeReports(true);
  process.stdout.write(`\n${summary}\nreport: ${join(flags.reportDir, 'index.html')}\n`);
  if (score.untriaged > 0) {
    process.stderr.write(`mutation: ${score.untriaged} survivors are not triaged in ${TRIAGE_FILE}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
