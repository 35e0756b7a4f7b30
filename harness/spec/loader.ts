/**
 * Loads scenario specs from YAML: expands the fixtures they use (expand.ts), validates the
 * result, and turns every problem into one line that names the file (the spec's or the
 * fixture's), the line and the field, and says what was expected. Nothing downstream sees an
 * unvalidated spec.
 */
import { relative } from 'node:path';
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import { InputFileError } from '../common/input-file.js';
import { isDecimalWhole } from '../common/numbers.js';
import { expandFixtures } from './expand.js';
import { EMPTY_LIBRARY, type FixtureLibrary } from './fixtures.js';
import { type ReadText, readSpecText } from './inputs.js';
import { sortProblems, validateNode } from './issues.js';
import { nodeIndexIssues } from './node-index.js';
import { type Scenario, scenarioSchema } from './schema.js';
import {
  manifestScopeIssues,
  nodeLabelKeyIssue,
  ownObjects,
  patchScopeIssues,
  type ScopeIssue,
} from './scope.js';
import { specLoadIssues, versionsOf } from './scope-load.js';
import { allowedRules, RESERVED_AS_WRITTEN, type ScopeException } from './scope-reach.js';
import { sentNodes, yaml11Problems } from './yaml-1-1.js';

export type { ScopeException } from './scope-reach.js';

import { fieldOf, locate, Origins, type PathKey, parseSource, type SpecProblem } from './source.js';
import { evidenceNameOf, manifestsNamedBy, networksNamedBy, STEPS, stepChecks } from './steps/index.js';
import {
  extraNamespaceOfVariable,
  isKnownVariable,
  networkOfVariable,
  TEMPLATE_VARIABLES,
  variablesIn,
} from './template.js';

export { formatProblem, type SpecProblem } from './source.js';

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  /**
   * Line in the spec of each step, for messages that point back at it; a step a `setup:` step
   * expanded to has the line of that `setup:` step.
   */
  stepLines: number[];
}

export type LoadResult = { ok: true; loaded: LoadedScenario } | { ok: false; problems: SpecProblem[] };

/** The strings of a `requires` list (`networks`, `namespaces`) as written. */
function declaredList(root: unknown, key: string): string[] {
  const list = isMap(root) ? (root.getIn(['requires', key]) as unknown) : undefined;
  return isSeq(list) ? list.items.map((item) => String(isScalar(item) ? item.value : item)) : [];
}

/**
 * Every template variable must have a value in every environment the scenario runs in, so the
 * dry run and the run never meet one they cannot render. At the line of the text (a value or a
 * mapping key) that names it: unknown variables; `${networks.NAME.table}` naming a network
 * `requires.networks` does not list; `${namespaces.NAME}` naming a namespace `requires.namespaces`
 * does not declare; `${nodes.N}` past the `requires.nodes` an environment is held to.
 */
