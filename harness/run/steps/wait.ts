import { observe } from '../conditions/index.js';
import { eventually } from '../eventually.js';
import type { StepExecutor } from '../step-run.js';

export const wait: StepExecutor<'wait'> = async (body, run) => {
  const outcome = await eventually(() => observe(body.condition, run.env, run.ctx), {
    timeoutMs: run.timeouts[body.timeout],
    consecutive: body.consecutive,
    ...(run.ctx.env.pollIntervalMs ? { intervalMs: run.ctx.env.pollIntervalMs } : {}),
    signal: run.signal,
  });
  return {
    ok: outcome.ok,
    detail: outcome.ok ? `${outcome.detail} (after ${outcome.elapsedMs}ms)` : outcome.detail,
  };
};
