/**
 * Fixtures: named manifests and setup sequences that specs share, one YAML file each in a
 * `fixtures/` folder of the suites (`suites/fixtures/egress-web.yaml` is the fixture
 * `egress-web`). A spec names the fixtures it uses; the loader expands them into the spec
 * (expand.ts) before the spec is validated. This module finds and reads the files.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { z } from 'zod';
import { type InputFileError, readInputText } from '../common/input-file.js';
import { SPEC_MAX_BYTES } from '../common/limits.js';
import { validateNode } from './issues.js';
import { keyText, type Origins, parseSource, type SpecProblem } from './source.js';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const name = z.string().regex(NAME, 'expected a lowercase name of letters, digits and dashes');

/**
 * The shape of a fixture file. Its manifests and steps are checked where a spec uses them, with
 * the scenario schema, so that one definition says what a manifest or a step may be.
 */
export const fixtureFileSchema = z.strictObject({
  description: z.string().optional(),
  /** Parameters with their defaults; `${params.NAME}` in the fixture stands for the value. */
  parameters: z.record(name, z.union([z.string(), z.number()])).optional(),
  manifests: z.record(name, z.record(z.string(), z.unknown())).optional(),
  /** Named step sequences; a spec runs one with the step `setup: NAME`. */
  setups: z.record(name, z.array(z.record(z.string(), z.unknown())).min(1)).optional(),
});

export interface Fixture {
  name: string;
  file: string;
  /** Parameter defaults, as the scalar nodes that hold them. */
  parameters: Map<string, Scalar>;
  manifests: Map<string, Pair<unknown, unknown>>;
  setups: Map<string, YAMLSeq>;
}

export interface FixtureLibrary {
  /** The folder the fixtures were read from ('' for an empty library). */
  dir: string;
  fixtures: Map<string, Fixture>;
  /** Problems of the fixture files themselves (reported once, not per spec). */
  problems: SpecProblem[];
}

export const EMPTY_LIBRARY: FixtureLibrary = { dir: '', fixtures: new Map(), problems: [] };

function entriesOf(root: YAMLMap, key: string): Array<Pair<unknown, unknown>> {
  const value = root.items.find((pair) => keyText(pair.key) === key)?.value;
  return isMap(value) ? value.items : [];
}

/** Parses one fixture file; `fixtureName` comes from the file name. */
export function parseFixture(
  text: string,
  file: string,
  fixtureName: string,
  origins: Origins,
): { ok: true; fixture: Fixture } | { ok: false; problems: SpecProblem[] } {
  if (!NAME.test(fixtureName)) {
    const message = `fixture name '${fixtureName}' (from the file name): expected lowercase letters, digits and dashes`;
    return { ok: false, problems: [{ file, line: 1, field: '', message }] };
  }
  const parsed = parseSource(text, file, 'a fixture', origins);
  if (!parsed.ok) return parsed;
  const validated = validateNode(fixtureFileSchema, parsed.root, origins);
  if (!validated.ok) return validated;
  const root = parsed.root as YAMLMap;
  const parameters = new Map<string, Scalar>();
  for (const pair of entriesOf(root, 'parameters')) {
    if (isScalar(pair.value)) parameters.set(keyText(pair.key), pair.value);
  }
  const setups = new Map<string, YAMLSeq>();
  for (const pair of entriesOf(root, 'setups')) {
    if (isSeq(pair.value)) setups.set(keyText(pair.key), pair.value);
  }
  const manifests = new Map(entriesOf(root, 'manifests').map((pair) => [keyText(pair.key), pair]));
  return { ok: true, fixture: { name: fixtureName, file, parameters, manifests, setups } };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Reads every `*.yaml` fixture in a folder; file names are shown relative to `displayBase`. */
export async function loadFixtureLibrary(
  dir: string,
  origins: Origins,
  displayBase = process.cwd(),
): Promise<FixtureLibrary> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
  const library: FixtureLibrary = { dir, fixtures: new Map(), problems: [] };
  for (const fileName of files) {
    const path = join(dir, fileName);
    const shown = relative(displayBase, path) || path;
    const fixtureName = basename(fileName).replace(/\.ya?ml$/, '');
    let text: string;
    try {
      text = await readInputText(path, { maxBytes: SPEC_MAX_BYTES });
    } catch (error) {
      library.problems.push({
        file: shown,
        line: 1,
        field: '',
        message: `cannot read: ${(error as InputFileError).reason ?? (error as Error).message}`,
      });
      continue;
    }
    const result = parseFixture(text, shown, fixtureName, origins);
    if (!result.ok) {
      library.problems.push(...result.problems);
      continue;
    }
    const earlier = library.fixtures.get(fixtureName);
    if (earlier) {
      library.problems.push({
        file: shown,
        line: 1,
        field: '',
        message: `fixture '${fixtureName}' is already defined by ${earlier.file}`,
      });
      continue;
    }
    library.fixtures.set(fixtureName, result.fixture);
  }
  return library;
}

/**
 * The fixtures folder of a spec: `fixtures/` beside the spec or beside its folder
 * (`suites/fixtures/` for `suites/core/x.yaml`), else `fallback` (the shipped suites' fixtures).
 */
export async function fixturesDirFor(specPath: string, fallback: string): Promise<string | undefined> {
  const folder = dirname(resolve(specPath));
  for (const candidate of [join(folder, 'fixtures'), join(dirname(folder), 'fixtures')]) {
    if (await isDirectory(candidate)) return candidate;
  }
  return (await isDirectory(fallback)) ? fallback : undefined;
}