function templateProblems(root: unknown, origins: Origins): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const declared = declaredList(root, 'networks');
  const namespaces = declaredList(root, 'namespaces');
  const nodesValue = isMap(root) ? (root.getIn(['requires', 'nodes']) as unknown) : undefined;
  const nodes = typeof nodesValue === 'number' ? nodesValue : 1;
  const problemOf = (variable: string): string | undefined => {
    const network = networkOfVariable(variable);
    const namespace = extraNamespaceOfVariable(variable);
    const nodeIndex = /^nodes\.(\d+)$/.exec(variable)?.[1];
    if (network !== undefined && !declared.includes(network)) {
      const lists = declared.length > 0 ? `it lists ${declared.join(', ')}` : 'it lists none';
      return `\${${variable}} names network '${network}', which requires.networks does not list (${lists})`;
    }
    if (namespace !== undefined && !namespaces.includes(namespace)) {
      const lists = namespaces.length > 0 ? `it declares ${namespaces.join(', ')}` : 'it declares none';
      return `\${${variable}} names namespace '${namespace}', which requires.namespaces does not declare (${lists})`;
    }
    if (nodeIndex !== undefined && Number(nodeIndex) >= nodes) {
      return `\${${variable}} names node ${nodeIndex}, but requires.nodes is ${nodes}: expected \${nodes.0} to \${nodes.${nodes - 1}}, or require more nodes`;
    }
    // `${params.…}` is the fixtures' business: expansion replaced or reported it.
    if (!isKnownVariable(variable) && !variable.startsWith('params.')) {
      const known = Object.keys(TEMPLATE_VARIABLES).map((v) => `\${${v}}`);
      return `unknown template variable \${${variable}}: expected one of ${known.join(', ')}`;
    }
    return undefined;
  };
  const check = (node: unknown): void => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const origin = origins.of(node);
    if (!origin) return;
    for (const variable of variablesIn(node.value)) {
      const message = problemOf(variable);
      if (message)
        problems.push({ file: origin.file, line: origin.line, field: fieldOf(origin.path), message });
    }
  };
  // Iterative: the document's depth is bounded (source.ts), but its size is not.
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        check(pair.key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    } else {
      check(node);
    }
  }
  return problems;
}

/**
 * The scope guard (scope.ts) on the expanded spec as written: manifests only in the test's
 * namespaces, shared objects named from `${uid}`, node steps on the suite's label keys; each
 * refusal at the line of the field, in the spec or the fixture it came from.
 */
function scopeProblems(
  scenario: Scenario,
  root: unknown,
  origins: Origins,
  exceptions: readonly ScopeException[],
): SpecProblem[] {
  const names = {
    testNamespaces: ['${namespace}', ...scenario.requires.namespaces.map((n) => `\${namespaces.${n}}`)],
    metallbNamespace: '${metallb.namespace}',
    uid: '${uid}',
    reserved: RESERVED_AS_WRITTEN,
    allowed: allowedRules(exceptions, scenario.id),
    objects: ownObjects(Object.values(scenario.manifests)),
  };
  const problems: SpecProblem[] = [];
  for (const [name, manifest] of Object.entries(scenario.manifests)) {
    for (const issue of manifestScopeIssues(manifest, names)) {
      problems.push({ ...locate(root, origins, ['manifests', name, ...issue.path]), message: issue.message });
    }
  }
  scenario.steps.forEach((step, i) => {
    if (step.kind !== 'patch') return;
    const manifest = scenario.manifests[step.body.manifest];
    if (manifest === undefined) return; // crossReferenceProblems names it
    for (const issue of patchScopeIssues(manifest, step.body.patch, names)) {
      const at = ['steps', i, 'patch', 'patch', ...inside(step.body.patch, issue)];
      problems.push({
        ...locate(root, origins, at),
        message: `manifest ${step.body.manifest} patched: ${issue.message}`,
      });
    }
  });
  scenario.steps.forEach((step, i) => {
    if (step.kind !== 'labelNode' && step.kind !== 'unlabelNode') return;
    const message = nodeLabelKeyIssue(step.body.key, names, step.kind);
    if (message) problems.push({ ...locate(root, origins, ['steps', i, step.kind, 'key']), message });
  });
  if (!names.allowed.has('load')) {
    for (const issue of specLoadIssues(manifestVersions(scenario)))
      problems.push({ ...locate(root, origins, ['manifests']), message: issue.message });
  }
  return problems;
}

/** Each manifest with the objects its patch steps make of it, for the spec's load as a whole. */
function manifestVersions(scenario: Scenario) {
  return Object.entries(scenario.manifests).map(([name, manifest]) => {
    const patches = scenario.steps.flatMap((s) =>
      s.kind === 'patch' && s.body.manifest === name ? [s.body.patch] : [],
    );
    return { name, versions: versionsOf(manifest, patches) };
  });
}

/**
 * A statement passes only through a check that can fail: a scenario with no verdict-bearing step
 * (probe, expect, wait, stopTraffic) would mark its statements passed by doing nothing.
 */
