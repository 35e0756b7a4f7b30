/**
 * The scenario spec schema. A spec is YAML; this schema is the single definition of what it may
 * say. The step and condition sets are closed: a runner must know how to perform every one of
 * them on every provider, so adding one is a change to the runner, not to a spec.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { FEATURES, PROFILES, STATEMENT_IDS } from './statements.js';
import { TIMEOUT_NAMES } from './timeouts.js';

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a lowercase name of letters, digits and dashes');

const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: 'expected a duration such as 500ms, 30s, 2m or 1m30s',
});

const timeoutName = z.enum(TIMEOUT_NAMES as [string, ...string[]], {
  error: () => `expected a timeout name: ${TIMEOUT_NAMES.join(', ')}`,
});

const labels = z.record(z.string(), z.string());

/** A node, named by its role in the scenario rather than by its (environment-specific) name. */
export const nodeRefSchema = z.union([
  z.strictObject({ egressNodeOf: name }).describe('the node chosen for an EgressService'),
  z.strictObject({ notEgressNodeOf: name }).describe('a node not chosen for an EgressService'),
  z.strictObject({ index: z.number().int().min(0) }).describe('the Nth node (0 = control-plane)'),
]);

/** Who sends probe traffic. */
const probeFromSchema = z.union([
  z.strictObject({ endpointsOf: name }),
  z.strictObject({ pods: labels }),
  z.strictObject({ pod: name }),
]);

/** Where probe traffic goes: an external peer, a pod of the test namespace, or a node. */
const probeToSchema = z.union([
  z.strictObject({ peer: z.string().min(1) }),
  z.strictObject({ pod: name }),
  z.strictObject({ node: nodeRefSchema }),
]);

const sourceKind = z.enum(['loadBalancerIP', 'nodeIP', 'podIP', 'networkIP', 'egressIP']);

const probeExpectSchema = z
  .strictObject({
    /** Every packet of the probe flow, seen at the target, has this source. */
    source: sourceKind.optional(),
    /** No packet of the probe flow has this source. */
    notSource: sourceKind.optional(),
    /** The Service whose LoadBalancer IP `loadBalancerIP` means. */
    service: name.optional(),
    /** The network whose node address `networkIP` means. */
    network: z.string().min(1).optional(),
    /** Every attempt completed with a reply (TCP handshake and payload both ways). */
    completes: z.boolean().optional(),
    /** The sources ran on every node of the environment (endpoints spread across nodes). */
    fromEveryNode: z.boolean().optional(),
  })
  .refine((e) => e.source !== undefined || e.notSource !== undefined || e.completes !== undefined, {
    message: 'expected at least one of source, notSource or completes',
  })
  .refine((e) => !(e.source === 'loadBalancerIP' || e.notSource === 'loadBalancerIP') || e.service, {
    message: 'loadBalancerIP needs `service`: the Service whose ingress IP is meant',
  })
  .refine((e) => !(e.source === 'networkIP' || e.notSource === 'networkIP') || e.network, {
    message: 'networkIP needs `network`: the network whose node address is meant',
  });

/**
 * What a probe measures besides its verdict: `failover` is the time from the last `failNode` to
 * the first packet of the first round that passed (ES-FAIL-1's bound, reported as `failoverMs`).
 */
const measureSchema = z.enum(['failover']);

const probeSchema = z.strictObject({
  name,
  from: probeFromSchema,
  to: probeToSchema,
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  /** Defaults to the target's probe port. */
  port: z.number().int().min(1).max(65535).optional(),
  /** Connections (TCP) or datagrams (UDP) per source pod. */
  attempts: z.number().int().min(1).max(100).default(3),
  expect: probeExpectSchema,
  /** Repeat the probe until it passes `consecutive` times in a row, within the named timeout. */
  until: z
    .strictObject({ timeout: timeoutName, consecutive: z.number().int().min(1).max(10).default(2) })
    .optional(),
  measure: measureSchema.optional(),
});

/**
 * Background traffic: the capture at the target starts, then every source pod sends one request
 * every `intervalMs` until the matching `stopTraffic` (or the `limit` timeout) ends it. With
 * `watch`, the moment the named EgressService's status.host is first seen non-empty is recorded.
 */
