/**
 * Sharpness: the suite must fail on every known fault of the reference lab, for the statements
 * the fault table (harness/env/lab/reference/faults.ts) names, and pass on the conformant lab.
 *
 *   npm run sharpness -- --shard I/N   only the I-th of N slices of the runs (the conformant
 *                                      baseline and the faults, dealt in turn), for a CI matrix
 *   npm run sharpness -- --merge DIR... the matrix of shards' results (each DIR a --report-dir)
 *   --report-dir DIR                   where sharpness.json and the matrix page (index.html) go
 *                                      (default test-results/sharpness-<timestamp>)
 *
 *   npm run sharpness                  every fault, the whole core profile each, both families
 *   npm run sharpness -- no-snat ...   only these faults (run flags such as --family ipv4 pass on)
 *   npm run sharpness -- --profile all the extended profile too: faults are also judged against
 *                                      their extended statements (a fault with only extended
 *                                      statements always runs its extended scenarios: with
 *                                      --profile extended, or all when asked for all)
 *   npm run sharpness -- --serial      every run twice: with the lab's tests side by side, and one
 *                                      at a time (--parallel 1); a statement counts as failed only
 *                                      when both runs failed it, so a fault caught only while tests
 *                                      overlap is not caught (a verdict must not depend on
 *                                      parallelism). `--parallel 1` alone runs the matrix serially.
 *   npm run sharpness -- --only-expected each fault runs only the scenarios of its own statements,
 *                                      and the conformant baseline only those of every fault run:
 *                                      a narrower matrix (no "also failed"), for a few faults
 *
 * Prints the fault x statement matrix and exits 1 when a fault went uncaught. All runs share one
 * lab (brought up first, removed at the end) and use timeouts sized for the lab, which settles
 * within a second: a fault is caught by what the packets and objects show, not by waiting.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { parseShard } from '../harness/cli/commands/run.js';
import { UsageError } from '../harness/common/errors.js';
import { FAULTS, type FaultDefinition } from '../harness/env/lab/reference/faults.js';
import { STYLE } from '../harness/report/html/assets.js';
import { esc } from '../harness/report/html/escape.js';
import { defaultReportDir } from '../harness/run/options.js';
import type { Shard } from '../harness/run/plan.js';
import { loadCatalogue } from '../harness/spec/catalogue.js';
import { STATEMENTS, statementById } from '../harness/spec/statements.js';
import { cleanUpOnSignal, downKeptLab, type KeptLab, keptLabFlags, upKeptLab } from './kept-lab.js';

const CLI = resolve(fileURLToPath(new URL('../bin/egress-conformance.js', import.meta.url)));

/** Timeouts for the lab: every change there is in effect within a couple of seconds. */
export const LAB_TIMEOUTS = [
  'placement=20s',
  'convergence=15s',
  'ingress=20s',
  'bgp=20s',
  'deletion=20s',
  'podsReady=60s',
];

export interface FaultOutcome {
  fault: string;
  exitCode: number;
  /** Statements whose scenarios failed. */
  failed: string[];
  /** Expected statements that did not fail: the suite missed the fault there. */
  missed: string[];
  /** One failure message per failed test, for the evidence. */
  messages: string[];
  /** The profile the run used (default: what `profileFor` says for the fault). */
  profile?: SharpnessProfile;
  /** Statements whose every test was skipped (e.g. EgressIP on the lab). */
  skipped?: string[];
  /**
   * With `--serial`: statements that failed only while tests ran side by side, not one at a
   * time (or the other way round): not counted as failed, since a verdict must not depend on
   * parallelism.
   */
  parallelismDependent?: string[];
}

interface ReportTest {
  name: string;
  status: string;
  statements: string[];
  message?: string;
}

export type SharpnessProfile = 'core' | 'extended' | 'all';

/**
 * The profile a fault runs with: one with only extended statements needs the extended scenarios
 * (the core ones cannot catch it, so a core-profile matrix skips them for that fault).
 */
export function profileFor(fault: FaultDefinition | undefined, profile: SharpnessProfile): SharpnessProfile {
  return fault && fault.statements.length === 0 && profile === 'core' ? 'extended' : profile;
}

/** The statements a fault must fail: its core ones, and its extended ones with the extended profile. */
export function expectedStatements(fault: FaultDefinition, profile: SharpnessProfile): string[] {
  return profileFor(fault, profile) !== 'core'
    ? [...fault.statements, ...(fault.extendedStatements ?? [])]
    : [...fault.statements];
}

