/**
 * What `merge-reports` accepts from a shard's report directory. A results.json is input like any
 * other: read bounded (a regular file of at most RESULTS_MAX_BYTES, so a FIFO, /dev/zero or a huge
 * file is refused, not waited on or swallowed), parsed against a schema of the fields the merged
 * reports use, and refused in one line naming the file and the field. And shards merge only when
 * they are one run: the same run fingerprint (runFingerprint).
 */
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import { InputFileError, readInputText } from '../common/input-file.js';
import { realPathAhead } from '../common/real-path.js';
import type { RunResult } from '../run/results.js';
import { loadCatalogue } from '../spec/catalogue.js';
import type { ScopeException } from '../spec/loader.js';
import { REPORT_FILES } from './reporters/files.js';

/** A shard's results.json: the whole catalogue with every packet of its timelines is a few MiB. */
export const RESULTS_MAX_BYTES = 64 * 1024 * 1024;

const count = z.number().int().min(0);
/** A path inside the report directory: relative, no `..`, no backslash tricks. */
const reportPath = z
  .string()
  .refine(
    (p) => p === '' || (!isAbsolute(p) && !normalize(p).split(/[\\/]/).includes('..') && !p.includes('\\')),
    {
      message: 'expected a path inside the report directory (relative, without ..)',
    },
  );

/**
 * Names the merge prints on the console and in summary.txt as they are (a feature, a statement id,
 * a phase): held to the characters the suite writes, so a shard cannot carry an escape sequence,
 * a bidi override or a newline followed by a workflow command (`::error`, `::add-mask::`).
 */
const featureName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'expected a feature name (letters, digits)');
const statementId = z.string().regex(/^[A-Z][A-Z0-9-]{0,63}$/, 'expected a statement id (ES-...)');
const phaseName = z
  .string()
  .regex(/^[\x20-\x7e]{1,200}$/, 'expected a phase name of printable ASCII (no control or bidi characters)');

/**
 * A date and time as a run writes it (`new Date().toISOString()`, or ISO 8601 with an offset): a
 * shard's `startedAt: "not a date"` made the merged run last 37903706 minutes (hostile round 5).
 */
const isoDate = z
  .string()
  .refine(
    (t) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(t) &&
      !Number.isNaN(Date.parse(t)),
    { message: 'expected an ISO 8601 date and time (e.g. 2026-11-26T10:00:00.000Z)' },
  );

const shard = z
  .strictObject({ index: z.number().int().min(1), total: z.number().int().min(1) })
  .refine((s) => s.index <= s.total, { message: 'expected index from 1 to total' });

const step = z.looseObject({
  index: count,
  kind: z.string(),
  line: count,
  status: z.enum(['passed', 'failed', 'not-run']),
  durationMs: z.number().min(0),
  detail: z.string(),
  startedAtMs: z.number().optional(),
});

const evidence = z.looseObject({
  probe: z.string(),
  capture: reportPath,
  target: z.string(),
  protocol: z.string(),
  expected: z.string(),
  totalPackets: count,
  matchedPackets: count,
  sources: z.record(z.string(), count),
  attempts: count,
  attemptsOk: count,
  passed: z.boolean(),
  message: z.string(),
  measurements: z.record(z.string(), z.number()).optional(),
  family: z.enum(['ipv4', 'ipv6']).optional(),
  firstPacketMs: z.number().optional(),
  absentAt: z
    .array(
      z.looseObject({ peer: z.string(), capture: reportPath, packets: count, sources: z.array(z.string()) }),
    )
    .optional(),
});

