/**
 * Sharpness: the suite must fail on every known fault of the reference lab, for the statements
 * the fault table (harness/env/lab/reference/faults.ts) names, and pass on the conformant lab.
 *
 *   npm run sharpness                  every fault, the whole core profile each, both families
 *   npm run sharpness -- no-snat ...   only these faults (run flags such as --family ipv4 pass on)
 *   npm run sharpness -- --profile all the extended profile too: faults are also judged against
 *                                      their extended statements (a fault with only extended
 *                                      statements always runs its extended scenarios: with
 *                                      --profile extended, or all when asked for all)
 *
 * Prints the fault x statement matrix and exits 1 when a fault went uncaught. All runs share one
 * lab (brought up first, removed at the end) and use timeouts sized for the lab, which settles
 * within a second: a fault is caught by what the packets and objects show, not by waiting.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { FAULTS, type FaultDefinition } from '../harness/env/lab/reference/faults.js';
import { loadCatalogue } from '../harness/spec/catalogue.js';
import { STATEMENTS, statementById } from '../harness/spec/statements.js';
import { cleanUpOnSignal, downKeptLab, familyFlags, type KeptLab, upKeptLab } from './kept-lab.js';

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

/** One cell: what the fault's run showed for one statement it ran. */
function cellMark(outcome: FaultOutcome, statement: string, expected: readonly string[]): string {
  if (outcome.skipped?.includes(statement)) return 'skip';
  const failed = outcome.failed.includes(statement);
  if (expected.includes(statement)) return failed ? 'caught' : 'MISSED';
  if (failed) return 'also';
  return outcome.fault === 'conformant' ? 'pass' : '-';
}

/**
 * The matrix: one row per fault, one column per statement the runs checked: the profile's, and
 * every extended one when extended-only faults ran the extended scenarios.
 */
export function renderMatrix(outcomes: FaultOutcome[], profile: SharpnessProfile = 'core'): string {
  const faults = new Map<string, FaultDefinition>(FAULTS.map((f) => [f.name, f]));
  const ranExtended = outcomes.some(
    (o) => (o.profile ?? profileFor(faults.get(o.fault), profile)) !== 'core',
  );
  const statements = STATEMENTS.filter((s) => s.profile === 'core' || ranExtended).map((s) => s.id);
  const width = Math.max(...outcomes.map((o) => o.fault.length), 'fault'.length);
  // Every column as wide as its widest mark ('caught', 'MISSED') or its label.
  const columnWidth = (s: string) => Math.max(s.replace('ES-', '').length, 'caught'.length);
  const header = [
    'fault'.padEnd(width),
    ...statements.map((s) => s.replace('ES-', '').padEnd(columnWidth(s))),
  ].join(' | ');
  const rows = outcomes.map((o) => {
    const fault = faults.get(o.fault);
    const expected: readonly string[] = fault ? expectedStatements(fault, profile) : [];
    const ran = o.profile ?? profileFor(fault, profile);
    const cells = statements.map((s) => {
      const inRun = ran === 'all' || statementById(s)?.profile === ran;
      const mark = inRun ? cellMark(o, s, expected) : '';
      return mark.padEnd(columnWidth(s));
    });
    return [o.fault.padEnd(width), ...cells].join(' | ');
  });
  return [header, header.replace(/[^|]/g, '-'), ...rows].join('\n');
}

async function main(): Promise<number> {
  // Fault names, and run flags (e.g. --family ipv4) passed on to every run.
  const args = process.argv.slice(2);
  const runFlags = args.filter((a, i) => a.startsWith('--') || args[i - 1]?.startsWith('--'));
  const wanted = args.filter((a) => !runFlags.includes(a));
  const unknown = wanted.filter((name) => !FAULTS.some((f) => f.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `sharpness: unknown fault ${unknown.join(', ')}; see \`egress-conformance lab faults\`\n`,
    );
    return 2;
  }
  const faults = FAULTS.filter((f) => wanted.length === 0 || wanted.includes(f.name));
  const dir = await mkdtemp(join(tmpdir(), 'egress-conformance-sharpness-'));
  let lab: KeptLab | undefined;
  cleanUpOnSignal(CLI, dir, () => lab);
  const outcomes: FaultOutcome[] = [];
  const started = performance.now();
  lab = await upKeptLab(CLI, familyFlags(runFlags));
  try {
    // The conformant lab runs every scenario any fault runs, so that each column has its baseline.
    const conformantFlags = faults.some((f) => profileFor(f, profileOf(runFlags)) !== 'core')
      ? [...withoutProfile(runFlags), '--profile', 'all']
      : runFlags;
    const report = (outcome: FaultOutcome, since: number) =>
      process.stdout.write(
        `  exit ${outcome.exitCode}; failed: ${outcome.failed.join(', ') || 'nothing'}${outcome.missed.length > 0 ? `; MISSED ${outcome.missed.join(', ')}` : ''} (${((performance.now() - since) / 1000).toFixed(0)} s)\n`,
      );
    process.stdout.write(`conformant (profile ${profileOf(conformantFlags)}) ...\n`);
    const baselineStarted = performance.now();
    const baseline = await runWithFault(undefined, {
      reportDir: join(dir, 'conformant'),
      extraArgs: conformantFlags,
    });
    outcomes.push(baseline);
    report(baseline, baselineStarted);
    for (const fault of faults) {
      process.stdout.write(`fault ${fault.name} ...\n`);
      const faultStarted = performance.now();
      const outcome = await runWithFault(fault, { reportDir: join(dir, fault.name), extraArgs: runFlags });
      outcomes.push(outcome);
      report(outcome, faultStarted);
    }
  } finally {
    await downKeptLab(CLI, lab);
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${renderMatrix(outcomes, profileOf(runFlags))}\n`);
  process.stdout.write(
    '\ncaught: the statement failed, as the fault table expects; MISSED: it passed despite the fault;\n' +
      'also: failed without being listed (a fault often breaks more than its main statement);\n' +
      'blank: not in that run (extended-only faults run the extended scenarios only);\n' +
      'skip: every test of the statement was skipped (e.g. not supported by the lab).\n',
  );
  const conformant = outcomes[0];
  const missed = outcomes.filter((o) => o.fault !== 'conformant' && !caught(o));
  const elapsed = ((performance.now() - started) / 60000).toFixed(1);
  process.stdout.write(
    `\n${faults.length} faults in ${elapsed} min; conformant lab: exit ${conformant?.exitCode}\n`,
  );
  return conformant?.exitCode === 0 && missed.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
