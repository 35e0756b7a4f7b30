/** What a run produced: one result per scenario x family, with its evidence. Reports read this. */
import type { EnvironmentDescription, IpFamily } from '../env/environment.js';
import type { Profile } from '../spec/statements.js';

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
  | 'interrupted';

export interface StepResult {
  index: number;
  kind: string;
  /** Line of the step in the spec file. */
  line: number;
  status: 'passed' | 'failed' | 'not-run';
  durationMs: number;
  /** One line: what was checked and what was seen. */
  detail: string;
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
  protocol: 'tcp' | 'udp';
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
}

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
}

export function testKey(result: Pick<TestResult, 'scenarioId' | 'family'>): string {
  return `${result.scenarioId}/${result.family}`;
}

/** A run passes when no counted test failed (provisional failures are reported, not counted). */
export function runPassed(run: RunResult): boolean {
  return !run.interrupted && run.tests.every((t) => t.status !== 'failed' || t.provisional);
}
