/**
 * YAML whose every node remembers where it was written. A scenario is assembled from the spec
 * and its fixtures (other files), so a problem found in the assembled document must still name
 * the file, line and field the offending text stands at. Nodes are recorded when a file is
 * parsed; the assembled document reuses them, so looking a path up finds its origin.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

export interface SpecProblem {
  file: string;
  line: number;
  /** Dotted path of the field, e.g. `steps[2].wait.timeout`; empty for the whole file. */
  field: string;
  message: string;
}

export function formatProblem(problem: SpecProblem): string {
  const where = problem.field ? ` ${problem.field}:` : '';
  return `${problem.file}:${problem.line}:${where} ${problem.message}`;
}

export type PathKey = string | number;

export function fieldOf(path: readonly PathKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

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

/** Parses one YAML file that must hold a mapping, recording the origin of every node. */
export function parseSource(text: string, file: string, what: string, origins: Origins): SourceResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        file,
        line: counter.linePos(error.pos[0]).line,
        field: '',
        message: `YAML syntax error: ${error.message.split('\n')[0]}`,
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
  origins.record(root, file, counter);
  return { ok: true, root };
}
