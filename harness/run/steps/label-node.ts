import type { StepExecutor } from '../step-run.js';
import { setNodeLabel } from './set-node-label.js';

export const labelNode: StepExecutor<'labelNode'> = (body, run) =>
  setNodeLabel(run, body.node, body.key, body.value);