/**
 * Caught: every expected statement failed, and the run's exit code says what the failures
 * count for: 1 when a non-provisional statement failed, 0 when only provisional ones did (their
 * failures are reported and never fail a run; a fault may also break counted statements).
 */
export function caught(outcome: FaultOutcome): boolean {
  const counted = outcome.failed.some((id) => statementById(id)?.provisional !== true);
  return outcome.missed.length === 0 && outcome.exitCode === (counted ? 1 : 0);
}

/** Scenario ids that check any of the statements (to run only those, when asked). */
export async function scenariosFor(
  statements: readonly string[],
  profile: SharpnessProfile = 'core',
): Promise<string[]> {
  const catalogue = await loadCatalogue(undefined);
  return catalogue.scenarios
    .filter(
      ({ scenario }) =>
        (profile === 'all' || scenario.profile === profile) &&
        scenario.statements.some((s) => statements.includes(s)),
    )
    .map(({ scenario }) => scenario.id);
}

/** `--profile` among the run flags (core unless given). */
function profileOf(flags: readonly string[]): SharpnessProfile {
  const at = flags.indexOf('--profile');
  const value = at >= 0 ? flags[at + 1] : undefined;
  return value === 'all' || value === 'extended' ? value : 'core';
}

/** The run flags without `--profile VALUE`. */
function withoutProfile(flags: readonly string[]): string[] {
  const at = flags.indexOf('--profile');
  return at < 0 ? [...flags] : [...flags.slice(0, at), ...flags.slice(at + 2)];
}

/** Runs the suite with one fault (or none) and reads back which statements failed. */
export async function runWithFault(
  fault: FaultDefinition | undefined,
  options: { reportDir: string; onlyExpected?: boolean; extraArgs?: string[] },
): Promise<FaultOutcome> {
  const flags = options.extraArgs ?? [];
  const asked = profileOf(flags);
  const profile = profileFor(fault, asked);
  // Extended-only faults need the extended scenarios, whatever the flags say.
  const runFlags = profile === asked ? flags : withoutProfile(flags);
  const args = ['run', '--provider', 'lab', '--report-dir', options.reportDir, ...runFlags];
  if (profile !== asked || !flags.includes('--profile')) args.push('--profile', profile);
  for (const timeout of LAB_TIMEOUTS) args.push('--timeout', timeout);
  if (fault) args.push('--lab-fault', fault.name);
  const expected = fault ? expectedStatements(fault, asked) : [];
  if (fault && options.onlyExpected) {
    for (const id of await scenariosFor(expected, profile)) args.push('--run-test', id);
  }
  const result = await execa('node', [CLI, ...args], { reject: false, all: true });
  let tests: ReportTest[] = [];
  try {
    const report = JSON.parse(await readFile(join(options.reportDir, 'conformance-report.json'), 'utf8'));
    tests = report.tests as ReportTest[];
  } catch {
    throw new Error(`the run wrote no report (exit ${result.exitCode}):\n${result.all}`);
  }
  const failedTests = tests.filter((t) => t.status === 'failed');
  const failed = [...new Set(failedTests.flatMap((t) => t.statements))].sort();
  const ran = new Set(tests.filter((t) => t.status !== 'skipped').flatMap((t) => t.statements));
  const skipped = [...new Set(tests.flatMap((t) => t.statements))].filter((id) => !ran.has(id)).sort();
  return {
    fault: fault?.name ?? 'conformant',
    exitCode: result.exitCode ?? -1,
    failed,
    missed: expected.filter((s) => !failed.includes(s)),
    messages: failedTests.map((t) => `${t.name}: ${t.message ?? ''}`),
    profile,
    skipped,
  };
}

/**
 * The outcome of the same run made side by side (the lab's parallelism) and one test at a time
 * (`--parallel 1`): a statement failed when both failed it; one that failed in only one of them
 * depends on parallelism and counts as not failed (for a fault, as missed). The exit code is the
 * worse of the two, so that a conformant lab passes only when both runs pass.
 */
