/**
 * A provider brings an Environment up and down. The CLI picks one by name (or `auto`); the
 * runner never sees which.
 */
import type { Logger } from '../common/log.js';
import type { Environment, EnvironmentDescription, IpFamily, ProviderName } from './environment.js';

export interface ProviderOptions {
  runId: string;
  /** Families the user asked for; undefined = the provider's default. */
  families?: IpFamily[];
  /** Leave the environment up after the run, for reuse. */
  keep: boolean;
  /** Provider-specific settings from the options file (`lab:`, `kind:`, `existing:`). */
  settings: Record<string, unknown>;
  log: Logger;
  signal: AbortSignal;
}

/** One missing prerequisite, with what to do about it. */
export interface PreflightProblem {
  item: string;
  problem: string;
  fix: string;
}

export interface UpResult {
  env: Environment;
  /** Phase timings of the bring-up (image build, containers, BGP, ...). */
  phases: Array<{ name: string; durationMs: number }>;
  reused: boolean;
}

/** What `down` did: what it removed, and the environments it left because a run uses them. */
export interface DownResult {
  removed: string[];
  /** Environments in use (their lease is held), left up; `force` removes them too. */
  kept: Array<{ id: string; why: string }>;
}

export interface EnvironmentStatus {
  id: string;
  state: string;
  details: string[];
}

export interface Provider {
  readonly name: ProviderName;
  /**
   * Checks this provider's own section of the options file (`lab:`, `kind:`, `existing:`)
   * before anything is created; throws a UsageError naming the field and what was expected.
   */
  checkSettings(settings: Record<string, unknown>): void;
  /**
   * Checks the provider's environment variables (the lab's `EC_LAB_IMAGE_PREFIX`) before anything
   * is created; throws a UsageError naming the variable and what was expected.
   */
  checkEnvironmentVariables?(): void;
  /** What the environment will look like, computed without creating anything (for --dry-run). */
  plannedDescription(options: ProviderOptions): EnvironmentDescription;
  /** What this host lacks to run the provider; empty when it can. */
  preflight(options: ProviderOptions): Promise<PreflightProblem[]>;
  up(options: ProviderOptions): Promise<UpResult>;
  /**
   * Removes environments: the one of `id`, or every one this tool created (`all`). One another
   * run is using is left up and named in `kept`, unless `force`.
   */
  down(options: ProviderOptions & { all: boolean; id?: string; force?: boolean }): Promise<DownResult>;
  status(options: ProviderOptions): Promise<EnvironmentStatus[]>;
  /** The complete bring-up plan (every command and manifest, in order), where the provider has one. */
  printPlan?(options: ProviderOptions): string;
}
