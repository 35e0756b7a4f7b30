/**
 * Expands the fixtures a spec uses into a plain scenario document, before it is validated:
 *
 * - `uses: [NAME]` or `uses: [{ NAME: { PARAMETER: value } }]` names the fixtures; their
 *   `${params.PARAMETER}` references take the given values or the fixture's defaults;
 * - a step `setup: SEQUENCE` becomes the steps of that fixture sequence (sequences may contain
 *   `setup:` steps of their own fixture, never themselves);
 * - every fixture manifest a step applies, deletes or patches joins the spec's manifests;
 * - a spec manifest `{ patch: {...} }` is the fixture manifest of the same name with that JSON
 *   merge patch (RFC 7386: mappings merge, `null` removes a key, anything else replaces), and
 *   `{ from: OTHER, patch: {...} }` a new manifest made from the fixture manifest OTHER.
 *
 * The expanded document is built from the parsed nodes of the spec and the fixture files, so a
 * problem found in it names the file and line its text came from.
 */
import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { MAX_EXPANDED_STEPS, MAX_SETUP_DEPTH } from '../common/limits.js';
import type { Fixture, FixtureLibrary } from './fixtures.js';
import { fieldOf, keyText, type Origin, type Origins, type SpecProblem } from './source.js';

interface UsedFixture {
  fixture: Fixture;
  params: Map<string, unknown>;
}

export interface Expansion {
  root: YAMLMap;
  /** For each expanded step, the spec's step it came from (itself, or the `setup:` step). */
  specSteps: unknown[];
  problems: SpecProblem[];
}

const PARAM = /\$\{params\.([A-Za-z0-9_-]+)\}/g;
const WHOLE_PARAM = /^\$\{params\.([A-Za-z0-9_-]+)\}$/;

function listOf(names: Iterable<string>): string {
  const all = [...names];
  return all.length > 0 ? all.join(', ') : '(none)';
}

function pairIn(map: unknown, key: string): Pair<unknown, unknown> | undefined {
  return isMap(map) ? map.items.find((pair) => keyText(pair.key) === key) : undefined;
}

class Expander {
  readonly problems: SpecProblem[] = [];
  private readonly used: UsedFixture[] = [];

  constructor(
    private readonly spec: YAMLMap,
    private readonly library: FixtureLibrary,
    private readonly origins: Origins,
  ) {}

  /** Set once a bound on the expansion is reached: nothing more is expanded or reported. */
  private stopped = false;

  private stop(node: unknown, message: string): void {
    this.report(node, message);
    this.stopped = true;
  }

  private report(node: unknown, message: string): void {
    const origin = this.origins.of(node) ?? (this.origins.of(this.spec) as Origin);
    this.problems.push({ file: origin.file, line: origin.line, field: fieldOf(origin.path), message });
  }

  /** Reads `uses:`, checking names, parameters and clashes between the fixtures. */
  readUses(node: unknown): void {
    if (node === undefined) return;
    if (!isSeq(node)) {
      this.report(node, 'expected a list of fixtures: [NAME] or [{ NAME: { PARAMETER: value } }]');
      return;
    }
    for (const item of node.items) {
      let nameNode: unknown = item;
      let paramsNode: unknown;
      if (isMap(item) && item.items.length === 1) {
        nameNode = item.items[0]?.key;
        paramsNode = item.items[0]?.value;
      } else if (!(isScalar(item) && typeof item.value === 'string')) {
        this.report(item, 'expected a fixture name, or { NAME: { PARAMETER: value } }');
        continue;
      }
      const fixtureName = keyText(nameNode);
      const fixture = this.library.fixtures.get(fixtureName);
      if (!fixture) {
        const where = this.library.dir ? ` (in ${this.library.dir})` : ' (no fixtures folder found)';
        this.report(
          nameNode,
          `no fixture named '${fixtureName}': expected one of ${listOf(this.library.fixtures.keys())}${where}`,
        );
        continue;
      }
      if (this.used.some((u) => u.fixture === fixture)) {
        this.report(nameNode, `fixture '${fixtureName}' is used twice: expected each fixture once`);
        continue;
      }
      const params = new Map<string, unknown>([...fixture.parameters].map(([k, v]) => [k, v.value]));
      this.readParameters(fixture, paramsNode, params);
      for (const other of this.used) {
        const clash = (kind: string, mine: Iterable<string>, theirs: Map<string, unknown>) => {
          for (const n of mine) {
            if (theirs.has(n)) {
              this.report(
                nameNode,
                `fixtures '${other.fixture.name}' and '${fixtureName}' both define the ${kind} '${n}': expected a spec to use fixtures whose names do not clash`,
              );
            }
          }
        };
        clash('manifest', fixture.manifests.keys(), other.fixture.manifests);
        clash('setup sequence', fixture.setups.keys(), other.fixture.setups);
      }
      this.used.push({ fixture, params });
    }
  }