function checkProblems(scenario: Scenario, root: unknown, origins: Origins): SpecProblem[] {
  if (scenario.steps.some((step) => stepChecks(step))) return [];
  const kinds = Object.values(STEPS)
    .filter((d) => (d as { checks?: true }).checks)
    .map((d) => d.kind);
  return [
    {
      ...locate(root, origins, ['steps']),
      message: `no step checks anything: expected at least one of ${kinds.join(', ')}, so that the statements (${scenario.statements.join(', ')}) pass only through a check that can fail`,
    },
  ];
}

/** The longest part of an issue's path that the patch itself has: where in the patch to point. */
function inside(patch: unknown, issue: ScopeIssue): Array<string | number> {
  const path: Array<string | number> = [];
  let node = patch;
  for (const key of issue.path) {
    if (node === null || typeof node !== 'object' || !(key in node)) break;
    node = (node as Record<string | number, unknown>)[key];
    path.push(key);
  }
  return path;
}

/** Checks that refer across fields: steps name manifests that exist, and so on. */
function crossReferenceProblems(scenario: Scenario, root: unknown, origins: Origins): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const manifests = new Set(Object.keys(scenario.manifests));
  const evidenceNames = new Set<string>();
  const networks = scenario.requires.networks;
  // removeNode and restoreNode act on the node an earlier failNode failed, by the same reference:
  // without one, removeNode would delete the Node object of a healthy machine.
  const failed = new Set<string>();
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: each step's cross-references checked in the order the spec lists them
  scenario.steps.forEach((step, i) => {
    const at = (path: Array<string | number>): PathKey[] => ['steps', i, step.kind, ...path];
    for (const { name, at: inBody } of manifestsNamedBy(step)) {
      if (!manifests.has(name)) {
        problems.push({
          ...locate(root, origins, at(inBody)),
          message: `no manifest named '${name}': expected one of ${[...manifests].join(', ')}`,
        });
      }
    }
    for (const { name, at: inBody } of networksNamedBy(step)) {
      if (!networks.includes(name)) {
        const lists = networks.length > 0 ? `it lists ${networks.join(', ')}` : 'it lists none';
        problems.push({
          ...locate(root, origins, at(inBody)),
          message: `network '${name}' is not one requires.networks lists (${lists})`,
        });
      }
    }
    if (step.kind === 'failNode') failed.add(JSON.stringify(step.body.node));
    if (
      (step.kind === 'removeNode' || step.kind === 'restoreNode') &&
      !failed.has(JSON.stringify(step.body.node))
    ) {
      problems.push({
        ...locate(root, origins, at(['node'])),
        message: `${step.kind} of ${JSON.stringify(step.body.node)}: expected an earlier failNode of the same node reference (it acts on the node that failNode failed)`,
      });
    }
    const evidence = evidenceNameOf(step);
    if (evidence) {
      const key = `${step.kind}/${evidence.name}`;
      if (evidenceNames.has(key)) {
        problems.push({
          ...locate(root, origins, at(evidence.at)),
          message: `${step.kind} name '${evidence.name}' is used twice: expected names unique within the scenario`,
        });
      }
      evidenceNames.add(key);
    }
    for (const { value, at: inBody } of namespaceFieldsOf(step.body)) {
      if (!scenario.requires.namespaces.includes(value)) {
        const declared = scenario.requires.namespaces;
        problems.push({
          ...locate(root, origins, at(inBody)),
          message: `namespace '${value}' is not declared: expected one of requires.namespaces (${declared.length > 0 ? declared.join(', ') : 'it declares none'})`,
        });
      }
    }
  });
  return problems;
}

/**
 * `stopController` and `startController` come in pairs: a start without a stop before it has
 * nothing to start, a second stop nothing to stop, and a stop left open would end the test with
 * every other test's controller down (the runner starts it again at cleanup, but the scenario
 * would not check the restart it meant to).
 */
