/**
 * YAML whose every node remembers where it was written. A scenario is assembled from the spec
 * and its fixtures (other files), so a problem found in the assembled document must still name
 * the file, line and field the offending text stands at. Nodes are recorded when a file is
 * parsed; the assembled document reuses them, so looking a path up finds its origin.
 */

import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { escapeUntrusted } from '../common/escape.js';
import { YAML_MAX_ALIASES, YAML_MAX_DEPTH, YAML_MAX_NODES } from '../common/limits.js';

export interface SpecProblem {
  file: string;
  line: number;
  /** Dotted path of the field, e.g. `steps[2].wait.timeout`; empty for the whole file. */
  field: string;
  message: string;
}

export function formatProblem(problem: SpecProblem): string {
  // File names, keys and values come from the spec's author: escaped by the one rule (control
  // characters, bidi overrides, a leading `::`), so an error line reads as what it is.
  const where = problem.field ? ` ${escapeUntrusted(problem.field)}:` : '';
  return `${escapeUntrusted(problem.file)}:${problem.line}:${where} ${escapeUntrusted(problem.message)}`;
}

export type PathKey = string | number;

export function fieldOf(path: readonly PathKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

import { tooDeepAt, tooManyNodesAt } from './yaml-depth.js';

const TOO_DEEP = `nested more than ${YAML_MAX_DEPTH} levels deep: refused`;
const TOO_MANY_NODES = `more than ${YAML_MAX_NODES} YAML nodes (each [, {, comma and line counted): refused`;
/** Where a node was written: its file, line, and path within that file. */
export interface Origin {
  file: string;
  line: number;
  path: PathKey[];
}

/** Origins of parsed nodes (and of nodes built from them), shared by the files of one load. */
export class Origins {
  private readonly byNode = new WeakMap<object, Origin>();

  of(node: unknown): Origin | undefined {
    return node !== null && typeof node === 'object' ? this.byNode.get(node) : undefined;
  }

  set(node: object, origin: Origin): void {
    this.byNode.set(node, origin);
  }

  /** Records every node of a parsed document (map keys too, with the path of their value). */
  record(root: unknown, file: string, counter: LineCounter): void {
    const visit = (node: unknown, path: PathKey[]): void => {
      const range = (node as Node | null)?.range;
      if (range && node !== null && typeof node === 'object') {
        this.byNode.set(node, { file, line: counter.linePos(range[0]).line, path });
      }
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = keyText(pair.key);
          visit(pair.key, [...path, key]);
          visit(pair.value, [...path, key]);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => {
          visit(item, [...path, i]);
        });
      }
    };
    visit(root, []);
  }
}

export function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : '?';
}

/** Where the field at `path` of an assembled document was written (`keyOf`: that key itself). */
export function locate(root: unknown, origins: Origins, path: readonly PathKey[], keyOf?: string) {
  const steps = keyOf === undefined ? [...path] : [...path, keyOf];
  let found = origins.of(root) as Origin;
  let depth = 0;
  let node: unknown = root;
  for (const [index, key] of steps.entries()) {
    const lookingForKey = keyOf !== undefined && index === steps.length - 1;
    let next: unknown;
    let origin: Origin | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(key));
      if (!pair) break;
      next = pair.value;
      origin = origins.of(lookingForKey ? pair.key : pair.value) ?? origins.of(pair.key);
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      next = node.items[key];
      origin = origins.of(next);
    } else {
      break;
    }
    if (origin) {
      found = origin;
      depth = index + 1;
    }
    node = next;
  }
  return {
    file: found.file,
    line: found.line,
    field: fieldOf([...found.path, ...steps.slice(depth)]),
  };
}

export type SourceResult = { ok: true; root: Node } | { ok: false; problems: SpecProblem[] };

/**
 * The bounds of a YAML input (common/limits.ts), checked on the parsed document without
 * recursion, before anything walks it recursively: nesting depth, aliases, and repeated keys
 * (checked here with a set per mapping, in linear time; the parser's own check compares every key
 * with every other, quadratic in a mapping's size). One problem per kind, at its first line.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one walk over the YAML tree counting depth and aliases against the limits
function limitProblems(root: Node, file: string, counter: LineCounter): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const at = (node: unknown) => counter.linePos((node as Node | null)?.range?.[0] ?? 0).line;
  let aliases = 0;
  let tooDeep = false;
  let duplicate = false;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (isAlias(node)) {
      aliases++;
      if (aliases === YAML_MAX_ALIASES + 1) {
        problems.push({
          file,
          line: at(node),
          field: '',
          message: `more than ${YAML_MAX_ALIASES} YAML aliases: refused (an alias bomb expands without bound)`,
        });
      }
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > YAML_MAX_DEPTH) {
      if (!tooDeep) {
        problems.push({
          file,
          line: at(node),
          field: '',
          message: TOO_DEEP,
        });
      }
      tooDeep = true;
      continue;
    }
    if (isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? `s:${String(pair.key.value)}` : undefined;
        if (key !== undefined && keys.has(key) && !duplicate) {
          duplicate = true;
          problems.push({
            file,
            line: at(pair.key),
            field: '',
            message: `YAML syntax error: Map keys must be unique (${keyText(pair.key)})`,
          });
        }
        if (key !== undefined) keys.add(key);
        stack.push({ node: pair.key, depth: depth + 1 }, { node: pair.value, depth: depth + 1 });
      }
    } else {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return problems;
}

/** Parses one YAML file that must hold a mapping, recording the origin of every node. */
export function parseSource(text: string, file: string, what: string, origins: Origins): SourceResult {
  // Refused before parsing: the parser's cost grows with nesting (yaml-depth.ts).
  const deep = tooDeepAt(text);
  if (deep !== undefined)
    return { ok: false, problems: [{ file, line: deep, field: '', message: TOO_DEEP }] };
  const crowded = tooManyNodesAt(text);
  if (crowded !== undefined)
    return { ok: false, problems: [{ file, line: crowded, field: '', message: TOO_MANY_NODES }] };
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.slice(0, 1).map((error) => ({
        file,
        line: counter.linePos(error.pos[0]).line,
        field: '',
        message: /Maximum call stack/.test(error.message)
          ? TOO_DEEP
          : `YAML syntax error: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    return {
      ok: false,
      problems: [{ file, line: 1, field: '', message: `empty file: expected ${what} (a YAML mapping)` }],
    };
  }
  if (!isMap(root)) {
    const line = counter.linePos(root.range?.[0] ?? 0).line;
    return { ok: false, problems: [{ file, line, field: '', message: `expected ${what} (a YAML mapping)` }] };
  }
  const limits = limitProblems(root, file, counter);
  if (limits.length > 0) return { ok: false, problems: limits };
  origins.record(root, file, counter);
  return { ok: true, root };
}