  private readParameters(fixture: Fixture, node: unknown, params: Map<string, unknown>): void {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return;
    const declared = listOf(fixture.parameters.keys());
    if (!isMap(node)) {
      this.report(node, `expected the parameters of '${fixture.name}' as a mapping: ${declared}`);
      return;
    }
    for (const pair of node.items) {
      const param = keyText(pair.key);
      const fallback = fixture.parameters.get(param);
      if (!fallback) {
        this.report(
          pair.key,
          `fixture '${fixture.name}' has no parameter '${param}': expected one of ${declared}`,
        );
        continue;
      }
      const type = typeof fallback.value;
      if (!isScalar(pair.value) || typeof pair.value.value !== type) {
        this.report(pair.value ?? pair.key, `expected a ${type}, like the default ${String(fallback.value)}`);
        continue;
      }
      params.set(param, pair.value.value);
    }
  }

  /** A copy of a fixture node with its `${params.NAME}` references replaced. */
  private instantiate(node: unknown, owner: UsedFixture | undefined): unknown {
    if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${params.')) {
      const text = node.value;
      const unknown = [...text.matchAll(PARAM)]
        .map((m) => m[1] as string)
        .filter((p) => !owner?.params.has(p));
      if (unknown.length > 0) {
        this.report(
          node,
          owner
            ? `unknown fixture parameter \${params.${unknown[0]}}: expected one of ${listOf(owner.params.keys())}`
            : `\${params.${unknown[0]}}: fixture parameters stand only in fixtures`,
        );
        return node;
      }
      const params = owner?.params as Map<string, unknown>;
      const whole = WHOLE_PARAM.exec(text);
      const value = whole
        ? params.get(whole[1] as string)
        : text.replace(PARAM, (_m, p) => String(params.get(p)));
      return this.copyOf(node, new Scalar(value));
    }
    if (isMap(node)) {
      const items = node.items.map((pair) => {
        const key = this.instantiate(pair.key, owner);
        const value = this.instantiate(pair.value, owner);
        return key === pair.key && value === pair.value ? pair : new Pair(key, value);
      });
      if (items.every((pair, i) => pair === node.items[i])) return node;
      const copy = this.copyOf(node, new YAMLMap());
      copy.items = items;
      return copy;
    }
    if (isSeq(node)) {
      const items = node.items.map((item) => this.instantiate(item, owner));
      if (items.every((item, i) => item === node.items[i])) return node;
      const copy = this.copyOf(node, new YAMLSeq());
      copy.items = items;
      return copy;
    }
    return node;
  }

  /** `built` takes the place of `original`: problems in it point where the original was written. */
  private copyOf<T extends object>(original: unknown, built: T): T {
    const origin = this.origins.of(original);
    if (origin) this.origins.set(built, origin);
    return built;
  }

  /** RFC 7386 on YAML nodes: the result keeps the nodes (and so the origins) of both sides. */
  private mergePatch(base: unknown, patch: unknown): unknown {
    if (!isMap(patch)) return patch;
    const result = this.copyOf(isMap(base) ? base : patch, new YAMLMap());
    const patches = new Map(patch.items.map((pair) => [keyText(pair.key), pair]));
    const isNull = (node: unknown) => node === null || (isScalar(node) && node.value === null);
    for (const pair of isMap(base) ? base.items : []) {
      const change = patches.get(keyText(pair.key));
      patches.delete(keyText(pair.key));
      if (!change) result.items.push(pair);
      else if (!isNull(change.value))
        result.items.push(new Pair(pair.key, this.mergePatch(pair.value, change.value)));
    }
    for (const change of patches.values()) {
      if (!isNull(change.value))
        result.items.push(new Pair(change.key, this.mergePatch(undefined, change.value)));
    }
    return result;
  }

