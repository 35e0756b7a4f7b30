import type { StepExecutor } from '../step-run.js';
import { START_CONTROLLER_ACTION } from './stop-controller.js';

export const startController: StepExecutor<'startController'> = async (_body, run) => {
  const { env } = run;
  const detail = await env.startController();
  run.cleanup.drop(START_CONTROLLER_ACTION);
  return { ok: true, detail: `started the EgressService controller again: ${detail}` };
};
