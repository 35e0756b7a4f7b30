import { render } from '../../spec/template.js';
import { refOf } from '../objects.js';
import type { StepExecutor } from '../step-run.js';
import { describeObject, manifest } from './manifests.js';

export const patch: StepExecutor<'patch'> = async (body, run) => {
  const object = manifest(run, body.manifest);
  await run.env.cluster.patch(refOf(object), render(body.patch, run.ctx.values));
  return { ok: true, detail: `patched ${describeObject(object)}` };
};