  private fixtureManifest(
    manifest: string,
  ): { owner: UsedFixture; pair: Pair<unknown, unknown> } | undefined {
    for (const owner of this.used) {
      const pair = owner.fixture.manifests.get(manifest);
      if (pair) return { owner, pair };
    }
    return undefined;
  }

  private fixtureManifestNames(): string {
    return listOf(this.used.flatMap((u) => [...u.fixture.manifests.keys()]));
  }

  /** Expands `setup:` steps (recursively), recording which spec step each step came from. */
  expandSteps(
    items: readonly unknown[],
    owner: UsedFixture | undefined,
    chain: string[],
    out: { steps: unknown[]; specSteps: unknown[] },
    specStep?: unknown,
  ): void {
    for (const item of items) {
      if (this.stopped) return;
      const from = specStep ?? item;
      const setup = pairIn(item, 'setup');
      if (!setup) {
        if (out.steps.length >= MAX_EXPANDED_STEPS) {
          this.stop(from, `the setups expand to more than ${MAX_EXPANDED_STEPS} steps: expected fewer`);
          return;
        }
        out.steps.push(this.instantiate(item, owner));
        out.specSteps.push(from);
        continue;
      }
      const resolved = this.setupOf(item as YAMLMap, setup, owner, chain);
      if (resolved)
        this.expandSteps(resolved.steps.items, resolved.found, [...chain, resolved.sequence], out, from);
    }
  }

  /** The sequence a `setup:` step names, with its fixture; undefined (reported): none to expand. */
  private setupOf(
    item: YAMLMap,
    setup: Pair<unknown, unknown>,
    owner: UsedFixture | undefined,
    chain: string[],
  ): { found: UsedFixture; sequence: string; steps: YAMLSeq } | undefined {
    if (item.items.length > 1) {
      this.report(item, 'a setup step has one key, `setup: SEQUENCE`');
      return undefined;
    }
    const nameNode = setup.value;
    if (!(isScalar(nameNode) && typeof nameNode.value === 'string')) {
      this.report(nameNode ?? setup.key, 'expected the name of a setup sequence of a fixture the spec uses');
      return undefined;
    }
    const sequence = nameNode.value;
    const candidates = owner ? [owner] : this.used;
    const found = candidates.find((u) => u.fixture.setups.has(sequence));
    if (!found) {
      const known = candidates.flatMap((u) => [...u.fixture.setups.keys()]);
      const whose = owner ? `fixture '${owner.fixture.name}'` : 'the fixtures the spec uses';
      this.report(
        nameNode,
        `no setup sequence named '${sequence}' in ${whose}: expected one of ${listOf(known)}`,
      );
      return undefined;
    }
    if (chain.includes(sequence)) {
      this.report(nameNode, `setup '${sequence}' includes itself: ${[...chain, sequence].join(' -> ')}`);
      return undefined;
    }
    if (chain.length >= MAX_SETUP_DEPTH) {
      this.stop(
        nameNode,
        `setups nest more than ${MAX_SETUP_DEPTH} deep: ${[...chain, sequence].join(' -> ')}: expected fewer`,
      );
      return undefined;
    }
    return { found, sequence, steps: found.fixture.setups.get(sequence) as YAMLSeq };
  }

