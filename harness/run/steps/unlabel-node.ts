import type { StepExecutor } from '../step-run.js';
import { setNodeLabel } from './set-node-label.js';

export const unlabelNode: StepExecutor<'unlabelNode'> = (body, run) =>
  setNodeLabel(run, body.node, body.key, null);