const test = z.looseObject({
  scenarioId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a scenario id (lower case, digits, -)'),
  title: z.string(),
  file: z.string(),
  profile: z.string(),
  features: z.array(featureName),
  statements: z.array(statementId),
  provisional: z.boolean(),
  family: z.enum(['ipv4', 'ipv6', 'dual']),
  namespace: z.string(),
  status: z.enum(['passed', 'failed', 'skipped']),
  skipReason: z
    .enum(['not-supported', 'not-selected', 'provisional', 'interrupted', 'not-run', 'other-shard'])
    .optional(),
  message: z.string().optional(),
  failedStatements: z.array(statementId).optional(),
  durationMs: z.number().min(0),
  steps: z.array(step),
  evidence: z.array(evidence).optional(),
  diagnostics: reportPath.optional(),
});

const runSchema = z
  .looseObject({
    runId: z.string().regex(/^[A-Za-z0-9+_-]+$/, 'expected a run id'),
    toolVersion: z.string(),
    startedAt: isoDate,
    finishedAt: isoDate,
    environment: z.looseObject({
      provider: z.string(),
      id: z.string(),
      implementation: z.looseObject({ name: z.string(), version: z.string(), reference: z.boolean() }),
      fingerprint: z.record(z.string(), z.string()).optional(),
    }),
    options: z.record(z.string(), z.unknown()),
    tests: z.array(test),
    phases: z.array(z.looseObject({ name: phaseName, durationMs: z.number() })),
    interrupted: z.boolean(),
    errors: z.array(z.looseObject({ phase: z.string(), message: z.string() })).optional(),
    shard: shard.optional(),
    mergedFrom: z.unknown().optional(),
  })
  .superRefine((run, ctx) => {
    if (Date.parse(run.finishedAt) < Date.parse(run.startedAt))
      ctx.addIssue({ code: 'custom', path: ['finishedAt'], message: `before startedAt (${run.startedAt})` });
    // A run writes its shard twice (results and options): a shard saying it is two shards at once
    // would be counted as one and planned as the other.
    const optionsShard = run.options.shard;
    if (optionsShard !== undefined && JSON.stringify(optionsShard) !== JSON.stringify(run.shard)) {
      ctx.addIssue({
        code: 'custom',
        path: ['options', 'shard'],
        message: `${shardText(optionsShard)} differs from shard ${shardText(run.shard)}: expected the shard the run ran as`,
      });
    }
  });

/** `I/N` of a shard as a run writes it, or what the file holds instead (for the refusal). */
function shardText(value: unknown): string {
  const s = value as { index?: unknown; total?: unknown } | undefined;
  const text = s && typeof s === 'object' ? `${String(s.index)}/${String(s.total)}` : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** `tests[3].steps[0].line`: the field a schema issue names. */
function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  return (
    path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('') ||
    '(top)'
  );
}