  /** The spec's manifests with fixture manifests resolved, in the fixtures' order, then the spec's. */
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: fixture manifests: patch, from and own objects resolved in one pass with their source lines
  expandManifests(specManifests: YAMLMap | undefined, steps: unknown[], origin: unknown): YAMLMap {
    const resolved = new Map<string, Pair<unknown, unknown>>();
    for (const pair of specManifests?.items ?? []) {
      const name = keyText(pair.key);
      const value = pair.value;
      const derived =
        isMap(value) && !pairIn(value, 'apiVersion') && (pairIn(value, 'patch') || pairIn(value, 'from'));
      if (!derived) {
        resolved.set(name, pair);
        continue;
      }
      const extra = value.items.find((p) => !['from', 'patch'].includes(keyText(p.key)));
      if (extra) {
        this.report(
          extra.key,
          `unknown field '${keyText(extra.key)}': a fixture manifest changed here has only from and patch`,
        );
        continue;
      }
      const fromNode = pairIn(value, 'from')?.value;
      const patchNode = pairIn(value, 'patch')?.value;
      const baseName = fromNode === undefined ? name : isScalar(fromNode) ? String(fromNode.value) : '';
      const base = this.fixtureManifest(baseName);
      if (!base) {
        this.report(
          fromNode ?? pair.key,
          `no fixture manifest named '${baseName}' to patch: expected one of ${this.fixtureManifestNames()}`,
        );
        continue;
      }
      if (patchNode !== undefined && !isMap(patchNode)) {
        this.report(patchNode, 'expected a mapping: a JSON merge patch of the fixture manifest');
        continue;
      }
      const instance = this.instantiate(base.pair.value, base.owner);
      const merged = patchNode === undefined ? instance : this.mergePatch(instance, patchNode);
      resolved.set(name, new Pair(pair.key, merged));
    }
    const referenced = manifestNamesInSteps(steps);
    const manifests = this.copyOf(origin, new YAMLMap());
    for (const owner of this.used) {
      for (const [name, pair] of owner.fixture.manifests) {
        const mine = resolved.get(name);
        if (mine) {
          manifests.items.push(mine);
          resolved.delete(name);
        } else if (referenced.has(name)) {
          manifests.items.push(new Pair(pair.key, this.instantiate(pair.value, owner)));
        }
      }
    }
    manifests.items.push(...resolved.values());
    return manifests;
  }

  /** Reports `${params.…}` written in the spec itself. */
  checkSpecText(node: unknown): void {
    this.instantiate(node, undefined);
  }
}

/** Names of the manifests that apply, delete and patch steps refer to. */
function manifestNamesInSteps(steps: unknown[]): Set<string> {
  const names = new Set<string>();
  for (const step of steps) {
    for (const kind of ['apply', 'delete']) {
      const list = pairIn(step, kind)?.value;
      if (isSeq(list)) for (const item of list.items) names.add(keyText(item));
    }
    const patched = pairIn(pairIn(step, 'patch')?.value, 'manifest')?.value;
    if (patched !== undefined) names.add(keyText(patched));
  }
  return names;
}

export function expandFixtures(spec: YAMLMap, library: FixtureLibrary, origins: Origins): Expansion {
  const expander = new Expander(spec, library, origins);
  expander.checkSpecText(spec);
  const uses = pairIn(spec, 'uses');
  expander.readUses(uses?.value);
  // Without the fixtures the spec names, whatever refers to them would only repeat the problem.
  if (expander.problems.length > 0) return { root: spec, specSteps: [], problems: expander.problems };

  const stepsPair = pairIn(spec, 'steps');
  const out = { steps: [] as unknown[], specSteps: [] as unknown[] };
  let steps: unknown = stepsPair?.value;
  if (isSeq(stepsPair?.value)) {
    expander.expandSteps(stepsPair.value.items, undefined, [], out);
    const seq = new YAMLSeq();
    seq.items = out.steps;
    const origin = origins.of(stepsPair.value);
    if (origin) origins.set(seq, origin);
    steps = seq;
  }

  const manifestsPair = pairIn(spec, 'manifests');
  const specManifests = manifestsPair?.value;
  const manifests =
    isMap(specManifests) || specManifests === undefined
      ? expander.expandManifests(specManifests as YAMLMap | undefined, out.steps, specManifests ?? uses?.key)
      : specManifests;

  const root = new YAMLMap();
  const rootOrigin = origins.of(spec);
  if (rootOrigin) origins.set(root, rootOrigin);
  for (const pair of spec.items) {
    const key = keyText(pair.key);
    if (key === 'uses') continue;
    if (key === 'steps') root.items.push(new Pair(pair.key, steps));
    else if (key === 'manifests') root.items.push(new Pair(pair.key, manifests));
    else root.items.push(pair);
  }
  if (!manifestsPair && uses && isMap(manifests) && manifests.items.length > 0) {
    // Only fixtures' manifests: they stand under the name the schema knows, found at `uses:`.
    const key = new Scalar('manifests');
    const origin = origins.of(uses.key);
    if (origin) origins.set(key, origin);
    root.items.push(new Pair(key, manifests));
  }
  return { root, specSteps: out.specSteps, problems: expander.problems };
}
