/**
 * Loads scenario specs from YAML and turns every problem into one line that names the file, the
 * line and the field, and says what was expected. Nothing downstream sees an unvalidated spec.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { core, z } from 'zod';
import { type Scenario, scenarioSchema } from './schema.js';
import { evidenceNameOf, manifestsNamedBy } from './steps/index.js';
import { isKnownVariable, networkOfVariable, TEMPLATE_VARIABLES, variablesIn } from './template.js';

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

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  /** Line of each step, for messages that point back at the spec. */
  stepLines: number[];
}

export type LoadResult = { ok: true; loaded: LoadedScenario } | { ok: false; problems: SpecProblem[] };

type PathKey = string | number;

function fieldOf(path: readonly PathKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** Finds the line of the deepest YAML node along `path` that exists. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PathKey[], keyOf?: string): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  const steps = keyOf === undefined ? path : [...path, keyOf];
  for (const [index, key] of steps.entries()) {
    const lookingForKey = keyOf !== undefined && index === steps.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (!pair) break;
      const target = lookingForKey ? pair.key : pair.value;
      const range = (target as Node | null)?.range ?? (pair.key as Node | null)?.range;
      if (range) offset = range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item?.range) break;
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return counter.linePos(offset).line;
}

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

function problemsFromZod(
  error: z.ZodError,
  file: string,
  doc: Document,
  counter: LineCounter,
): SpecProblem[] {
  const seen = new Set<string>();
  const problems: SpecProblem[] = [];
  for (const issue of flattenIssues(error.issues)) {
    const path = issue.path as PathKey[];
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const field = fieldOf(key === undefined ? path : [...path, key]);
      const problem: SpecProblem = {
        file,
        line: lineOf(doc, counter, path, key),
        field,
        message: key === undefined ? describeIssue(issue, doc) : `unknown field '${key}'`,
      };
      const id = formatProblem(problem);
      if (!seen.has(id)) {
        seen.add(id);
        problems.push(problem);
      }
    }
  }
  return problems;
}

/** Template variables are checked on the raw document so the line is exact. */
function templateProblems(doc: Document, counter: LineCounter, file: string): SpecProblem[] {
  const problems: SpecProblem[] = [];
  // ${networks.NAME.table} may only name a network the scenario requires (so the environment has it).
  const requiredNetworks = doc.getIn(['requires', 'networks']);
  const declared = isSeq(requiredNetworks)
    ? requiredNetworks.items.map((item) => String(isScalar(item) ? item.value : item))
    : [];
  const visit = (node: unknown, path: PathKey[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (isScalar(node) && typeof node.value === 'string') {
      for (const variable of variablesIn(node.value)) {
        const network = networkOfVariable(variable);
        if (network !== undefined && !declared.includes(network)) {
          problems.push({
            file,
            line: counter.linePos(node.range?.[0] ?? 0).line,
            field: fieldOf(path),
            message: `\${${variable}} names network '${network}', which requires.networks does not list (${
              declared.length > 0 ? `it lists ${declared.join(', ')}` : 'it lists none'
            })`,
          });
        } else if (!isKnownVariable(variable)) {
          problems.push({
            file,
            line: counter.linePos(node.range?.[0] ?? 0).line,
            field: fieldOf(path),
            message: `unknown template variable \${${variable}}: expected one of ${Object.keys(
              TEMPLATE_VARIABLES,
            )
              .map((v) => `\${${v}}`)
              .join(', ')}`,
          });
        }
      }
    }
  };
  visit(doc.contents, []);
  return problems;
}

/** Checks that refer across fields: steps name manifests that exist, and so on. */
function crossReferenceProblems(
  scenario: Scenario,
  doc: Document,
  counter: LineCounter,
  file: string,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const manifests = new Set(Object.keys(scenario.manifests));
  const evidenceNames = new Set<string>();
  scenario.steps.forEach((step, i) => {
    const at = (path: Array<string | number>): PathKey[] => ['steps', i, step.kind, ...path];
    for (const { name, at: inBody } of manifestsNamedBy(step)) {
      if (!manifests.has(name)) {
        problems.push({
          file,
          line: lineOf(doc, counter, at(inBody)),
          field: fieldOf(at(inBody)),
          message: `no manifest named '${name}': expected one of ${[...manifests].join(', ')}`,
        });
      }
    }
    const evidence = evidenceNameOf(step);
    if (evidence) {
      const key = `${step.kind}/${evidence.name}`;
      if (evidenceNames.has(key)) {
        problems.push({
          file,
          line: lineOf(doc, counter, at(evidence.at)),
          field: fieldOf(at(evidence.at)),
          message: `${step.kind} name '${evidence.name}' is used twice: expected names unique within the scenario`,
        });
      }
      evidenceNames.add(key);
    }
  });
  return problems;
}

export type YamlResult<T> =
  | { ok: true; data: T; doc: Document; counter: LineCounter }
  | { ok: false; problems: SpecProblem[] };

/**
 * Parses YAML and validates it with a zod schema; every problem names file, line and field.
 * Shared by specs and the run options file.
 */
export function parseYamlWith<T>(
  schema: z.ZodType<T>,
  text: string,
  file: string,
  what: string,
): YamlResult<T> {
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
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return {
      ok: false,
      problems: [{ file, line: 1, field: '', message: `empty file: expected ${what} (a YAML mapping)` }],
    };
  }
  if (!isMap(doc.contents)) {
    return {
      ok: false,
      problems: [
        { file, line: lineOf(doc, counter, []), field: '', message: `expected ${what} (a YAML mapping)` },
      ],
    };
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      problems: problemsFromZod(parsed.error, file, doc, counter).sort((a, b) => a.line - b.line),
    };
  }
  return { ok: true, data: parsed.data, doc, counter };
}

/** Parses and validates one spec given as text (the file name is for messages). */
export function parseScenario(text: string, file: string): LoadResult {
  const result = parseYamlWith(scenarioSchema, text, file, 'a scenario spec');
  if (!result.ok) {
    // Template variables are worth reporting even when the schema failed elsewhere.
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter });
    const extra = doc.errors.length === 0 && isMap(doc.contents) ? templateProblems(doc, counter, file) : [];
    return { ok: false, problems: [...result.problems, ...extra].sort((a, b) => a.line - b.line) };
  }
  const { data, doc, counter } = result;
  const problems = [
    ...templateProblems(doc, counter, file),
    ...crossReferenceProblems(data, doc, counter, file),
  ];
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  const stepLines = data.steps.map((_s, i) => lineOf(doc, counter, ['steps', i]));
  return { ok: true, loaded: { file, scenario: data, stepLines } };
}

/** Reads and validates one spec file. `displayBase` shortens file names in messages. */
export async function loadScenarioFile(path: string, displayBase = process.cwd()): Promise<LoadResult> {
  const shown = relative(displayBase, path) || path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code);
    return { ok: false, problems: [{ file: shown, line: 1, field: '', message: `cannot read: ${reason}` }] };
  }
  return parseScenario(text, shown);
}
