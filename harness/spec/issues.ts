/**
 * Validation of parsed YAML with a zod schema, every issue turned into one problem line that
 * names the file, the line and the field where the offending text was written, and says what was
 * expected.
 */
import { Document, isMap, isSeq, type Node } from 'yaml';
import type { core, z } from 'zod';
import { YAML_MAX_ALIASES } from '../common/limits.js';
import { locate, type Origins, type PathKey, type SpecProblem } from './source.js';

/**
 * zod reports a failed union as one issue holding every branch's issues. The branch that got
 * deepest into the data is the one the author meant; report its issues instead. When no branch
 * stands out (the author used none of the forms), say which forms exist.
 */
function flattenIssues(issues: readonly core.$ZodIssue[], base: readonly PathKey[] = []): core.$ZodIssue[] {
  const result: core.$ZodIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathKey[])];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const depth = (branch: core.$ZodIssue[]) =>
        Math.max(...branch.map((i) => i.path.length + (i.code === 'unrecognized_keys' ? 0 : 1)));
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] as core.$ZodIssue[];
      const tied = issue.errors.filter((branch) => depth(branch) === depth(best));
      if (tied.length === 1) {
        result.push(...flattenIssues(best, path));
        continue;
      }
      const forms = issue.errors
        .map((branch) => [
          ...new Set(branch.filter((i) => i.code !== 'unrecognized_keys').map((i) => i.path[0])),
        ])
        .filter((keys) => keys.length > 0 && keys.every((k) => typeof k === 'string'))
        .map((keys) => keys.join(' + '));
      const unknown = [
        ...new Set(issue.errors.flat().flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []))),
      ];
      if (forms.length === issue.errors.length) {
        const found = unknown.length > 0 ? `, found ${unknown.map((k) => `'${k}'`).join(', ')}` : '';
        result.push({
          code: 'custom',
          path,
          message: `expected one of: ${forms.join(', ')}${found}`,
          input: undefined,
        });
        continue;
      }
    }
    result.push({ ...issue, path } as core.$ZodIssue);
  }
  return result;
}

function describeValue(value: unknown): string {
  if (isSeq(value)) return 'a list';
  if (isMap(value)) return 'a mapping';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

function describeIssue(issue: core.$ZodIssue, doc: Document): string {
  const path = issue.path as PathKey[];
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_type':
      return doc.hasIn(path)
        ? `expected ${issue.expected}, found ${describeValue(doc.getIn(path))}`
        : `missing; expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}, found ${describeValue(doc.getIn(path))}`;
    case 'invalid_union':
      return 'expected one of the documented forms of this field';
    default:
      return issue.message;
  }
}

function problemsFromZod(error: z.ZodError, doc: Document, origins: Origins): SpecProblem[] {
  const seen = new Set<string>();
  const problems: SpecProblem[] = [];
  for (const issue of flattenIssues(error.issues)) {
    const path = issue.path as PathKey[];
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const problem: SpecProblem = {
        ...locate(doc.contents, origins, path, key),
        message: key === undefined ? describeIssue(issue, doc) : `unknown field '${key}'`,
      };
      const id = JSON.stringify(problem);
      if (!seen.has(id)) {
        seen.add(id);
        problems.push(problem);
      }
    }
  }
  return problems;
}

export type Validated<T> = { ok: true; data: T } | { ok: false; problems: SpecProblem[] };

/** Validates a (possibly assembled) YAML mapping; problems are sorted by file and line. */
export function validateNode<T>(schema: z.ZodType<T>, root: Node, origins: Origins): Validated<T> {
  const doc = new Document();
  doc.contents = root;
  let data: unknown;
  try {
    // Aliases were counted when parsed (source.ts); this bounds what they expand to.
    data = doc.toJS({ maxAliasCount: YAML_MAX_ALIASES });
  } catch (error) {
    const at = origins.of(root);
    return {
      ok: false,
      problems: [
        {
          file: at?.file ?? '',
          line: at?.line ?? 1,
          field: '',
          message: `YAML aliases expand too far: refused (${(error as Error).message.split('\n')[0]})`,
        },
      ],
    };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, problems: sortProblems(problemsFromZod(parsed.error, doc, origins)) };
}

export function sortProblems(problems: SpecProblem[]): SpecProblem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