function controllerStepProblems(scenario: Scenario, root: unknown, origins: Origins): SpecProblem[] {
  const problems: SpecProblem[] = [];
  let openStop: number | undefined;
  scenario.steps.forEach((step, i) => {
    const where = locate(root, origins, ['steps', i, step.kind]);
    if (step.kind === 'stopController') {
      if (openStop !== undefined)
        problems.push({
          ...where,
          message: `stopController: the controller is already stopped (by step ${openStop + 1}): expected a startController between them`,
        });
      openStop = i;
    } else if (step.kind === 'startController') {
      if (openStop === undefined)
        problems.push({
          ...where,
          message:
            'startController: expected an earlier stopController (it starts the controller that one stopped)',
        });
      openStop = undefined;
    }
  });
  if (openStop !== undefined)
    problems.push({
      ...locate(root, origins, ['steps', openStop, 'stopController']),
      message:
        'stopController: expected a later startController (a scenario checks what the controller does once started again)',
    });
  return problems;
}

/** The `namespace:` fields of a step's body (a merge patch's text is the manifest's business). */
function namespaceFieldsOf(
  body: unknown,
  path: Array<string | number> = [],
): Array<{ value: string; at: Array<string | number> }> {
  if (body === null || typeof body !== 'object') return [];
  return Object.entries(body).flatMap(([key, value]) => {
    if (key === 'patch' && path.length === 0) return [];
    if (key === 'namespace' && typeof value === 'string') return [{ value, at: [...path, key] }];
    // A parsed condition is {kind, body}; its YAML is {KIND: body}.
    const kind = (body as { kind?: unknown }).kind;
    const segment = key === 'body' && typeof kind === 'string' ? kind : key;
    return namespaceFieldsOf(value, [...path, Array.isArray(body) ? Number(key) : segment]);
  });
}

export type YamlResult<T> = { ok: true; data: T } | { ok: false; problems: SpecProblem[] };

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
  const origins = new Origins();
  const parsed = parseSource(text, file, what, origins);
  if (!parsed.ok) return parsed;
  const spelled = numberSpellingProblems(parsed.root, origins);
  const validated = validateNode(schema, parsed.root, origins);
  if (spelled.length === 0) return validated;
  // One line per field: the spelling says what to write, whatever else the schema finds there.
  const fields = new Set(spelled.map((p) => p.field));
  const others = validated.ok ? [] : validated.problems.filter((p) => !fields.has(p.field));
  return { ok: false, problems: sortProblems([...spelled, ...others]) };
}

/**
 * Whole numbers written otherwise than common/numbers.ts's grammar: YAML 1.2 reads `01`, `+4`,
 * `0x10`, `0o7`, `1e1` and `4.0` as integers, so `parallel: 0x10` would run 16 tests side by side
 * where `--parallel 0x10` is refused. At the line of the value, naming its field.
 */
function numberSpellingProblems(root: unknown, origins: Origins): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) for (const pair of node.items) stack.push(pair.value);
    else if (isSeq(node)) stack.push(...node.items);
    else if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value)) {
      const written = node.source ?? String(node.value);
      const at = origins.of(node);
      if (!isDecimalWhole(written) && at) {
        problems.push({
          file: at.file,
          line: at.line,
          field: fieldOf(at.path),
          message: `${written}: expected a whole number in decimal digits (no sign, leading zero, base prefix, exponent or fraction)`,
        });
      }
    }
  }
  return problems;
}

/**
 * Parses, expands and validates one spec given as text (the file name is for messages), with
 * the fixtures of `library`; `origins` must be the one the library's files were recorded in.
 */
