import type { StepExecutor } from '../step-run.js';

/** The cleanup that starts a stopped controller again, should the test end before its `startController`. */
export const START_CONTROLLER_ACTION = 'start the EgressService controller';

export const stopController: StepExecutor<'stopController'> = async (_body, run) => {
  const { env } = run;
  const detail = await env.stopController();
  run.cleanup.push(START_CONTROLLER_ACTION, async () => {
    await env.startController();
  });
  return { ok: true, detail: `stopped the EgressService controller: ${detail}` };
};
