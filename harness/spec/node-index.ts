/**
 * Node references by number (`node: { index: N }`, in any step or condition) within the nodes the
 * spec requires: `requires.nodes` is what an environment is held to, so an index past it names a
 * node the spec never asked for (`labelNode` of node 9 on a cluster of 50 labels a user's node the
 * test did not plan for), or none. `${nodes.N}` is held to the same bound (loader.ts).
 */
import type { Step } from './steps/index.js';

export interface NodeIndexRef {
  index: number;
  /** Where in the step's body, as written (a parsed condition `{kind, body}` is `{KIND: body}` in YAML). */
  at: Array<string | number>;
}

/** The `{ index: N }` node references of a step body (a patch's text is the manifest's business). */
export function nodeIndexRefs(body: unknown, path: Array<string | number> = []): NodeIndexRef[] {
  if (body === null || typeof body !== 'object') return [];
  const entries = Object.entries(body);
  if (
    path[path.length - 1] === 'node' &&
    entries.length === 1 &&
    typeof (body as { index?: unknown }).index === 'number'
  )
    return [{ index: (body as { index: number }).index, at: [...path, 'index'] }];
  return entries.flatMap(([key, value]) => {
    if (key === 'patch' && path.length === 0) return [];
    const kind = (body as { kind?: unknown }).kind;
    const segment = key === 'body' && typeof kind === 'string' ? kind : key;
    return nodeIndexRefs(value, [...path, Array.isArray(body) ? Number(key) : segment]);
  });
}

/** Each node index of `steps` at or past `nodes` (requires.nodes), with its step and place. */
export function nodeIndexIssues(
  steps: readonly Step[],
  nodes: number,
): Array<{ step: number; at: Array<string | number>; message: string }> {
  return steps.flatMap((step, i) =>
    nodeIndexRefs(step.body)
      .filter((ref) => ref.index >= nodes)
      .map((ref) => ({
        step: i,
        at: ['steps', i, step.kind, ...ref.at],
        message: `node index ${ref.index} is past the nodes the spec requires (requires.nodes is ${nodes}): expected 0 to ${nodes - 1}, or require more nodes`,
      })),
  );
}