export function parseScenario(
  text: string,
  file: string,
  library: FixtureLibrary = EMPTY_LIBRARY,
  origins: Origins = new Origins(),
  exceptions: readonly ScopeException[] = [],
): LoadResult {
  const parsed = parseSource(text, file, 'a scenario spec', origins);
  if (!parsed.ok) return parsed;
  const foreign = notASpec(parsed.root, file);
  if (foreign) return { ok: false, problems: [foreign] };
  const expansion = expandFixtures(parsed.root as YAMLMap, library, origins);
  const { root } = expansion;
  // Template variables are worth reporting even when the schema or the expansion failed.
  const variables = templateProblems(root, origins);
  // What the run sends must read alike in YAML 1.1 (kubectl's) and 1.2 (ours): yaml-1-1.ts.
  const readings = yaml11Problems(sentNodes(root), origins);
  const validated = validateNode(scenarioSchema, root, origins);
  if (expansion.problems.length > 0) {
    // What expansion could not build would only be reported again; the other fields still count.
    const elsewhere = validated.ok
      ? []
      : validated.problems.filter((p) => p.file === file && !/^(manifests|steps|uses)\b/.test(p.field));
    return { ok: false, problems: dedupe(sortProblems([...expansion.problems, ...elsewhere, ...variables])) };
  }
  if (!validated.ok) {
    return { ok: false, problems: dedupe(sortProblems([...validated.problems, ...variables, ...readings])) };
  }
  // A field a YAML 1.1 reader reads otherwise is reported once, as that; its scope is judged when it is fixed.
  const misread = new Set(readings.map((p) => `${p.file}:${p.line}:${p.field}`));
  const scope =
    variables.length === 0
      ? scopeProblems(validated.data, root, origins, exceptions).filter(
          (p) => !misread.has(`${p.file}:${p.line}:${p.field}`),
        )
      : [];
  const problems = [
    ...variables,
    ...readings,
    ...checkProblems(validated.data, root, origins),
    ...crossReferenceProblems(validated.data, root, origins),
    ...controllerStepProblems(validated.data, root, origins),
    ...nodeIndexIssues(validated.data.steps, validated.data.requires.nodes).map((issue) => ({
      ...locate(root, origins, issue.at),
      message: issue.message,
    })),
    // A field with an unknown variable is reported once, as that; its scope is judged when it is fixed.
    ...scope,
  ];
  if (problems.length > 0) return { ok: false, problems: dedupe(sortProblems(problems)) };
  const stepLines = expansion.specSteps.map((step) => origins.of(step)?.line ?? 0);
  return { ok: true, loaded: { file, scenario: validated.data, stepLines } };
}

/**
 * A mapping none of whose keys is a spec field is some other file (`validate /etc/shadow` read
 * each line as a key, and printed every one of them back as an unknown field): one line for it.
 */
function notASpec(root: unknown, file: string): SpecProblem | undefined {
  if (!isMap(root) || root.items.length === 0) return undefined;
  const fields = new Set(Object.keys(scenarioSchema.shape));
  if (root.items.some((pair) => isScalar(pair.key) && fields.has(String(pair.key.value)))) return undefined;
  return {
    file,
    line: 1,
    field: '',
    message: `not a scenario spec: none of its ${root.items.length} keys is a spec field (expected id, title, statements, steps, ...)`,
  };
}

function dedupe(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = JSON.stringify(p);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Reads (with `read`) and validates one spec file. `displayBase` shortens file names in messages;
 * `library` holds the fixtures it may use, recorded in `origins`.
 */
export async function loadScenarioFile(
  path: string,
  displayBase = process.cwd(),
  library: FixtureLibrary = EMPTY_LIBRARY,
  origins: Origins = new Origins(),
  read: ReadText = readSpecText,
  exceptions: readonly ScopeException[] = [],
): Promise<LoadResult> {
  const shown = relative(displayBase, path) || path;
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    const reason = error instanceof InputFileError ? error.reason : (error as Error).message.split('\n')[0];
    return { ok: false, problems: [{ file: shown, line: 1, field: '', message: `cannot read: ${reason}` }] };
  }
  return parseScenario(text, shown, library, origins, exceptions);
}
