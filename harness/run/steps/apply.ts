import { refOf } from '../objects.js';
import type { StepExecutor } from '../step-run.js';
import { deletionOf, describeObject, manifest } from './manifests.js';

export const apply: StepExecutor<'apply'> = async (names, run) => {
  const { env, cleanup } = run;
  const applied: string[] = [];
  for (const name of names) {
    const object = manifest(run, name);
    await env.cluster.apply(object);
    // Applied twice, deleted once, at the newest place in the order.
    cleanup.drop(deletionOf(object));
    cleanup.push(deletionOf(object), () => env.cluster.delete(refOf(object)));
    applied.push(describeObject(object));
  }
  return { ok: true, detail: `applied ${applied.join(', ')}` };
};
