/**
 * Run options: defaults, then the options file, then flags (flags win). The same schema checks
 * the options file, so a typo there is a one-line error naming the field.
 */
import { z } from 'zod';
import { redactValue } from '../common/secrets.js';
import { PROVIDER_NAMES, type ProviderName } from '../env/provider-names.js';
import { PROVIDERS } from '../env/providers.js';
import { parseDuration } from '../spec/duration.js';
import { REACH_RULE_NAMES } from '../spec/scope-reach.js';
import { TIMEOUT_NAMES, type TimeoutName, type Timeouts, timeoutProblem } from '../spec/timeouts.js';

/** `auto`, then every provider of the table (env/provider-names.ts). */
export const PROVIDER_CHOICES = ['auto', ...PROVIDER_NAMES] as const;
export const PROFILE_CHOICES = ['core', 'extended', 'all'] as const;
export const FAMILY_CHOICES = ['ipv4', 'ipv6', 'dual'] as const;

const timeouts = z
  .partialRecord(z.enum(TIMEOUT_NAMES as [string, ...string[]]), z.string())
  .superRefine((values, ctx) => {
    for (const [name, text] of Object.entries(values)) {
      const problem = text === undefined ? undefined : timeoutProblem(name as TimeoutName, text);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
  });

/** The run's own fields of the options file, as `run`'s flags name them (docs/commands.md). */
const RUN_FIELDS = {
  provider: z.enum(PROVIDER_CHOICES).optional(),
  profile: z.enum(PROFILE_CHOICES).optional(),
  runTests: z.array(z.string()).optional(),
  skipTests: z.array(z.string()).optional(),
  /** `--retries`, `--max-failures`: see docs/run-control.md. */
  retries: z.number().int().min(0).max(10).optional(),
  maxFailures: z.number().int().min(0).optional(),
  family: z.enum(FAMILY_CHOICES).optional(),
  reportDir: z.string().optional(),
  timeouts: timeouts.optional(),
  keep: z.boolean().optional(),
  parallel: z.number().int().min(1).max(16).optional(),
  skipProvisional: z.boolean().optional(),
  suites: z.string().optional(),
  implementation: z
    .strictObject({
      name: z.string(),
      version: z.string(),
      organization: z.string().optional(),
      url: z.string().optional(),
      contact: z.array(z.string()).optional(),
    })
    .optional(),
  /** Console reporters (`list`, `line`, `dot`, `github`); checked by the CLI. */
  reporter: z.union([z.string(), z.array(z.string())]).optional(),
};

/**
 * Reach rules of the scope guard (spec/scope-reach.ts) allowed for one named spec each, with
 * why; recorded in the report. Nothing else of the guard can be allowed.
 */
const scopeExceptions = z
  .array(
    z.strictObject({
      rule: z.enum(REACH_RULE_NAMES),
      // One spec by its id: no pattern (`*`), so an exception never allows a rule for every spec.
      spec: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected one scenario id (lower case, digits, -), not a pattern'),
      // A reason of only spaces says nothing, like an empty one: the exception is printed with it.
      reason: z.string().regex(/\S/, 'expected a reason (not empty or blank)'),
    }),
  )
  .superRefine((entries, ctx) => {
    // A second entry for one rule and spec is refused, not merged: which reason would the report
    // record? A copy-paste slip should be seen, not silently collapsed.
    const first = new Map<string, number>();
    entries.forEach((entry, i) => {
      const key = `${entry.rule} ${entry.spec}`;
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `a second exception of rule ${entry.rule} for spec ${entry.spec} (the first is scopeExceptions[${earlier}]); expected each rule and spec once`,
        });
      }
    });
  })
  .optional();

/** A provider table as the options file needs it: each entry's settings schema, by name. */
type SectionTable<K extends string> = Readonly<
  Record<K, { readonly settings: { readonly schema: z.ZodType } }>
>;

/**
 * One section per entry of the provider table (`lab:`, `kind:`, `existing:`). Reading the file
 * checks only that a section is a mapping: the chosen provider's own schema parses it, once, with
 * errors naming `<section>.<field>` (run/session/provider-choice.ts).
 */
function providerSections<K extends string>(table: SectionTable<K>) {
  const section = z.record(z.string(), z.unknown()).optional();
  return Object.fromEntries(Object.keys(table).map((name) => [name, section])) as Record<K, typeof section>;
}

/** The options file for a provider table: every key optional, names as in docs/commands.md. */
export function optionsFileSchemaFor<K extends string>(table: SectionTable<K>) {
  return z.strictObject({ ...RUN_FIELDS, ...providerSections(table), scopeExceptions });
}

/**
 * The options file as a document describes it (schemas/options-file.schema.json): each
 * provider's section is its settings schema from the table.
 */
export function optionsFileDocumentSchema<K extends string>(table: SectionTable<K>) {
  const sections = Object.fromEntries(
    Object.entries<{ readonly settings: { readonly schema: z.ZodType } }>(table).map(([name, entry]) => [
      name,
      entry.settings.schema.optional(),
    ]),
  );
  return z.strictObject({ ...RUN_FIELDS, ...sections, scopeExceptions });
}

/** The options file of this build: its sections are the provider table's (env/providers.ts). */
export const optionsFileSchema = optionsFileSchemaFor(PROVIDERS);
export type OptionsFile = z.infer<typeof optionsFileSchema>;

export interface RunOptions {
  provider: (typeof PROVIDER_CHOICES)[number];
  profile: (typeof PROFILE_CHOICES)[number];
  runTests: string[];
  skipTests: string[];
  family?: (typeof FAMILY_CHOICES)[number];
  reportDir: string;
  timeouts: Partial<Timeouts>;
  keep: boolean;
  /** Tests run side by side; undefined: the environment's suggestion. */
  parallel?: number;
  dryRun: boolean;
  debug: boolean;
  skipProvisional: boolean;
  suites?: string;
  implementation?: OptionsFile['implementation'];
  /** The options file's `scopeExceptions` (recorded in the report with the options). */
  scopeExceptions?: NonNullable<OptionsFile['scopeExceptions']>;
  /** Reporters by name (report/select.ts); undefined: the defaults for where the run is. */
  reporters?: string[];
  /** Every test's steps on the console, not only a failed test's. */
  verbose?: boolean;
  /** `--shard I/N`: this run's slice of the plan. */
  shard?: { index: number; total: number };
  /** `--grep`, `--grep-invert`: regular expressions over `<id> <title>`. */
  grep?: string;
  grepInvert?: string;
  /** `--statement`, `--feature`: scenarios covering any of these. */
  statements?: string[];
  features?: string[];
  /** `--last-failed`: the tests that failed last time (`<id>/<family>`), filled in by the session. */
  lastFailed?: string[];
  /** `--retries N`: a failed test runs again up to N times (flaky when it then passes). */
  retries?: number;
  /** `--max-failures N`: no test starts once N have failed. */
  maxFailures?: number;
  /** Each provider's section of the options file. */
  providerOptions: Record<ProviderName, Record<string, unknown>>;
}

export function defaultReportDir(now = new Date()): string {
  return `test-results/${now.toISOString().replace(/[:.]/g, '-')}`;
}

export function timeoutsFrom(raw: Record<string, string> | undefined): Partial<Timeouts> {
  const result: Partial<Timeouts> = {};
  for (const [name, text] of Object.entries(raw ?? {})) {
    result[name as keyof Timeouts] = parseDuration(text) as number;
  }
  return result;
}

/** A copy safe to print and report: secrets replaced, by key and by value (common/secrets.ts). */
export function redactOptions(value: unknown): unknown {
  return redactValue(value);
}
