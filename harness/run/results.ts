/** What a run produced: one result per scenario x family, with its evidence. Reports read this. */
import type {
  EnvironmentDescription,
  IpFamily,
  ProbeEvidence,
  ProbeFlow,
  ProbeProtocol,
} from '../env/environment.js';
import type { Profile } from '../spec/statements.js';
import type { PacketSeries } from '../verdict/timeline.js';

export type { PacketSeries } from '../verdict/timeline.js';

/** A test instance runs on one family, or on both at once for dual-stack scenarios. */
export type TestFamily = IpFamily | 'dual';

export type TestStatus = 'passed' | 'failed' | 'skipped';

export type SkipReason =
  /** The environment lacks a feature, family, node count or network the scenario needs. */
  | 'not-supported'
  /** Left out by --profile, --run-test or --skip-tests. */
  | 'not-selected'
  /** A provisional scenario the run was asked not to run. */
  | 'provisional'
  /** The run was interrupted before this test could start. */
  | 'interrupted'
  /** The environment never came up (bring-up failed), or `--max-failures` stopped the run first. */
  | 'not-run'
  /** `--shard I/N`: another shard of the run runs this test. */
  | 'other-shard';

export interface StepResult {
  index: number;
  kind: string;
  /** Line of the step in the spec file. */
  line: number;
  status: 'passed' | 'failed' | 'not-run';
  durationMs: number;
  /** One line: what was checked and what was seen. */
  detail: string;
  /** When the step began (ms since the epoch), for the report's timeline. */
  startedAtMs?: number;
}

/** A moment of a test beyond its steps' own begin and end, e.g. status.host first seen. */
export interface TimelineEvent {
  atMs: number;
  kind: string;
  label: string;
}

/** Something that went wrong outside any test: preflight, bring-up, teardown, a reporter. */
export interface RunError {
  phase: 'preflight' | 'bring-up' | 'teardown' | 'reporter' | 'run';
  message: string;
}

export interface PacketRecord {
  time: string;
  src: string;
  dst: string;
  srcPort: number | null;
  dstPort: number | null;
}

/** A probe's evidence as the reports show it. */
export interface ProbeEvidenceRecord {
  probe: string;
  /** Capture path relative to the report directory. */
  capture: string;
  target: string;
  protocol: ProbeProtocol;
  expected: string;
  totalPackets: number;
  matchedPackets: number;
  sources: Record<string, number>;
  offenders: PacketRecord[];
  attempts: number;
  attemptsOk: number;
  passed: boolean;
  message: string;
  /** Measurements a scenario reports (e.g. failover time, leak window), in milliseconds. */
  measurements?: Record<string, number>;
  /** The family of the probe traffic. */
  family?: IpFamily;
  /** Time of the first probe packet at the target (ms since the epoch), when measured. */
  firstPacketMs?: number;
  /** Every probe packet of the capture, for the report's timeline. */
  packets?: PacketSeries;
  /** The captures of the peers the flow must not reach (`expect.absentAt`), with what arrived. */
  absentAt?: Array<{ peer: string; capture: string; packets: number; sources: string[] }>;
  /** The probe's flow (source pods, target address, port, protocol), for the diagnostics' trace. */
  flow?: ProbeFlow;
  /** Who sent from each source address, by name ("worker-1", "web-7c9f on worker-1"), if known. */
  senders?: Record<string, string>;
}

export interface TestResult {
  scenarioId: string;
  title: string;
  file: string;
  profile: Profile;
  features: string[];
  statements: string[];
  provisional: boolean;
  family: TestFamily;
  namespace: string;
  status: TestStatus;
  skipReason?: SkipReason;
  /** Why it was skipped or how it failed, one line. */
  message?: string;
  /** Statement IDs the failure is evidence against. */
  failedStatements?: string[];
  startedAt?: string;
  durationMs: number;
  steps: StepResult[];
  evidence: ProbeEvidenceRecord[];
  /** Diagnostics bundle, relative to the report directory. */
  diagnostics?: string;
  /** Moments the steps reported (e.g. status.host first seen), for the timeline. */
  events?: TimelineEvent[];
  /** Probe rounds a later round replaced (probes with `until`), for the timeline only. */
  earlierEvidence?: ProbeEvidenceRecord[];
  /**
   * `--retries N`: the failed attempts before this result, oldest first, each with its own
   * evidence and diagnostics (a retry never hides a failure's evidence).
   */
  retries?: TestAttempt[];
  /** Passed on a retry after failing: reported as flaky, never as plain passed. */
  flaky?: boolean;
}

/** A failed attempt of a test that was retried: what it saw, where its files are. */
export type TestAttempt = Pick<
  TestResult,
  'failedStatements' | 'startedAt' | 'durationMs' | 'steps' | 'evidence' | 'diagnostics'
> & {
  /** 1 for the first attempt. */
  attempt: number;
  message: string;
};

/** How one attempt of a test ended (the runner's verdict before it becomes a TestResult). */
export type TestEnding =
  | { outcome: 'passed' }
  | { outcome: 'failed'; message: string }
  | { outcome: 'interrupted' };

export interface PhaseTiming {
  name: string;
  durationMs: number;
}

export interface RunResult {
  runId: string;
  toolVersion: string;
  startedAt: string;
  finishedAt: string;
  environment: EnvironmentDescription;
  /** Effective options, with secrets removed. */
  options: Record<string, unknown>;
  tests: TestResult[];
  phases: PhaseTiming[];
  interrupted: boolean;
  reportDir: string;
  /** Bring-up, teardown or reporter errors: the run's reports are written all the same. */
  errors?: RunError[];
  /** `--shard I/N`: this run is one slice of a larger one. */
  shard?: { index: number; total: number };
  /** A merged report: the runs (shards) it was merged from. */
  mergedFrom?: Array<{ runId: string; reportDir: string; shard?: { index: number; total: number } }>;
}

export function testKey(result: Pick<TestResult, 'scenarioId' | 'family'>): string {
  return `${result.scenarioId}/${result.family}`;
}

/**
 * A run passes when no counted test failed (provisional failures are reported, not counted) and
 * nothing outside the tests failed (bring-up, teardown, a report that could not be written).
 */
export function runPassed(run: RunResult): boolean {
  return (
    !run.interrupted &&
    (run.errors ?? []).length === 0 &&
    run.tests.every((t) => t.status !== 'failed' || t.provisional)
  );
}

/** The flow of a probe, as its evidence record keeps it. */
export function probeFlowOf(evidence: ProbeEvidence): ProbeFlow {
  return {
    sources: evidence.request.sources,
    address: evidence.targetAddress,
    port: evidence.request.port,
    protocol: evidence.request.protocol,
  };
}