const startTrafficSchema = z.strictObject({
  name,
  from: probeFromSchema,
  to: probeToSchema,
  protocol: z.enum(['tcp', 'udp']).default('udp'),
  port: z.number().int().min(1).max(65535).optional(),
  intervalMs: z.number().int().min(20).max(5000).default(100),
  /** The named timeout that bounds the traffic, whatever happens. */
  limit: timeoutName.default('probe'),
  watch: name.optional(),
});

/**
 * Ends background traffic and judges its capture: every packet sent after status.host was
 * published (every packet, without `watch`) must have the expected source. Reports the packets
 * that did not, and the leak window (`leakWindowMs`: from publication to the last of them).
 */
const stopTrafficSchema = z.strictObject({
  name,
  expect: z
    .strictObject({
      source: sourceKind,
      service: name.optional(),
      network: z.string().min(1).optional(),
    })
    .refine((e) => e.source !== 'loadBalancerIP' || e.service, {
      message: 'loadBalancerIP needs `service`: the Service whose ingress IP is meant',
    })
    .refine((e) => e.source !== 'networkIP' || e.network, {
      message: 'networkIP needs `network`: the network whose node address is meant',
    }),
});

/** Conditions, shared by `wait` (eventually true) and `expect` (true now, or throughout a window). */
export const CONDITIONS = {
  /** The Service has (or has not) an ingress IP of the family under test. */
  serviceIngress: z.strictObject({ service: name, assigned: z.boolean().default(true) }),
  /** The pods matching the labels are all ready: at least `count` of them (default 1). */
  podsReady: z.strictObject({ pods: labels, count: z.number().int().min(1).default(1) }),
  /**
   * Where the EgressService sits: `placed` = exactly one node carries the label and status.host
   * names it; `unplaced` = no node carries it and status.host is empty; `all` = no label,
   * status.host is ALL (sourceIPBy Network).
   */
  egressPlacement: z.strictObject({
    egressService: name,
    state: z.enum(['placed', 'unplaced', 'all']),
    /** With `placed`: the node must also be this one. */
    node: nodeRefSchema.optional(),
    /** With `placed`: the node must be ready (after a failover, not the failed one). */
    nodeReady: z.boolean().optional(),
  }),
  /**
   * The EgressIP (cluster-scoped, so its name is usually templated with `${uid}`) has this
   * test's EgressIP address assigned to a node in its status.
   */
  egressIPAssigned: z.strictObject({ egressIP: z.string().min(1) }),
  /** The named EgressService does not exist any more (deletion has completed). */
  egressServiceGone: z.strictObject({ egressService: name }),
  /** No node carries the egress-service label of the named Service. */
  noEgressLabel: z.strictObject({ service: name }),
  /** The peer's BGP table has the Service's LoadBalancer IP with these next hops. */
  bgpNextHops: z.strictObject({
    service: name,
    peer: z.string().min(1).default('default'),
    nextHops: z.union([z.enum(['egressNode', 'none', 'allNodes']), z.strictObject({ node: nodeRefSchema })]),
  }),
  /** The peer reaches the Service at its LoadBalancer IP and port and every backend answers. */
  ingressReachable: z.strictObject({
    service: name,
    peer: z.string().min(1).default('default'),
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    attempts: z.number().int().min(1).max(200).default(30),
    allBackends: z.boolean().default(true),
  }),
} as const;
export type ConditionKind = keyof typeof CONDITIONS;
export const CONDITION_KINDS = Object.keys(CONDITIONS) as ConditionKind[];

