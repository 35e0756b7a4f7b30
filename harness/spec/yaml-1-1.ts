/**
 * Values a YAML 1.1 reader reads differently. The suite reads specs as YAML 1.2, where `yes`, `on`,
 * `y`, `0777` and `1:20` are strings (or decimal 777); YAML 1.1 readers, kubectl's among them
 * (sigs.k8s.io/yaml, go-yaml v2), read `yes`/`on`/`y` as true, `no`/`off`/`n` as false, `0777` as
 * octal 511 and `1:20` as 80. A manifest value of that kind is the guard's string but the
 * cluster's true: `privileged: yes` passed the scope guard as a string, and a YAML 1.1 reader makes
 * it a privileged container. So every plain (unquoted) scalar, key or value, that the two versions
 * read differently in what the run sends (manifests, patch bodies) is refused, with what to write.
 * This is the general form of the pool rule's `autoAssign: no` refusal.
 */
import { isMap, isScalar, isSeq, parse, type Scalar } from 'yaml';
import type { Origins, SpecProblem } from './source.js';
import { fieldOf } from './source.js';

/** Plain scalars that can read differently start like a 1.1 boolean or a number. */
const CANDIDATE = /^[-+0-9.yYnNoO]/;

/** How a YAML 1.1 reader reads `text` as a plain scalar, when it reads it differently from `value`. */
export function yaml11Reading(text: string, value: unknown): unknown {
  if (text.length > 64 || !CANDIDATE.test(text)) return undefined;
  let old: unknown;
  try {
    old = parse(text, { version: '1.1' });
  } catch {
    return undefined;
  }
  const same = Object.is(old, value) || JSON.stringify(old) === JSON.stringify(value);
  return same ? undefined : old;
}

function problemOf(node: Scalar, origins: Origins): SpecProblem | undefined {
  if (node.type !== 'PLAIN') return undefined;
  const text = typeof node.source === 'string' ? node.source : String(node.value);
  const old = yaml11Reading(text, node.value);
  if (old === undefined) return undefined;
  const origin = origins.of(node);
  if (!origin) return undefined;
  const here = typeof node.value === 'string' ? 'a string' : JSON.stringify(node.value);
  const meant = typeof old === 'boolean' ? 'true or false' : JSON.stringify(old);
  return {
    file: origin.file,
    line: origin.line,
    field: fieldOf(origin.path),
    message: `unquoted '${text}' is ${here} in YAML 1.2 but ${JSON.stringify(old)} to YAML 1.1 readers such as kubectl: write ${meant}, or "${text}" quoted if the text is meant`,
  };
}

/** The problems of the plain scalars under `roots` (YAML nodes), keys included; iterative. */
export function yaml11Problems(roots: readonly unknown[], origins: Origins): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const stack: unknown[] = [...roots];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    } else if (isScalar(node)) {
      const problem = problemOf(node, origins);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

/** What the run sends, in an expanded spec's YAML: its manifests, and the bodies of its patch steps. */
export function sentNodes(root: unknown): unknown[] {
  if (!isMap(root)) return [];
  const nodes: unknown[] = [root.get('manifests', true)];
  const steps = root.get('steps', true);
  if (isSeq(steps)) {
    for (const step of steps.items) {
      const patch = isMap(step) ? step.get('patch', true) : undefined;
      if (isMap(patch)) nodes.push(patch.get('patch', true));
    }
  }
  return nodes;
}
