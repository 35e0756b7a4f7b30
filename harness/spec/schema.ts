/**
 * The scenario spec schema. A spec is YAML; this schema is the single definition of what it may
 * say. The step and condition sets are closed registries (`steps/`, `conditions/`): a runner
 * must know how to perform every one of them on every provider, so adding one is a change to the
 * runner, not to a spec.
 */
import { z } from 'zod';
import { DURATION_EXPECTED, parseDuration } from './duration.js';
import { name, timeoutName } from './fields.js';
import { FEATURES, PROFILES, STATEMENT_IDS } from './statements.js';
import { stepSchema } from './steps/index.js';
import { checkPodSets } from './steps/pod-sets.js';
import { checkTrafficPairs } from './steps/traffic-pairs.js';
import { type TimeoutName, timeoutProblem } from './timeouts.js';

const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: DURATION_EXPECTED,
});

const manifestSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
  }),
});

export const scenarioSchema = z.strictObject({
  id: name,
  title: z.string().min(1),
  description: z.string().optional(),
  statements: z
    .array(
      z.string().refine((id) => STATEMENT_IDS.has(id), {
        message: `expected a statement ID from docs/behaviour.md (${[...STATEMENT_IDS].join(', ')})`,
      }),
    )
    .min(1),
  profile: z.enum(PROFILES),
  features: z.array(z.enum(FEATURES)).min(1),
  /** Measured and reported, never counted against conformance (docs/behaviour.md "provisional"). */
  provisional: z.boolean().default(false),
  requires: z
    .strictObject({
      nodes: z.number().int().min(1).default(1),
      /** Families this scenario can run on; defaults to every family the environment offers. */
      families: z
        .array(z.enum(['ipv4', 'ipv6']))
        .min(1)
        .optional(),
      /** Runs once with the Service dual-stack instead of once per family. */
      dualStack: z.boolean().default(false),
      networks: z.array(z.string().min(1)).default([]),
      /**
       * Further test namespaces (`${namespaces.NAME}`), named from the test's and created and
       * removed by the run like it (e.g. a Service in a second namespace).
       */
      namespaces: z
        .array(
          z
            .string()
            .regex(
              /^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/,
              'expected a lowercase name of at most 12 letters, digits and dashes',
            ),
        )
        .max(4)
        .refine((names) => new Set(names).size === names.length, { message: 'expected each name once' })
        .default([]),
    })
    .default({ nodes: 1, dualStack: false, networks: [], namespaces: [] }),
  timeouts: z
    .partialRecord(timeoutName, duration)
    .superRefine((values, ctx) => {
      for (const [name, text] of Object.entries(values)) {
        const problem = text === undefined ? undefined : timeoutProblem(name as TimeoutName, text);
        if (problem && parseDuration(text as string) !== undefined) {
          ctx.addIssue({ code: 'custom', path: [name], message: problem });
        }
      }
    })
    .default({}),
  manifests: z.record(name, manifestSchema).refine((m) => Object.keys(m).length > 0, {
    message: 'expected at least one manifest',
  }),
  steps: z.array(stepSchema).min(1).superRefine(checkTrafficPairs).superRefine(checkPodSets),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
