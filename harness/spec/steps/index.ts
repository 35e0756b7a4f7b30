/**
 * The step kinds, in the order docs/specs.md lists them. The set is closed: the runner has an
 * executor for every kind (`run/steps/`), and the table in docs/specs.md is generated from the `doc`
 * of each (`npm run docs`).
 */
import type { z } from 'zod';
import { oneKeyOf, registry, type StepDefinition } from '../definitions.js';
import type { CaptureSite } from '../fields.js';
import { apply } from './apply.js';
import { deleteStep } from './delete.js';
import { deleteNamespace } from './delete-namespace.js';
import { deletePods } from './delete-pods.js';
import { expectStep } from './expect.js';
import { failNode } from './fail-node.js';
import { labelNode } from './label-node.js';
import { labelPods } from './label-pods.js';
import { patch } from './patch.js';
import { probe } from './probe.js';
import { recordPods } from './record-pods.js';
import { removeNode } from './remove-node.js';
import { restoreNode } from './restore-node.js';
import { startController } from './start-controller.js';
import { startTraffic } from './start-traffic.js';
import { stopController } from './stop-controller.js';
import { stopTraffic } from './stop-traffic.js';
import { unlabelNode } from './unlabel-node.js';
import { wait } from './wait.js';

export const STEPS = registry({
  apply,
  delete: deleteStep,
  patch,
  labelNode,
  unlabelNode,
  failNode,
  removeNode,
  restoreNode,
  stopController,
  startController,
  recordPods,
  deletePods,
  deleteNamespace,
  labelPods,
  wait,
  expect: expectStep,
  probe,
  startTraffic,
  stopTraffic,
});

export const stepSchema = oneKeyOf(
  'step',
  Object.entries(STEPS).map(([kind, definition]) => [kind, definition.variant] as const),
);

/** A parsed step: its kind and its typed body. */
export type Step = z.output<typeof stepSchema>;
export type StepKind = Step['kind'];
export type StepBodies = { [K in StepKind]: Extract<Step, { kind: K }>['body'] };
/** A step of kind K (of any kind, for K = StepKind), as generic code takes it. */
export type StepOf<K extends StepKind> = { [P in K]: { kind: P; body: StepBodies[P] } }[K];

/** The registry seen through the parsed types: a definition's properties take its own body. */
const DEFINITIONS: { [K in StepKind]: StepDefinition<K, StepBodies[K]> } = STEPS;

/** Why a test with this step runs alone, if it must. */
export function whyStepRunsAlone<K extends StepKind>(step: StepOf<K>): string | undefined {
  return DEFINITIONS[step.kind].runsAlone;
}

/** Whether the step is a check that can fail (a verdict on evidence). */
export function stepChecks<K extends StepKind>(step: StepOf<K>): boolean {
  return DEFINITIONS[step.kind].checks === true;
}

/** Where the step captures traffic, if it does. */
export function captureSiteOfStep<K extends StepKind>(step: StepOf<K>): CaptureSite | undefined {
  return DEFINITIONS[step.kind].capturesAt?.(step.body);
}

/** The manifests the step names, each with its place in the step's body. */
export function manifestsNamedBy<K extends StepKind>(step: StepOf<K>) {
  return DEFINITIONS[step.kind].manifests?.(step.body) ?? [];
}

/** Networks the step names (a target's, a source's), with their places in the body. */
export function networksNamedBy<K extends StepKind>(step: StepOf<K>) {
  return DEFINITIONS[step.kind].networks?.(step.body) ?? [];
}

/** The name the step gives its evidence, with its place in the body, if it names any. */
export function evidenceNameOf<K extends StepKind>(step: StepOf<K>) {
  return DEFINITIONS[step.kind].evidenceName?.(step.body);
}

/** The step's body as a spec writes it (what the dry run prints). */
export function bodyAsWritten<K extends StepKind>(step: StepOf<K>): unknown {
  const written = DEFINITIONS[step.kind].asWritten;
  return written ? written(step.body) : step.body;
}
