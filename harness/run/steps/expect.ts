import { observe } from '../conditions/index.js';
import { consistently } from '../eventually.js';
import type { StepExecutor } from '../step-run.js';

export const expectStep: StepExecutor<'expect'> = async (body, run) => {
  const check = () => observe(body.condition, run.env, run.ctx);
  if (!body.throughout) return check();
  const windowMs = run.timeouts[body.throughout];
  const outcome = await consistently(check, { windowMs, signal: run.signal });
  return {
    ok: outcome.ok,
    detail: outcome.ok ? `${outcome.detail} (held for ${windowMs}ms)` : outcome.detail,
  };
};
