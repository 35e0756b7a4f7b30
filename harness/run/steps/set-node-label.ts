/** `labelNode` and `unlabelNode`: a node label set or removed, restored when the test ends. */
import type { NodeRef } from '../../spec/fields.js';
import { nodeLabelKeyIssue } from '../../spec/scope.js';
import { render } from '../../spec/template.js';
import { resolveNode } from '../node-refs.js';
import { testNamespaces } from '../plan.js';
import type { StepOutcome, StepRun } from '../step-run.js';

export async function setNodeLabel(
  run: StepRun,
  ref: NodeRef,
  rawKey: string,
  rawValue: string | null,
): Promise<StepOutcome> {
  const { env, ctx, cleanup } = run;
  const node = await resolveNode(env.cluster, ctx.test.namespace, ref);
  const key = render(rawKey, ctx.values);
  // The loader refuses such a key as written; this holds the rendered key to it too.
  const outside = nodeLabelKeyIssue(
    key,
    { uid: ctx.test.uid, testNamespaces: testNamespaces(ctx.test).map((n) => n.namespace) },
    rawValue === null ? 'unlabelNode' : 'labelNode',
  );
  if (outside) return { ok: false, detail: `refused: ${outside}` };
  const before = node.labels[key];
  const value = rawValue === null ? null : render(rawValue, ctx.values);
  await env.cluster.labelNode(node.name, key, value);
  // The first change records what the node had; later changes must not overwrite that.
  const description = `restore label ${key} on ${node.name}`;
  if (!cleanup.has(description)) {
    cleanup.push(description, () => env.cluster.labelNode(node.name, key, before ?? null));
  }
  return {
    ok: true,
    detail: value === null ? `removed ${key} from ${node.name}` : `labelled ${node.name} ${key}=${value}`,
  };
}