/** Reads and checks the run a report directory holds; a refusal is one line naming file and field. */
export async function readRunResult(dir: string): Promise<RunResult> {
  const file = join(dir, REPORT_FILES.results);
  let text: string;
  try {
    text = await readInputText(file, { maxBytes: RESULTS_MAX_BYTES, label: 'merge-reports' });
  } catch (error) {
    if (error instanceof InputFileError && error.code === 'ENOENT') {
      throw new UsageError(
        `merge-reports: ${dir}: no ${REPORT_FILES.results}; expected a report directory written by \`run\``,
      );
    }
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`merge-reports: ${file}: not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = runSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new UsageError(`merge-reports: ${file}: ${fieldOf(issue.path)}: ${issue.message}`);
  }
  parsed.data.tests.forEach((test, i) => {
    const contradiction = statusContradiction(test);
    if (contradiction) throw new UsageError(`merge-reports: ${file}: tests[${i}].status: ${contradiction}`);
  });
  return { ...(parsed.data as unknown as RunResult), reportDir: resolve(dir) };
}

/**
 * Why a test's status contradicts its own record (undefined: it does not). A run writes a skip
 * reason exactly on skipped tests; a test that passed ran its steps, none of them failed, and it
 * has no failed statement and no failure message; a test that failed says why (a message) and
 * which statements failed. A shard saying `passed` for a test
 * its own steps, failedStatements or message show failed would be counted as a pass.
 */
export function statusContradiction(test: {
  status: string;
  skipReason?: string;
  message?: string;
  failedStatements?: unknown[];
  steps: Array<{ status: string }>;
}): string | undefined {
  if (test.status === 'skipped' && test.skipReason === undefined)
    return "'skipped' without a skipReason: expected the reason a run writes";
  if (test.status !== 'skipped' && test.skipReason !== undefined)
    return `'${test.status}' contradicts skipReason '${test.skipReason}': a test with a skip reason did not run`;
  const failedStep = test.steps.findIndex((s) => s.status === 'failed');
  const failedStatements = test.failedStatements?.length ?? 0;
  if (test.status === 'passed') return passedContradiction(test, failedStep, failedStatements);
  if (test.status === 'failed' && !test.message)
    return "'failed' without a message: a test that failed says why";
  if (test.status === 'failed' && failedStatements === 0)
    return "'failed' without failedStatements: a test that failed names the statements it failed";
  return undefined;
}

function passedContradiction(
  test: { message?: string; steps: unknown[] },
  failedStep: number,
  failedStatements: number,
): string | undefined {
  if (test.steps.length === 0) return "'passed' with no step: a test that passed ran its steps";
  if (failedStep >= 0) return `'passed' contradicts steps[${failedStep}].status 'failed'`;
  if (failedStatements > 0)
    return "'passed' contradicts failedStatements: a test that passed failed no statement";
  if (test.message) return "'passed' contradicts message: a test that passed has no failure message";
  return undefined;
}

/** Options that say how a run was shown or where it wrote, not what it ran. */
const PRESENTATION_OPTIONS = new Set([
  'shard',
  'reportDir',
  'reporters',
  'verbose',
  'debug',
  'dryRun',
  'parallel',
]);

/**
 * Fingerprint entries that name one environment rather than describe it: the lab's random id.
 * The lab-shards workflow runs each shard on a lab of its own, so shards of one run differ there.
 */
export const ENVIRONMENT_IDENTITY_KEYS: ReadonlySet<string> = new Set(['labId']);

/**
 * The environment's shape: what makes two environments run a test the same way (provider,
 * families, node count, features, images, and the fingerprint's versions), not which one it was.
 */
export function environmentShape(environment: RunResult['environment']): string {
  const env = environment as RunResult['environment'] & {
    families?: unknown;
    nodes?: unknown;
    features?: unknown;
    images?: unknown;
  };
  const fingerprint = Object.entries(env.fingerprint ?? {})
    .filter(([key]) => !ENVIRONMENT_IDENTITY_KEYS.has(key))
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify({
    provider: env.provider,
    families: env.families ?? null,
    nodes: Array.isArray(env.nodes) ? env.nodes.length : null,
    features: env.features ?? null,
    images: env.images ?? null,
    fingerprint: Object.fromEntries(fingerprint),
  });
}

/**
 * What must be equal for runs to be shards of one run: the tool version, the options that choose
 * and run tests, the selection (every test each shard planned, with whether it was selected), the
 * environment's provider, shape (environmentShape: not its id) and implementation. Each part
 * named, for the refusal.
 */
export function runFingerprint(run: RunResult): Record<string, string> {
  const options = Object.fromEntries(
    Object.entries(run.options)
      .filter(([key]) => !PRESENTATION_OPTIONS.has(key))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const selection = run.tests.map(
    (t) => `${t.scenarioId}/${t.family}:${t.skipReason === 'not-selected' ? 'out' : 'in'}`,
  );
  return {
    'tool version': run.toolVersion,
    options: JSON.stringify(options),
    selection: JSON.stringify(selection),
    provider: run.environment.provider,
    environment: environmentShape(run.environment),
    implementation: JSON.stringify(run.environment.implementation),
  };
}

/** Refuses runs that are not one run (exit 2, one line naming the first part that differs). */
export function checkOneRun(runs: RunResult[], dirs: readonly string[]): void {
  const [first, ...rest] = runs.map(runFingerprint);
  if (!first) return;
  rest.forEach((other, i) => {
    for (const [part, value] of Object.entries(first)) {
      if (other[part] !== value) {
        throw new UsageError(
          `merge-reports: ${dirs[i + 1]} is not a shard of the run in ${dirs[0]}: its ${part} differs`,
        );
      }
    }
  });
}

/** Each input named once (by real path): a directory named twice read as two runs of every test. */
export async function checkDistinctInputs(dirs: readonly string[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    const real = await realPathAhead(dir);
    const first = seen.get(real);
    if (first !== undefined) {
      throw new UsageError(
        `merge-reports: ${dir} is the same directory as ${first}: expected each shard's report directory once`,
      );
    }
    seen.set(real, dir);
  }
}