export function combineParallelism(sideBySide: FaultOutcome, serial: FaultOutcome): FaultOutcome {
  const failed = sideBySide.failed.filter((id) => serial.failed.includes(id));
  const dependent = [...new Set([...sideBySide.failed, ...serial.failed])]
    .filter((id) => !failed.includes(id))
    .sort();
  const missed = [...new Set([...sideBySide.missed, ...serial.missed])].sort();
  const skipped = (sideBySide.skipped ?? []).filter((id) => (serial.skipped ?? []).includes(id));
  return {
    fault: sideBySide.fault,
    exitCode: Math.max(sideBySide.exitCode, serial.exitCode),
    failed,
    missed,
    messages: [...sideBySide.messages, ...serial.messages.map((m) => `[--parallel 1] ${m}`)],
    ...(sideBySide.profile ? { profile: sideBySide.profile } : {}),
    skipped,
    parallelismDependent: dependent,
  };
}

/** One cell: what the fault's run showed for one statement it ran. */
function cellMark(outcome: FaultOutcome, statement: string, expected: readonly string[]): string {
  if (outcome.skipped?.includes(statement)) return 'skip';
  // Failed in one of the two runs only (--serial): for an expected statement, a miss.
  if (outcome.parallelismDependent?.includes(statement))
    return expected.includes(statement) ? 'OVERLAP' : 'flaky';
  const failed = outcome.failed.includes(statement);
  if (expected.includes(statement)) return failed ? 'caught' : 'MISSED';
  if (failed) return 'also';
  return outcome.fault === 'conformant' ? 'pass' : '-';
}

export interface SharpnessMatrix {
  statements: string[];
  rows: Array<{ fault: string; cells: string[] }>;
}

/**
 * The matrix: one row per fault, one column per statement the runs checked: the profile's, and
 * every extended one when extended-only faults ran the extended scenarios.
 */
export function matrixOf(outcomes: FaultOutcome[], profile: SharpnessProfile = 'core'): SharpnessMatrix {
  const faults = new Map<string, FaultDefinition>(FAULTS.map((f) => [f.name, f]));
  const ranExtended = outcomes.some(
    (o) => (o.profile ?? profileFor(faults.get(o.fault), profile)) !== 'core',
  );
  const statements = STATEMENTS.filter((s) => s.profile === 'core' || ranExtended).map((s) => s.id);
  const rows = outcomes.map((o) => {
    const fault = faults.get(o.fault);
    const expected: readonly string[] = fault ? expectedStatements(fault, profile) : [];
    const ran = o.profile ?? profileFor(fault, profile);
    const cells = statements.map((s) => {
      const inRun = ran === 'all' || statementById(s)?.profile === ran;
      return inRun ? cellMark(o, s, expected) : '';
    });
    return { fault: o.fault, cells };
  });
  return { statements, rows };
}

export function renderMatrix(outcomes: FaultOutcome[], profile: SharpnessProfile = 'core'): string {
  const { statements, rows } = matrixOf(outcomes, profile);
  const width = Math.max(...outcomes.map((o) => o.fault.length), 'fault'.length);
  // Every column as wide as its widest mark ('caught', 'MISSED') or its label.
  const columnWidth = (s: string) => Math.max(s.replace('ES-', '').length, 'caught'.length);
  const header = [
    'fault'.padEnd(width),
    ...statements.map((s) => s.replace('ES-', '').padEnd(columnWidth(s))),
  ].join(' | ');
  const lines = rows.map((row) =>
    [
      row.fault.padEnd(width),
      ...row.cells.map((c, i) => c.padEnd(columnWidth(statements[i] as string))),
    ].join(' | '),
  );
  return [header, header.replace(/[^|]/g, '-'), ...lines].join('\n');
}

/**
 * One line per run, for docs/sharpness.md: the statements the fault table names, whether each failed,
 * what else failed, and the exit code (the matrix's content, narrow enough to read).
 */
