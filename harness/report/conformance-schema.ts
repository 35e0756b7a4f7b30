/**
 * The ConformanceReport: what a vendor hands in. Shaped after Gateway API's conformance report
 * (implementation, profiles with core and extended results, supported and unsupported features,
 * failed and skipped tests), plus what this suite adds: the environment's fingerprint, a verdict
 * per statement (docs/behaviour.md), and pointers to the packet evidence. This zod schema is the
 * definition; schemas/conformance-report.schema.json is generated from it.
 */
import { z } from 'zod';
import { PROVIDER_NAMES } from '../env/provider-names.js';

export const REPORT_API_VERSION = 'egress-conformance.io/v1alpha1';

/**
 * A profile part's result, by Gateway API's rules: `success` only when the run was whole and every
 * statement of the part the environment supports was tested and passed; `partial` when some
 * passed and none failed; `failure` when any failed; `not-run` when nothing of it ran.
 */
const result = z.enum(['success', 'partial', 'failure', 'not-run']);
const statistics = z.strictObject({
  passed: z.number().int().min(0),
  failed: z.number().int().min(0),
  skipped: z.number().int().min(0),
  /** Tests that passed only on a retry (`--retries`); absent when none. */
  flaky: z.number().int().min(0).optional(),
});
const testName = z.string().regex(/^[a-z0-9-]+\/(ipv4|ipv6|dual)$/);
const skippedTest = z.strictObject({ test: testName, reason: z.string(), message: z.string() });

const section = z.strictObject({
  result,
  statistics,
  failedTests: z.array(testName),
  skippedTests: z.array(skippedTest),
});

export const conformanceReportSchema = z.strictObject({
  apiVersion: z.literal(REPORT_API_VERSION),
  kind: z.literal('ConformanceReport'),
  date: z.iso.datetime(),
  runId: z.string().min(1),
  egressConformanceVersion: z.string().min(1),
  implementation: z.strictObject({
    name: z.string().min(1),
    version: z.string().min(1),
    organization: z.string().optional(),
    url: z.string().optional(),
    contact: z.array(z.string()).optional(),
    /** True when the results come from the embedded reference lab: never a certification. */
    reference: z.boolean(),
  }),
  /** Plain words on what the report is worth. */
  certification: z.string().min(1),
  provider: z.enum(PROVIDER_NAMES),
  environment: z.strictObject({
    id: z.string(),
    families: z.array(z.enum(['ipv4', 'ipv6'])),
    nodes: z.number().int().min(0),
    networks: z.array(z.string()),
    fingerprint: z.record(z.string(), z.string()),
  }),
  options: z.record(z.string(), z.unknown()),
  /** The run as a whole: a part's result, or `error` when the run could not run (preflight, bring-up). */
  result: z.enum(['success', 'partial', 'failure', 'not-run', 'error']),
  /**
   * What the run selected. `narrowed` (by --run-test, --skip-tests, --suites, --shard, a single
   * --family where the environment offers more) is never a profile's success. Tests it left out
   * are not in `tests` nor in any count.
   */
  selection: z.strictObject({
    scope: z.enum(['full', 'narrowed']),
    narrowedBy: z.array(z.string()),
    plannedTests: z.number().int().min(0),
    selectedTests: z.number().int().min(0),
    tests: z.array(testName),
  }),
  /** Every selected test, counted once: what the console, JUnit and the HTML page also count. */
  statistics,
  profiles: z.array(
    z.strictObject({
      name: z.string(),
      core: section,
      extended: section.extend({
        supportedFeatures: z.array(z.string()),
        unsupportedFeatures: z.array(z.string()),
      }),
      /** Provisional statements: measured and reported, never counted. */
      provisional: z.strictObject({ statistics, failedTests: z.array(testName) }),
    }),
  ),
  statements: z.array(
    z.strictObject({
      id: z.string(),
      /** The statement in one line (docs/behaviour.md has it in full). */
      summary: z.string(),
      feature: z.string(),
      profile: z.enum(['core', 'extended']),
      result: z.enum(['passed', 'failed', 'not-tested']),
      tests: z.array(testName),
    }),
  ),
  tests: z.array(
    z.strictObject({
      name: testName,
      scenario: z.string(),
      title: z.string(),
      family: z.enum(['ipv4', 'ipv6', 'dual']),
      profile: z.enum(['core', 'extended']),
      features: z.array(z.string()),
      statements: z.array(z.string()),
      provisional: z.boolean(),
      status: z.enum(['passed', 'failed', 'skipped']),
      /** Passed on a retry after failing: flaky, never plain passed. */
      flaky: z.boolean().optional(),
      /** The failed attempts before the result, each with where its evidence is. */
      retries: z
        .array(
          z.strictObject({
            attempt: z.number().int().min(1),
            message: z.string(),
            captures: z.array(z.string()),
            diagnostics: z.string().optional(),
          }),
        )
        .optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      durationMs: z.number().min(0),
      evidence: z.array(
        z.strictObject({
          probe: z.string(),
          capture: z.string(),
          expected: z.string(),
          totalPackets: z.number().int().min(0),
          matchedPackets: z.number().int().min(0),
          passed: z.boolean(),
          /** What the test measured, in milliseconds or counts: failoverMs, leakWindowMs, ... */
          measurements: z.record(z.string(), z.number()).optional(),
        }),
      ),
      diagnostics: z.string().optional(),
    }),
  ),
  phases: z.array(z.strictObject({ name: z.string(), durationMs: z.number().min(0) })),
  interrupted: z.boolean(),
  /** What failed outside the tests: bring-up (no test ran), teardown, a report writer. */
  errors: z
    .array(
      z.strictObject({
        phase: z.enum(['preflight', 'bring-up', 'teardown', 'reporter', 'run']),
        message: z.string(),
      }),
    )
    .optional(),
  /** Set on one shard's report (`run --shard I/N`): the other shards' tests are left out here. */
  shard: z.strictObject({ index: z.number().int().min(1), total: z.number().int().min(1) }).optional(),
  /** Set on a merged report (`merge-reports`): the runs it was merged from. */
  mergedFrom: z.array(z.string()).optional(),
});

export type ConformanceReport = z.infer<typeof conformanceReportSchema>;
