/**
 * The sample's results as a mutation-testing-report-schema report (schema version 2), the format
 * the mutation-testing elements show, and the score.
 *
 * Statuses: Killed (a test failed; `killedBy` the failed tests, the reason the first failure),
 * Survived, Timeout, NoCoverage (the conformant run never reached the mutant's code: it was not
 * run), RuntimeError (the run ended in an error without a failed test). A mutant triaged as
 * equivalent is reported as Ignored with the triage's reason, and left out of the score, whatever
 * its run said: an equivalent mutant "killed" was killed by a failure it did not cause (a test
 * that failed by timing on a loaded machine), and the summary counts those as false kills.
 */
import type { MutantInfo } from './mutants.js';
import type { MutantRun, RunStatus } from './run-mutant.js';
import type { TriageEntry } from './triage.js';

export type MutantStatus = RunStatus | 'NoCoverage' | 'Ignored';

export interface MutantOutcome {
  mutant: MutantInfo;
  status: MutantStatus;
  run?: MutantRun;
  /** The triage entry of a survivor (or of an unreached mutant), if any. */
  triage?: TriageEntry;
}

export interface Score {
  total: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  runtimeError: number;
  equivalent: number;
  /** Survivors (and unreached mutants) triaged as gaps. */
  gaps: number;
  untriaged: number;
  /** Killed among those not triaged equivalent (runtime errors left out), in percent. */
  killedPercent: number;
  /** Killed or timed out (Stryker's "detected") among the same, in percent. */
  detectedPercent: number;
  /** Mutants triaged equivalent that a run nevertheless "killed" (or timed out): failures they did not cause. */
  falseKills: number;
  /** Kills whose first failure was late, not wrong (see `lateKill`). */
  lateKills: number;
  /** Killed among the same with late kills counted as survivors: the score a quiet machine bounds from below. */
  firmKilledPercent: number;
}

/**
 * A kill whose first failure is a wait that saw its condition hold at the end, only too late
 * (`held 1 of 2 polls in a row` at the bound): on a loaded machine that is as likely timing as the
 * mutant. Such kills are counted, and named, apart.
 */
export function lateKill(run: MutantRun | undefined): boolean {
  return run?.status === 'Killed' && /not within \d+ms: held [1-9]\d* of \d+ polls in a row/.test(run.reason);
}

export function scoreOf(outcomes: readonly MutantOutcome[]): Score {
  const count = (status: MutantStatus) => outcomes.filter((o) => o.status === status).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  const percent = (n: number) => (valid === 0 ? 0 : Math.round((n / valid) * 1000) / 10);
  const undetected = outcomes.filter((o) => o.status === 'Survived' || o.status === 'NoCoverage');
  return {
    total: outcomes.length,
    killed,
    timeout,
    survived,
    noCoverage,
    runtimeError: count('RuntimeError'),
    equivalent: count('Ignored'),
    falseKills: outcomes.filter(
      (o) => o.status === 'Ignored' && (o.run?.status === 'Killed' || o.run?.status === 'Timeout'),
    ).length,
    gaps: undetected.filter((o) => o.triage?.verdict === 'gap').length,
    untriaged: undetected.filter((o) => !o.triage).length,
    killedPercent: percent(killed),
    detectedPercent: percent(killed + timeout),
    lateKills: outcomes.filter((o) => o.status === 'Killed' && lateKill(o.run)).length,
    firmKilledPercent: percent(
      killed - outcomes.filter((o) => o.status === 'Killed' && lateKill(o.run)).length,
    ),
  };
}

/** A mutant's final status after triage: an equivalent one is Ignored, whatever its run said. */
export function triaged(status: MutantStatus, triage: TriageEntry | undefined): MutantStatus {
  return triage?.verdict === 'equivalent' ? 'Ignored' : status;
}

function statusReason(o: MutantOutcome): string {
  const triage = o.triage ? ` Triage: ${o.triage.verdict}: ${o.triage.reason}` : '';
  if (o.status === 'Ignored')
    return `equivalent (was ${o.run ? o.run.status : 'NoCoverage'}): ${o.triage?.reason}`;
  if (o.status === 'NoCoverage')
    return `the conformant run never reached this code, so no test can see it.${triage}`;
  if (o.status === 'Killed') return `statements ${o.run?.statements.join(', ')}: ${o.run?.reason ?? ''}`;
  return `${o.run?.reason ?? ''}${triage}`;
}

export interface ReportInput {
  outcomes: readonly MutantOutcome[];
  /** Every mutated file's source (the report shows each mutant in its file). */
  sources: ReadonlyMap<string, string>;
  config: Record<string, unknown>;
  performance: { setup: number; initialRun: number; mutation: number };
  frameworkVersion: string;
}

/** The report object (JSON-serialisable) in mutation-testing-report-schema version 2. */
export function mutationReport(input: ReportInput): Record<string, unknown> {
  const files: Record<string, { language: string; source: string; mutants: unknown[] }> = {};
  for (const [name, source] of input.sources) files[name] = { language: 'typescript', source, mutants: [] };
  const tests = new Set<string>();
  for (const o of input.outcomes) {
    const killedBy = o.run?.killedBy ?? [];
    for (const t of killedBy) tests.add(t);
    files[o.mutant.file]?.mutants.push({
      id: o.mutant.id,
      mutatorName: o.mutant.mutatorName,
      replacement: o.mutant.replacement,
      description: `${o.mutant.key}: \`${o.mutant.original}\` -> \`${o.mutant.replacement}\``,
      location: o.mutant.location,
      status: o.status,
      statusReason: statusReason(o),
      ...(killedBy.length > 0 ? { killedBy } : {}),
      ...(o.run ? { testsCompleted: o.run.testsCompleted, duration: Math.round(o.run.durationMs) } : {}),
    });
  }
  // Mutants in a file in the order of their place in it.
  for (const file of Object.values(files)) {
    file.mutants.sort((a, b) => {
      const la = (a as { location: MutantInfo['location'] }).location.start;
      const lb = (b as { location: MutantInfo['location'] }).location.start;
      return la.line - lb.line || la.column - lb.column;
    });
  }
  return {
    schemaVersion: '2',
    thresholds: { high: 90, low: 80 },
    files,
    testFiles: {
      // The tests that killed a mutant: a scenario and its family (`scenario/ipv4`).
      suites: { tests: [...tests].sort().map((t) => ({ id: t, name: t })) },
    },
    framework: {
      name: 'egress-conformance mutation (StrykerJS instrumenter)',
      version: input.frameworkVersion,
    },
    performance: input.performance,
    config: input.config,
  };
}

/** One self-contained page: the mutation-testing elements' bundle and the report, inline. */
export function mutationPage(report: Record<string, unknown>, elementsBundle: string, title: string): string {
  // `<` as \u003c keeps `</script>` in any source text from ending the script element.
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${title.replace(/[<>&"]/g, '')}</title>`,
    `<script>${elementsBundle}</script>`,
    '</head><body>',
    '<mutation-test-report-app title-postfix="egress-conformance"></mutation-test-report-app>',
    `<script>document.querySelector('mutation-test-report-app').report = ${json};</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
