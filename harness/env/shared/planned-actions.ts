/**
 * Bring-up as data: a list of planned actions (a command's argv, a file and its content, a
 * manifest applied through kubectl) that one executor (plan-executor.ts) either prints
 * (`--dry-run`) or runs. The plan is the code path: there is no second description of what
 * bring-up does. The kind provider's whole bring-up and the existing provider's peer and
 * MetalLB objects are plans.
 *
 * Secrets never enter a plan: where one is needed, the action holds a placeholder
 * `{{secret:NAME}}`; printing shows `<redacted:NAME>`, executing substitutes the value, and any
 * error text is scrubbed of the value before it is thrown or logged.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../environment.js';

export interface Retry {
  attempts: number;
  delayMs: number;
  /** Multiplier for the delay after each failed attempt (MetalLB's run_with_retry doubles it). */
  backoff: number;
}

interface BaseAction {
  /** Group shown in the plan and in phase timings: network, cluster, ovn-kubernetes, ... */
  phase: string;
  title: string;
}

export interface RunAction extends BaseAction {
  type: 'run';
  argv: string[];
  env?: Record<string, string>;
  /** Text piped to the command (the YAML of `manifests` when present). */
  stdin?: string;
  /** The objects `stdin` holds, kept as data for validation and printing. */
  manifests?: KubeObject[];
  retry?: Retry;
  /** A failure is reported and bring-up goes on (cleanup steps, optional labels). */
  allowFailure?: boolean;
  timeoutMs?: number;
  /** Skip the command when this path exists (a clone made by an earlier run). */
  unlessExists?: string;
}

export interface WriteAction extends BaseAction {
  type: 'write';
  path: string;
  content: string;
}

export type PlannedAction = RunAction | WriteAction;

const PLACEHOLDER = /\{\{secret:([A-Za-z0-9_]+)\}\}/g;

/** Where a secret goes in a plan: the executor substitutes it, printing shows `<redacted:NAME>`. */
export function secretPlaceholder(name: string): string {
  return `{{secret:${name}}}`;
}

export function manifestsYaml(objects: KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** `kubectl apply` of manifests, as an action (server-side, so reruns converge). */
export function applyAction(
  phase: string,
  title: string,
  kubectl: string[],
  objects: KubeObject[],
  extra: Partial<RunAction> = {},
): RunAction {
  return {
    type: 'run',
    phase,
    title,
    argv: [
      ...kubectl,
      'apply',
      '--server-side',
      '--field-manager=egress-conformance',
      '--force-conflicts',
      '-f',
      '-',
    ],
    stdin: manifestsYaml(objects),
    manifests: objects,
    ...extra,
  };
}

export function redactText(text: string): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => `<redacted:${name}>`);
}

export function substituteSecrets(text: string, secrets: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    const value = secrets[name];
    if (value === undefined) throw new Error(`the plan needs the secret ${name}, which no setting provides`);
    return value;
  });
}

/** Replaces every secret value in text (error output, logs) with <redacted>. */
export function scrubSecrets(text: string, secrets: Record<string, string>): string {
  let result = text;
  for (const value of Object.values(secrets)) {
    if (value.length > 0) result = result.split(value).join('<redacted>');
  }
  return result;
}

const SAFE_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(arg: string): string {
  if (arg.length > 0 && SAFE_ARG.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}

export function formatArgv(argv: string[], env?: Record<string, string>): string {
  const prefix = Object.entries(env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)} `);
  return prefix.join('') + argv.map(shellQuote).join(' ');
}

/** The complete plan as text: every command with its arguments, every file and manifest, in order. */
export function printPlan(actions: PlannedAction[], heading?: string): string {
  const out: string[] = [];
  if (heading) out.push(heading);
  let phase = '';
  actions.forEach((action, i) => {
    if (action.phase !== phase) {
      phase = action.phase;
      out.push('', `## ${phase}`);
    }
    const notes: string[] = [];
    if (action.type === 'run') {
      if (action.retry) {
        notes.push(
          `retry ${action.retry.attempts}x, ${action.retry.delayMs / 1000}s x${action.retry.backoff}`,
        );
      }
      if (action.allowFailure) notes.push('failure tolerated');
      if (action.unlessExists) notes.push(`skipped if ${action.unlessExists} exists`);
      if (action.timeoutMs) notes.push(`timeout ${Math.round(action.timeoutMs / 1000)}s`);
    }
    out.push(`[${i + 1}] ${action.title}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
    if (action.type === 'write') {
      out.push(
        `write ${action.path}:`,
        ...redactText(action.content)
          .trimEnd()
          .split('\n')
          .map((l) => `  | ${l}`),
      );
    } else {
      out.push(`$ ${redactText(formatArgv(action.argv, action.env))}`);
      if (action.stdin !== undefined) {
        out.push(
          '  stdin:',
          ...redactText(action.stdin)
            .trimEnd()
            .split('\n')
            .map((l) => `  | ${l}`),
        );
      }
    }
  });
  return `${out.join('\n')}\n`;
}
