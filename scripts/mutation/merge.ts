/**
 * `--merge DIR...`: the outcomes of several reports (CI shards, or runs judged side by side) read
 * back from their mutation.json files, each mutant found again by its key among the current
 * sources' mutants, and the current triage applied (a survivor triaged after its run counts as
 * triaged in the merged report).
 *
 * A mutant judged in more than one report (a survivor of a narrow run judged again with wider
 * run flags, or a shard resumed) keeps its strongest verdict: a failed test in any run kills it.
 * Order: Killed, Timeout, Survived, RuntimeError, NoCoverage; between equals, the later report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MutantInfo } from './mutants.js';
import { type MutantOutcome, triaged } from './report.js';
import type { MutantRun, RunStatus } from './run-mutant.js';
import type { TriageEntry } from './triage.js';

interface ReportedMutant {
  status: string;
  description?: string;
  statusReason?: string;
  killedBy?: string[];
  duration?: number;
  testsCompleted?: number;
}

/** The status before triage: an Ignored mutant's reason says what it was. */
function rawStatus(m: ReportedMutant): RunStatus | 'NoCoverage' {
  if (m.status !== 'Ignored') return m.status as RunStatus | 'NoCoverage';
  const was = /^equivalent \(was (\w+)\)/.exec(m.statusReason ?? '')?.[1];
  return (was ?? 'Survived') as RunStatus | 'NoCoverage';
}

function runOf(status: RunStatus, m: ReportedMutant): MutantRun {
  const reason = (m.statusReason ?? '')
    .replace(/ Triage: .*$/s, '')
    .replace(/^equivalent \(was \w+\): .*$/s, '');
  const killed = /^statements ([^:]*): (.*)$/s.exec(reason);
  return {
    status,
    statements: killed?.[1] ? killed[1].split(', ') : [],
    killedBy: m.killedBy ?? [],
    reason: killed?.[2] ?? reason,
    exitCode: status === 'Survived' ? 0 : 1,
    durationMs: m.duration ?? 0,
    testsCompleted: m.testsCompleted ?? 0,
  };
}

const STRENGTH: Record<RunStatus | 'NoCoverage', number> = {
  NoCoverage: 0,
  RuntimeError: 1,
  Survived: 2,
  Timeout: 3,
  Killed: 4,
};

/** The outcomes of the reports in `dirs`, in their order, each mutant once. */
export async function mergeOutcomes(
  dirs: readonly string[],
  mutants: readonly MutantInfo[],
  triage: ReadonlyMap<string, TriageEntry>,
): Promise<MutantOutcome[]> {
  const byKey = new Map(mutants.map((m) => [m.key, m]));
  const outcomes = new Map<string, MutantOutcome>();
  const strength = new Map<string, number>();
  for (const dir of dirs) {
    const report = JSON.parse(await readFile(join(dir, 'mutation.json'), 'utf8')) as {
      files: Record<string, { mutants: ReportedMutant[] }>;
    };
    for (const file of Object.values(report.files)) {
      for (const reported of file.mutants) {
        const key = (reported.description ?? '').split(': ')[0] ?? '';
        const mutant = byKey.get(key);
        if (!mutant)
          throw new Error(
            `${join(dir, 'mutation.json')}: mutant ${key} is not among the current sources' mutants`,
          );
        const raw = rawStatus(reported);
        if ((strength.get(key) ?? -1) > STRENGTH[raw]) continue;
        strength.set(key, STRENGTH[raw]);
        const entry = triage.get(key);
        outcomes.set(key, {
          mutant,
          status: triaged(raw, entry),
          ...(raw === 'NoCoverage' ? {} : { run: runOf(raw, reported) }),
          ...(entry ? { triage: entry } : {}),
        });
      }
    }
  }
  return [...outcomes.values()];
}
