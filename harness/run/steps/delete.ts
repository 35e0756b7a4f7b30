import { refOf } from '../objects.js';
import type { StepExecutor } from '../step-run.js';
import { deletionOf, describeObject, manifest } from './manifests.js';

export const deleteStep: StepExecutor<'delete'> = async (names, run) => {
  const deleted: string[] = [];
  for (const name of names) {
    const object = manifest(run, name);
    await run.env.cluster.delete(refOf(object));
    run.cleanup.drop(deletionOf(object));
    deleted.push(describeObject(object));
  }
  return { ok: true, detail: `deleted ${deleted.join(', ')}` };
};