/** A mapping with exactly one key, naming the variant; errors say which keys exist. */
function oneKeyOf<T extends Record<string, z.ZodType>>(what: string, variants: T) {
  const keys = Object.keys(variants);
  const options = keys.map((key) => z.strictObject({ [key]: variants[key] as z.ZodType }));
  return z
    .custom<Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      {
        error: `expected a ${what}: a mapping with one key of ${keys.join(', ')}`,
      },
    )
    .superRefine((value, ctx) => {
      const present = Object.keys(value);
      if (present.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `expected exactly one ${what} kind (${keys.join(', ')}), found ${present.length === 0 ? 'none' : present.join(', ')}`,
        });
        return;
      }
      const key = present[0] as string;
      if (!keys.includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown ${what} kind '${key}': expected one of ${keys.join(', ')}`,
        });
      }
    })
    .pipe(
      z.union(options as unknown as [z.ZodType<unknown, Record<string, unknown>>]),
    ) as unknown as z.ZodType<Record<string, unknown>, unknown>;
}

export const conditionSchema = oneKeyOf('condition', CONDITIONS);

const manifestNames = z.array(name).min(1);

/** Steps, performed in order. The set is closed and documented in README.md. */
export const STEPS = {
  apply: manifestNames,
  delete: manifestNames,
  patch: z.strictObject({ manifest: name, patch: z.record(z.string(), z.unknown()) }),
  labelNode: z.strictObject({ node: nodeRefSchema, key: z.string().min(1), value: z.string().default('') }),
  unlabelNode: z.strictObject({ node: nodeRefSchema, key: z.string().min(1) }),
  failNode: z.strictObject({ node: nodeRefSchema }),
  /**
   * Deletes the Node object of a node an earlier `failNode` failed (same reference), as an
   * operator removes a dead machine; `restoreNode` brings the machine back and it registers again.
   */
  removeNode: z.strictObject({ node: nodeRefSchema }),
  restoreNode: z.strictObject({ node: nodeRefSchema }),
  wait: z.strictObject({
    condition: conditionSchema,
    timeout: timeoutName,
    /** Consecutive successful polls needed (guards against flapping). */
    consecutive: z.number().int().min(1).max(20).default(2),
  }),
  expect: z.strictObject({
    condition: conditionSchema,
    /** Hold throughout this window (a negative check), instead of once. */
    throughout: timeoutName.optional(),
  }),
  probe: probeSchema,
  startTraffic: startTrafficSchema,
  stopTraffic: stopTrafficSchema,
} as const;
export type StepKind = keyof typeof STEPS;
export const STEP_KINDS = Object.keys(STEPS) as StepKind[];

const stepSchema = oneKeyOf('step', STEPS);

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
    })
    .default({ nodes: 1, dualStack: false, networks: [] }),
  timeouts: z.partialRecord(timeoutName, duration).default({}),
  manifests: z.record(name, manifestSchema).refine((m) => Object.keys(m).length > 0, {
    message: 'expected at least one manifest',
  }),
  steps: z.array(stepSchema).min(1).superRefine(checkTrafficSteps),
});

/** Every `stopTraffic` ends a `startTraffic` started before it, and every started traffic ends. */
function checkTrafficSteps(steps: Array<Record<string, unknown>>, ctx: z.RefinementCtx): void {
  const running = new Map<string, number>();
  steps.forEach((raw, index) => {
    const start = raw.startTraffic as { name?: unknown } | undefined;
    const stop = raw.stopTraffic as { name?: unknown } | undefined;
    if (start && typeof start.name === 'string') {
      if (running.has(start.name)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'startTraffic', 'name'],
          message: `traffic '${start.name}' is already running (started by step ${(running.get(start.name) as number) + 1})`,
        });
      }
      running.set(start.name, index);
    }
    if (stop && typeof stop.name === 'string') {
      if (!running.has(stop.name)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'stopTraffic', 'name'],
          message: `no traffic named '${stop.name}' is running here: expected the name of an earlier startTraffic`,
        });
      }
      running.delete(stop.name);
    }
  });
  for (const [trafficName, index] of running) {
    ctx.addIssue({
      code: 'custom',
      path: [index, 'startTraffic', 'name'],
      message: `traffic '${trafficName}' is never stopped: expected a later stopTraffic with this name`,
    });
  }
}

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type NodeRef = z.output<typeof nodeRefSchema>;
export type ProbeSpec = z.output<typeof probeSchema>;
export type ProbeExpectation = z.output<typeof probeExpectSchema>;
export type StartTrafficSpec = z.output<typeof startTrafficSchema>;
export type StopTrafficSpec = z.output<typeof stopTrafficSchema>;
export type SourceKind = z.output<typeof sourceKind>;

/** A step as its kind and body, which is how the runner consumes it. */
export type Step = { [K in StepKind]: { kind: K; body: z.output<(typeof STEPS)[K]> } }[StepKind];
export type Condition = {
  [K in ConditionKind]: { kind: K; body: z.output<(typeof CONDITIONS)[K]> };
}[ConditionKind];

export function stepOf(raw: Record<string, unknown>): Step {
  const [kind, body] = Object.entries(raw)[0] as [StepKind, unknown];
  return { kind, body } as Step;
}

export function conditionOf(raw: Record<string, unknown>): Condition {
  const [kind, body] = Object.entries(raw)[0] as [ConditionKind, unknown];
  return { kind, body } as Condition;
}