/** The merged report must not be written into (or over) one of its inputs. */
export async function checkOutputNotInput(reportDir: string, dirs: readonly string[]): Promise<void> {
  // Real paths: a --report-dir that is a link to an input (or under one) would overwrite it.
  const out = await realPathAhead(reportDir);
  for (const dir of dirs) {
    const input = await realPathAhead(dir);
    if (out === input || out.startsWith(`${input}/`) || input.startsWith(`${out}/`)) {
      throw new UsageError(
        `merge-reports: --report-dir ${reportDir} overlaps the input ${dir}: expected a directory of its own`,
      );
    }
  }
}

/** The fields of a test that say what it proves: they must be its scenario's, as the catalogue has it. */
const SCENARIO_FIELDS = ['title', 'profile', 'features', 'statements', 'provisional'] as const;

/**
 * Each test of each shard is a scenario of this tool's catalogue (the run's suites), with the
 * scenario's title, profile, features, statements and provisional flag. A shard's own claims are
 * not trusted: a core test listing extended statements would have them reported as passed, and a
 * forged pair of shards agrees with itself (and with any fingerprint it carries), not with the
 * catalogue. The options the shards share (checkOneRun) name the suites and scope exceptions.
 */
export async function checkAgainstCatalogue(runs: RunResult[], dirs: readonly string[]): Promise<void> {
  const first = runs[0];
  if (!first) return;
  const suites = typeof first.options.suites === 'string' ? first.options.suites : undefined;
  const exceptions = Array.isArray(first.options.scopeExceptions)
    ? (first.options.scopeExceptions as ScopeException[])
    : [];
  let catalogue: Awaited<ReturnType<typeof loadCatalogue>>;
  try {
    catalogue = await loadCatalogue(undefined, suites, undefined, exceptions);
  } catch (error) {
    throw new UsageError(
      `merge-reports: ${join(dirs[0] ?? '', REPORT_FILES.results)}: options.suites: the run's catalogue cannot be read here (${(error as Error).message.split('\n')[0]}): merge where the run ran`,
    );
  }
  const byId = new Map(catalogue.scenarios.map((loaded) => [loaded.scenario.id, loaded.scenario]));
  runs.forEach((run, r) => {
    run.tests.forEach((test, i) => {
      const where = `merge-reports: ${join(dirs[r] ?? '', REPORT_FILES.results)}: tests[${i}]`;
      const scenario = byId.get(test.scenarioId);
      if (!scenario)
        throw new UsageError(
          `${where}.scenarioId: '${test.scenarioId}' is not a scenario of the run's catalogue`,
        );
      const own: Record<string, unknown> = { ...scenario, provisional: scenario.provisional === true };
      const claimed: Record<string, unknown> = { ...test };
      const differs = SCENARIO_FIELDS.find((f) => JSON.stringify(claimed[f]) !== JSON.stringify(own[f]));
      if (differs)
        throw new UsageError(
          `${where}.${differs}: differs from scenario ${test.scenarioId} in the catalogue; a shard's test must be its scenario as this tool has it`,
        );
    });
  });
}