export function renderFaultList(outcomes: FaultOutcome[], profile: SharpnessProfile = 'core'): string {
  const faults = new Map<string, FaultDefinition>(FAULTS.map((f) => [f.name, f]));
  const short = (ids: readonly string[]) => ids.map((id) => id.replace('ES-', '')).join(', ') || '-';
  const rows = outcomes.map((o) => {
    const fault = faults.get(o.fault);
    const expected = fault ? expectedStatements(fault, profile) : [];
    const verdict = fault
      ? caught(o)
        ? 'caught'
        : `MISSED ${short(o.missed)}`
      : o.exitCode === 0
        ? 'passed'
        : `FAILED ${short(o.failed)}`;
    const also = o.failed.filter((id) => !expected.includes(id));
    return [o.fault, short(expected), verdict, fault ? short(also) : '-', String(o.exitCode)];
  });
  const cells = [['run', 'must fail', 'verdict', 'also failed', 'exit'], ...rows];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const MARK_CLASS: Record<string, string> = {
  caught: 'passed',
  pass: 'passed',
  MISSED: 'failed',
  OVERLAP: 'failed',
  flaky: 'also',
  also: 'also',
  skip: 'skipped',
};

/** The matrix as a page: one self-contained HTML file, each fault's failure messages under it. */
export function renderSharpnessPage(
  outcomes: FaultOutcome[],
  profile: SharpnessProfile,
  note: string,
): string {
  const { statements, rows } = matrixOf(outcomes, profile);
  const table = [
    `<table class="matrix" id="sharpness"><tr><th>fault</th>${statements.map((s) => `<th>${esc(s.replace('ES-', ''))}</th>`).join('')}<th>exit</th></tr>`,
    ...rows.map((row, i) => {
      const outcome = outcomes[i] as FaultOutcome;
      const cells = row.cells
        .map(
          (c, j) =>
            `<td class="${MARK_CLASS[c] ?? ''}" data-statement="${esc(statements[j])}">${esc(c)}</td>`,
        )
        .join('');
      return `<tr data-fault="${esc(row.fault)}"><th>${esc(row.fault)}</th>${cells}<td>${outcome.exitCode}</td></tr>`;
    }),
    '</table>',
  ].join('\n');
  const details = outcomes
    .filter((o) => o.messages.length > 0)
    .map(
      (o) =>
        `<details><summary>${esc(o.fault)}: ${o.messages.length} failed tests</summary><ul>${o.messages.map((m) => `<li class="message">${esc(m)}</li>`).join('')}</ul></details>`,
    );
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<title>egress-conformance sharpness</title>',
    `<style>${STYLE} td.also { background: #fde7c2; }</style></head><body>`,
    "<h1>Sharpness: the reference lab's known faults x statements</h1>",
    `<p>${esc(note)}</p>`,
    table,
    '<p class="legend">caught: the statement failed, as the fault table expects; MISSED: it passed despite the fault; OVERLAP (with --serial): it failed in only one of the side-by-side and one-at-a-time runs, a miss; flaky: a statement not listed that failed in only one of them; also: failed without being listed; -: passed; blank: not in that run; skip: every test of the statement was skipped.</p>',
    '<h2>Failures</h2>',
    ...details,
    '</body></html>',
    '',
  ].join('\n');
}

/** Writes the outcomes (for --merge) and the page into `dir`. */
async function writeSharpness(
  dir: string,
  outcomes: FaultOutcome[],
  profile: SharpnessProfile,
  note: string,
) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'sharpness.json'), `${JSON.stringify({ profile, outcomes }, null, 2)}\n`);
  await writeFile(join(dir, 'index.html'), renderSharpnessPage(outcomes, profile, note));
}

/** `--shard I/N`: the runs (baseline first, then the faults) this shard makes, dealt in turn. */
export function shardRuns<T>(runs: T[], shard: { index: number; total: number } | undefined): T[] {
  return shard ? runs.filter((_, i) => i % shard.total === shard.index - 1) : runs;
}

function parseShardFlag(text: string | undefined): Shard | undefined {
  return text === undefined ? undefined : parseShard(text);
}

/** Takes `--name VALUE` out of the flags. */
function takeFlag(flags: string[], name: string): string | undefined {
  const at = flags.indexOf(name);
  if (at < 0) return undefined;
  const [, value] = flags.splice(at, 2);
  return value;
}

function printLegend(): void {
  process.stdout.write(
    '\ncaught: the statement failed, as the fault table expects; MISSED: it passed despite the fault;\n' +
      'also: failed without being listed (a fault often breaks more than its main statement);\n' +
      'blank: not in that run (extended-only faults run the extended scenarios only);\n' +
      'skip: every test of the statement was skipped (e.g. not supported by the lab);\n' +
      'OVERLAP (--serial): failed in only one of the side-by-side and one-at-a-time runs, a miss;\n' +
      'flaky (--serial): a statement not listed that failed in only one of them.\n',
  );
}

