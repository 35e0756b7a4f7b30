/** The test's rendered manifests, as the `apply`, `delete` and `patch` steps name them. */
import type { KubeObject } from '../../env/environment.js';
import type { StepRun } from '../step-run.js';

export function manifest(run: StepRun, name: string): KubeObject {
  const object = run.ctx.manifests[name];
  if (!object) throw new Error(`no manifest named ${name}`);
  return object;
}

export function describeObject(object: KubeObject): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${ns}${object.metadata.name}`;
}

/** The cleanup action that deletes an applied object: `apply` pushes it, `delete` drops it. */
export function deletionOf(object: KubeObject): string {
  return `delete ${describeObject(object)}`;
}
