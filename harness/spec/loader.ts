/**
 * Loads scenario specs from YAML: expands the fixtures they use (expand.ts), validates the
 * result, and turns every problem into one line that names the file (the spec's or the
 * fixture's), the line and the field, and says what was expected. Nothing downstream sees an
 * unvalidated spec.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import { expandFixtures } from './expand.js';
import { EMPTY_LIBRARY, type FixtureLibrary } from './fixtures.js';
import { sortProblems, validateNode } from './issues.js';
import { type Scenario, scenarioSchema } from './schema.js';
import { fieldOf, locate, Origins, type PathKey, parseSource, type SpecProblem } from './source.js';
import { evidenceNameOf, manifestsNamedBy } from './steps/index.js';
import { isKnownVariable, networkOfVariable, TEMPLATE_VARIABLES, variablesIn } from './template.js';

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

/**
 * Unknown template variables, at the line of the text that names them; `${networks.NAME.table}`
 * may only name a network the scenario requires (so the environment has it).
 */
function templateProblems(root: unknown, origins: Origins): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const requiredNetworks = isMap(root) ? (root.getIn(['requires', 'networks']) as unknown) : undefined;
  const declared = isSeq(requiredNetworks)
    ? requiredNetworks.items.map((item) => String(isScalar(item) ? item.value : item))
    : [];
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) visit(pair.value);
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    } else if (isScalar(node) && typeof node.value === 'string') {
      const origin = origins.of(node);
      if (!origin) return;
      const at = { file: origin.file, line: origin.line, field: fieldOf(origin.path) };
      for (const variable of variablesIn(node.value)) {
        const network = networkOfVariable(variable);
        if (network !== undefined && !declared.includes(network)) {
          const lists = declared.length > 0 ? `it lists ${declared.join(', ')}` : 'it lists none';
          problems.push({
            ...at,
            message: `\${${variable}} names network '${network}', which requires.networks does not list (${lists})`,
          });
        } else if (!isKnownVariable(variable) && !variable.startsWith('params.')) {
          // `${params.…}` is the fixtures' business: expansion replaced or reported it.
          problems.push({
            ...at,
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
  visit(root);
  return problems;
}

/** Checks that refer across fields: steps name manifests that exist, and so on. */
function crossReferenceProblems(scenario: Scenario, root: unknown, origins: Origins): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const manifests = new Set(Object.keys(scenario.manifests));
  const evidenceNames = new Set<string>();
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
  });
  return problems;
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
  return validateNode(schema, parsed.root, origins);
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
): LoadResult {
  const parsed = parseSource(text, file, 'a scenario spec', origins);
  if (!parsed.ok) return parsed;
  const expansion = expandFixtures(parsed.root as YAMLMap, library, origins);
  const { root } = expansion;
  // Template variables are worth reporting even when the schema or the expansion failed.
  const variables = templateProblems(root, origins);
  const validated = validateNode(scenarioSchema, root, origins);
  if (expansion.problems.length > 0) {
    // What expansion could not build would only be reported again; the other fields still count.
    const elsewhere = validated.ok
      ? []
      : validated.problems.filter((p) => p.file === file && !/^(manifests|steps|uses)\b/.test(p.field));
    return { ok: false, problems: dedupe(sortProblems([...expansion.problems, ...elsewhere, ...variables])) };
  }
  if (!validated.ok) {
    return { ok: false, problems: dedupe(sortProblems([...validated.problems, ...variables])) };
  }
  const problems = [...variables, ...crossReferenceProblems(validated.data, root, origins)];
  if (problems.length > 0) return { ok: false, problems: dedupe(sortProblems(problems)) };
  const stepLines = expansion.specSteps.map((step) => origins.of(step)?.line ?? 0);
  return { ok: true, loaded: { file, scenario: validated.data, stepLines } };
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
 * Reads and validates one spec file. `displayBase` shortens file names in messages; `library`
 * holds the fixtures it may use, recorded in `origins`.
 */
export async function loadScenarioFile(
  path: string,
  displayBase = process.cwd(),
  library: FixtureLibrary = EMPTY_LIBRARY,
  origins: Origins = new Origins(),
): Promise<LoadResult> {
  const shown = relative(displayBase, path) || path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code);
    return { ok: false, problems: [{ file: shown, line: 1, field: '', message: `cannot read: ${reason}` }] };
  }
  return parseScenario(text, shown, library, origins);
}
