/**
 * The runner's half of the step registry: one executor per step kind of `spec/steps/`. The
 * mapped type makes a kind without an executor a compile error.
 */
import type { StepKind, StepOf } from '../../spec/steps/index.js';
import type { StepExecutor, StepOutcome, StepRun } from '../step-run.js';
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

const EXECUTORS: { [K in StepKind]: StepExecutor<K> } = {
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
};

/** Performs one step of a scenario against the test's environment. */
export function performStep<K extends StepKind>(step: StepOf<K>, run: StepRun): Promise<StepOutcome> {
  return EXECUTORS[step.kind](step.body, run);
}