/** `--merge DIR...`: the shards' outcomes, in the order the runs were dealt, as one matrix. */
async function mergeShards(dirs: string[], reportDir: string): Promise<number> {
  const parts = await Promise.all(
    dirs.map(
      async (d) =>
        JSON.parse(await readFile(join(d, 'sharpness.json'), 'utf8')) as {
          profile: SharpnessProfile;
          outcomes: FaultOutcome[];
        },
    ),
  );
  const profile = parts[0]?.profile ?? 'core';
  const all = parts.flatMap((p) => p.outcomes);
  const order = ['conformant', ...FAULTS.map((f) => f.name)];
  const outcomes = all.sort((a, b) => order.indexOf(a.fault) - order.indexOf(b.fault));
  process.stdout.write(`${renderMatrix(outcomes, profile)}\n`);
  printLegend();
  process.stdout.write(`\n${renderFaultList(outcomes, profile)}\n`);
  await writeSharpness(reportDir, outcomes, profile, `Merged from ${dirs.length} shards.`);
  process.stdout.write(`\npage: ${join(reportDir, 'index.html')}\n`);
  const conformant = outcomes.find((o) => o.fault === 'conformant');
  const missed = outcomes.filter((o) => o.fault !== 'conformant' && !caught(o));
  return (conformant === undefined || conformant.exitCode === 0) && missed.length === 0 ? 0 : 1;
}

