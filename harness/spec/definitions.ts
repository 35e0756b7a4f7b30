/**
 * What a step or condition kind is, as the spec sees it: its schema, its documentation and its
 * properties. A spec writes a step as a mapping with one key (`apply: [service]`); parsed, it is
 * `{ kind: 'apply', body: ['service'] }`, typed by its kind, so that nothing downstream has to
 * find the kind again or cast the body.
 *
 * Each kind is one module under `spec/steps/` or `spec/conditions/`; what it does is a sibling
 * module under `run/steps/` or `run/conditions/`. The split follows the layers: the spec (and the
 * CLI's `validate`, `list` and dry run with it) loads no Kubernetes, Docker or capture code, and
 * `spec/` never imports `run/`. The runner's registries are typed by the spec's, so a kind
 * without an executor does not compile.
 */
import { z } from 'zod';
import type { CaptureSite } from './fields.js';

/** One row of the table of docs/specs.md for this kind: how it is written and what it does. */
export interface DocRow {
  syntax: string;
  meaning: string;
}

/** A position inside a step's body, for messages that point at a field. */
export type BodyPath = Array<string | number>;

/** Facts about a step that the planner, the scheduler and the loader read, by kind. */
export interface StepProperties<B> {
  /**
   * Why a test with this step runs alone: it changes what every test shares (node labels, node
   * health). Absent: the step can run beside other tests.
   */
  runsAlone?: string;
  /**
   * The step is a check that can fail: its verdict rests on evidence (packets, the cluster's
   * state). A scenario needs at least one, or its statements would pass by doing nothing.
   */
  checks?: true;
  /** Where the step captures traffic: the environment must be able to capture there. */
  capturesAt?: (body: B) => CaptureSite;
  /** Manifests the step names, and where in its body (the loader checks they exist). */
  manifests?: (body: B) => Array<{ name: string; at: BodyPath }>;
  /** Networks the step names, and where in its body (the loader checks requires.networks lists them). */
  networks?: (body: B) => Array<{ name: string; at: BodyPath }>;
  /** A name the step gives its evidence (capture files): unique among its kind in a scenario. */
  evidenceName?: (body: B) => { name: string; at: BodyPath };
  /** The body as a spec writes it, where parsing changed its form (a nested condition). */
  asWritten?: (body: B) => unknown;
}

export interface StepDefinition<K extends string, B> extends StepProperties<B> {
  kind: K;
  doc: DocRow[];
}

export interface ConditionDefinition<K extends string> {
  kind: K;
  doc: DocRow;
}

/**
 * The schema of one kind as it appears in a spec: a mapping whose one key is the kind, parsed to
 * `{ kind, body }`.
 */
function variantOf<K extends string, S extends z.ZodType>(kind: K, schema: S) {
  return z.strictObject({ [kind]: schema }).transform((mapping, ctx) => {
    const body = mapping[kind];
    if (body === undefined) {
      ctx.addIssue({ code: 'custom', path: [kind], message: `expected the body of ${kind}` });
      return z.NEVER;
    }
    return { kind, body };
  });
}

export function defineStep<K extends string, S extends z.ZodType>(
  definition: { kind: K; schema: S } & Omit<StepDefinition<K, z.output<S>>, 'kind'>,
) {
  return { ...definition, variant: variantOf(definition.kind, definition.schema) };
}

export function defineCondition<K extends string, S extends z.ZodType>(
  definition: { kind: K; schema: S } & Omit<ConditionDefinition<K>, 'kind'>,
) {
  return { ...definition, variant: variantOf(definition.kind, definition.schema) };
}

/**
 * A registry: kinds by name, each definition under its own kind (checked by the type), in the
 * order docs/specs.md lists them.
 */
export function registry<const T extends { [K in keyof T]: { kind: K } }>(definitions: T): T {
  return definitions;
}

/**
 * A mapping with exactly one key, naming the kind; its errors say which kinds exist. Once the
 * key is known to be a kind, the mapping is parsed by that kind's variant alone, so a mistake
 * inside the body is reported at its own field (not as "none of the kinds matched").
 */
export function oneKeyOf<V extends z.ZodType>(what: string, variants: ReadonlyArray<readonly [string, V]>) {
  const byKind = new Map(variants);
  const kinds = [...byKind.keys()];
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a ${what}: a mapping with one key of ${kinds.join(', ')}`,
        });
        return;
      }
      const present = Object.keys(value);
      if (present.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `expected exactly one ${what} kind (${kinds.join(', ')}), found ${present.length === 0 ? 'none' : present.join(', ')}`,
        });
        return;
      }
      const key = present[0] as string;
      if (!byKind.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown ${what} kind '${key}': expected one of ${kinds.join(', ')}`,
        });
      }
    })
    .transform((value, ctx) => {
      // The check above let through only a mapping whose one key is a kind.
      const variant =
        typeof value === 'object' && value !== null ? byKind.get(Object.keys(value)[0] ?? '') : undefined;
      if (!variant) return z.NEVER;
      const parsed = variant.safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
        return z.NEVER;
      }
      return parsed.data;
    });
}
