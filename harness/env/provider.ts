/**
 * A provider brings an Environment up and down. The CLI picks one by name (or `auto`); the
 * runner never sees which. A provider is generic over its settings `S`: its section of the options
 * file, parsed once by the schema of its entry in the provider table (providers.ts) before any
 * method is called, so that no method parses (or can mistype) the section again.
 */
import type { z } from 'zod';
import type { Logger } from '../common/log.js';
import type { Environment, EnvironmentDescription, IpFamily, ProviderName } from './environment.js';

/**
 * A provider's section of the options file (`lab:`, `kind:`, `existing:`): its zod schema (what the
 * options file's JSON schema shows) and the parser that turns the section into the provider's
 * settings, with a one-line UsageError naming `<section>.<field>` for anything it refuses.
 */
export interface SettingsSchema<S> {
  readonly schema: z.ZodType;
  parse(raw: Record<string, unknown> | undefined): S;
}

export interface ProviderOptions<S = unknown> {
  runId: string;
  /** Families the user asked for; undefined = the provider's default. */
  families?: IpFamily[];
  /** Leave the environment up after the run, for reuse. */
  keep: boolean;
  /** The provider's section of the options file (`lab:`, `kind:`, `existing:`), parsed once. */
  settings: S;
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

export interface Provider<S = unknown> {
  readonly name: ProviderName;
  /**
   * Checks the provider's environment variables (the lab's `EC_LAB_IMAGE_PREFIX`) before anything
   * is created; throws a UsageError naming the variable and what was expected.
   */
  checkEnvironmentVariables?(): void;
  /** What the environment will look like, computed without creating anything (for --dry-run). */
  plannedDescription(options: ProviderOptions<S>): EnvironmentDescription;
  /** What this host lacks to run the provider; empty when it can. */
  preflight(options: ProviderOptions<S>): Promise<PreflightProblem[]>;
  up(options: ProviderOptions<S>): Promise<UpResult>;
  /**
   * Removes environments: the one of `id`, or every one this tool created (`all`). One another
   * run is using is left up and named in `kept`, unless `force`.
   */
  down(options: ProviderOptions<S> & { all: boolean; id?: string; force?: boolean }): Promise<DownResult>;
  status(options: ProviderOptions<S>): Promise<EnvironmentStatus[]>;
  /** The complete bring-up plan (every command and manifest, in order), where the provider has one. */
  printPlan?(options: ProviderOptions<S>): string;
}