/** `lab.dataPlane` of the runs' `--options-file` (`linux` without one, or without the setting). */
export async function labDataPlaneOf(flags: readonly string[]): Promise<string> {
  const at = flags.indexOf('--options-file');
  const file = at >= 0 ? flags[at + 1] : undefined;
  if (!file) return 'linux';
  let options: unknown;
  try {
    options = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--options-file ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const lab = (options as { lab?: { dataPlane?: unknown } } | null)?.lab;
  return typeof lab?.dataPlane === 'string' ? lab.dataPlane : 'linux';
}

/** True when the fault lives in this data plane (faults without one live in every data plane). */
export function onDataPlane(fault: FaultDefinition | undefined, dataPlane: string): boolean {
  return fault?.dataPlane === undefined || fault.dataPlane === dataPlane;
}

/**
 * The faults a run makes: the named ones, or without names every fault of the runs' data plane
 * (an OVN fault changes nothing on the Linux one); undefined, after one line, for a named fault
 * of another data plane.
 */
async function faultsToRun(wanted: string[], runFlags: string[]): Promise<FaultDefinition[] | undefined> {
  const dataPlane = await labDataPlaneOf(runFlags);
  const foreign = wanted.filter(
    (name) =>
      !onDataPlane(
        FAULTS.find((f) => f.name === name),
        dataPlane,
      ),
  );
  if (foreign.length > 0) {
    process.stderr.write(
      `sharpness: ${foreign.join(', ')}: faults of the OVN data plane; pass --options-file with lab.dataPlane: ovn\n`,
    );
    return undefined;
  }
  return FAULTS.filter((f) => (wanted.length === 0 ? onDataPlane(f, dataPlane) : wanted.includes(f.name)));
}

/** The baseline of a narrowed matrix (`--only-expected`): the scenarios the faults run, no others. */
async function baselineTests(faults: readonly FaultDefinition[], asked: SharpnessProfile): Promise<string[]> {
  const ids = new Set<string>();
  for (const f of faults) {
    for (const id of await scenariosFor(expectedStatements(f, asked), profileFor(f, asked))) ids.add(id);
  }
  return [...ids].flatMap((id) => ['--run-test', id]);
}

async function main(): Promise<number> {
  // Fault names, and run flags (e.g. --family ipv4) passed on to every run.
  const args = process.argv.slice(2);
  const reportDir = resolve(
    takeFlag(args, '--report-dir') ?? defaultReportDir().replace(/\/([^/]+)$/, '/sharpness-$1'),
  );
  const mergeAt = args.indexOf('--merge');
  if (mergeAt >= 0) return mergeShards(args.slice(mergeAt + 1), reportDir);
  const shard = parseShardFlag(takeFlag(args, '--shard'));
  const onlyAt = args.indexOf('--only-expected');
  const onlyExpected = onlyAt >= 0;
  if (onlyExpected) args.splice(onlyAt, 1);
  const serialAt = args.indexOf('--serial');
  const serial = serialAt >= 0;
  if (serial) args.splice(serialAt, 1);
  if (serial && args.includes('--parallel')) {
    process.stderr.write(
      'sharpness: --serial runs each fault side by side and with --parallel 1; drop --parallel\n',
    );
    return 2;
  }
  const runFlags = args.filter((a, i) => a.startsWith('--') || args[i - 1]?.startsWith('--'));
  const wanted = args.filter((a) => !runFlags.includes(a));
  const unknown = wanted.filter((name) => !FAULTS.some((f) => f.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `sharpness: unknown fault ${unknown.join(', ')}; see \`egress-conformance lab faults\`\n`,
    );
    return 2;
  }
  const faults = await faultsToRun(wanted, runFlags);
  if (!faults) return 2;
  const dir = await mkdtemp(join(tmpdir(), 'egress-conformance-sharpness-'));
  let lab: KeptLab | undefined;
  cleanUpOnSignal(CLI, dir, () => lab);
  const outcomes: FaultOutcome[] = [];
  const started = performance.now();
  const runs: Array<FaultDefinition | undefined> = shardRuns([undefined, ...faults], shard);
  /** The fault's run, and with --serial the same run one test at a time, combined. */
  const runBoth = async (fault: FaultDefinition | undefined, at: string, flags: string[]) => {
    const sideBySide = await runWithFault(fault, { reportDir: at, extraArgs: flags, onlyExpected });
    if (!serial) return sideBySide;
    const oneAtATime = await runWithFault(fault, {
      reportDir: `${at}-serial`,
      extraArgs: [...flags, '--parallel', '1'],
      onlyExpected,
    });
    return combineParallelism(sideBySide, oneAtATime);
  };
  lab = await upKeptLab(CLI, keptLabFlags(runFlags));
  try {
    // The conformant lab runs every scenario any fault runs, so that each column has its baseline.
    const conformantFlags = faults.some((f) => profileFor(f, profileOf(runFlags)) !== 'core')
      ? [...withoutProfile(runFlags), '--profile', 'all']
      : [...runFlags];
    if (onlyExpected) conformantFlags.push(...(await baselineTests(faults, profileOf(runFlags))));
    const report = (outcome: FaultOutcome, since: number) =>
      process.stdout.write(
        `  exit ${outcome.exitCode}; failed: ${outcome.failed.join(', ') || 'nothing'}${outcome.missed.length > 0 ? `; MISSED ${outcome.missed.join(', ')}` : ''}${outcome.parallelismDependent?.length ? `; failed in one run only (side by side or --parallel 1): ${outcome.parallelismDependent.join(', ')}` : ''} (${((performance.now() - since) / 1000).toFixed(0)} s)\n`,
      );
    if (runs.includes(undefined)) {
      process.stdout.write(`conformant (profile ${profileOf(conformantFlags)}) ...\n`);
      const baselineStarted = performance.now();
      const baseline = await runBoth(undefined, join(dir, 'conformant'), conformantFlags);
      outcomes.push(baseline);
      report(baseline, baselineStarted);
    }
    for (const fault of runs) {
      if (!fault) continue;
      process.stdout.write(`fault ${fault.name} ...\n`);
      const faultStarted = performance.now();
      const outcome = await runBoth(fault, join(dir, fault.name), runFlags);
      outcomes.push(outcome);
      report(outcome, faultStarted);
    }
  } finally {
    await downKeptLab(CLI, lab);
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${renderMatrix(outcomes, profileOf(runFlags))}\n`);
  printLegend();
  const conformant = outcomes.find((o) => o.fault === 'conformant');
  const missed = outcomes.filter((o) => o.fault !== 'conformant' && !caught(o));
  const elapsed = ((performance.now() - started) / 60000).toFixed(1);
  const count = runs.filter(Boolean).length;
  const summary = `${count} faults in ${elapsed} min${shard ? ` (shard ${shard.index}/${shard.total})` : ''}${serial ? ', each side by side and with --parallel 1' : ''}; conformant lab: ${conformant ? `exit ${conformant.exitCode}` : 'in another shard'}`;
  process.stdout.write(`\n${summary}\n`);
  await writeSharpness(reportDir, outcomes, profileOf(runFlags), summary);
  process.stdout.write(`page: ${join(reportDir, 'index.html')}\n`);
  return (conformant === undefined || conformant.exitCode === 0) && missed.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main().catch((error: unknown) => {
    // A bad flag is one line and exit 2, as the CLI's are; anything else keeps its stack.
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`sharpness: ${error.message}\n`);
    return 2;
  });
}
