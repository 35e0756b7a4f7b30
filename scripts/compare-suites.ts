/**
 * Compares the scenarios of the suites here with those at a git revision, after expansion and
 * rendering: per scenario x family, the objects (by kind and name) and the steps. For spec
 * refactors that must not change what runs: `npx tsx scripts/compare-suites.ts main`.
 */
import { execFileSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { silentLogger } from '../harness/common/log.js';
import { labProvider } from '../harness/env/lab/provider.js';
import { parseLabSettings } from '../harness/env/lab/settings.js';
import { contextFor } from '../harness/run/context.js';
import { planRun } from '../harness/run/plan.js';
import { loadCatalogue } from '../harness/spec/catalogue.js';
import { type LoadedScenario, parseScenario } from '../harness/spec/loader.js';
import { render } from '../harness/spec/template.js';

const revision = process.argv[2] ?? 'main';
const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' });

const here = await loadCatalogue(undefined);
if (here.problems.length > 0) throw new Error(JSON.stringify(here.problems));
const files = git('ls-tree', '-r', '--name-only', revision, 'suites/core', 'suites/extended')
  .split('\n')
  .filter((f) => f.endsWith('.yaml'));
const there: LoadedScenario[] = files.map((file) => {
  const result = parseScenario(git('show', `${revision}:${file}`), file);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.loaded;
});

const description = labProvider.plannedDescription({
  runId: 'cmp',
  families: ['ipv4', 'ipv6'],
  keep: false,
  settings: parseLabSettings({}),
  log: silentLogger(),
  signal: new AbortController().signal,
});
const options = { profile: 'all' as const, runTests: [], skipTests: [], skipProvisional: false };
const rendered = (catalogue: LoadedScenario[]) =>
  new Map(
    planRun(catalogue, options, description, 'cmp').map((test) => {
      const ctx = contextFor(test, description);
      const objects = new Map(
        Object.entries(ctx.manifests).map(([key, o]) => [`${o.kind}/${o.metadata?.name}`, { key, o }]),
      );
      // Steps name manifests by key; compare the objects they name, so that a renamed key is no difference.
      const idOf = (key: string) => {
        const o = ctx.manifests[key];
        return o ? `${o.kind}/${o.metadata?.name}` : key;
      };
      const steps = test.loaded.scenario.steps.map((raw) => {
        const step = render(raw, ctx.values) as { kind: string; body: unknown };
        if (step.kind === 'apply' || step.kind === 'delete') step.body = (step.body as string[]).map(idOf);
        if (step.kind === 'patch') {
          const body = step.body as { manifest: string };
          body.manifest = idOf(body.manifest);
        }
        return JSON.stringify(step);
      });
      return [`${test.loaded.scenario.id} [${test.family}]`, { test, objects, steps }];
    }),
  );

const mine = rendered(here.scenarios);
const theirs = rendered(there);
let differences = 0;
const say = (line: string) => {
  differences++;
  console.log(line);
};
for (const [name, old] of theirs) {
  const now = mine.get(name);
  if (!now) {
    say(`${name}: missing here`);
    continue;
  }
  const a = old.test.loaded.scenario;
  const b = now.test.loaded.scenario;
  for (const field of [
    'title',
    'statements',
    'profile',
    'features',
    'provisional',
    'requires',
    'timeouts',
  ] as const) {
    if (!isDeepStrictEqual(a[field], b[field])) say(`${name}: ${field} differs`);
  }
  for (const [id, { key, o }] of old.objects) {
    const other = now.objects.get(id);
    if (!other) say(`${name}: object ${id} (${key}) missing here`);
    else {
      if (other.key !== key)
        console.log(`${name}: (renamed) object ${id} is manifest '${other.key}' here, was '${key}'`);
      if (!isDeepStrictEqual(o, other.o))
        say(
          `${name}: object ${id} differs:\n    was ${JSON.stringify(o)}\n    now ${JSON.stringify(other.o)}`,
        );
    }
  }
  for (const id of now.objects.keys()) if (!old.objects.has(id)) say(`${name}: object ${id} is new here`);
  if (!isDeepStrictEqual(old.steps, now.steps)) {
    say(`${name}: steps differ`);
    const width = Math.max(old.steps.length, now.steps.length);
    for (let i = 0; i < width; i++) {
      if (old.steps[i] !== now.steps[i])
        console.log(`    ${i + 1}. was ${old.steps[i]}\n       now ${now.steps[i]}`);
    }
  }
}
for (const name of mine.keys()) if (!theirs.has(name)) say(`${name}: new here`);
console.log(`${theirs.size} tests at ${revision}, ${mine.size} here, ${differences} difference(s).`);
