/** Fixtures: expansion into plain specs, and every problem as one FILE:LINE line of the right file. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SUITES_DIR, loadCatalogue } from '../../harness/spec/catalogue.js';
import { type FixtureLibrary, parseFixture } from '../../harness/spec/fixtures.js';
import { formatProblem, type LoadResult, parseScenario } from '../../harness/spec/loader.js';
import { Origins } from '../../harness/spec/source.js';

const FIXTURE = `parameters:
  replicas: 2
manifests:
  service:
    apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: "\${namespace}", labels: { tier: front, keep: "yes" }, annotations: { metallb.io/address-pool: "\${uid}-pool" } }
    spec:
      type: LoadBalancer
      ports: [{ port: 8080 }]
  deployment:
    apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web, namespace: "\${namespace}" }
    spec:
      replicas: "\${params.replicas}"
  unused:
    apiVersion: v1
    kind: ConfigMap
    metadata: { name: unused, namespace: "\${namespace}" }
setups:
  deployed:
    - apply: [deployment, service]
    - wait:
        condition: { podsReady: { pods: { app: web }, count: "\${params.replicas}" } }
        timeout: podsReady
  ready:
    - setup: deployed
    - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }
`;

const SPEC = `id: example
title: An example
statements: [ES-SNAT-1]
profile: core
features: [SourceIPLoadBalancer]
uses: [web]
steps:
  - setup: ready
  - probe:
      name: out
      from: { endpointsOf: web }
      to: { peer: default }
      expect: { source: loadBalancerIP, service: web }
`;

/** A library holding the fixture `web` (fixtures/web.yaml) with the given text. */
function libraryOf(fixtureText: string, origins: Origins): FixtureLibrary {
  const parsed = parseFixture(fixtureText, 'fixtures/web.yaml', 'web', origins);
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  return { dir: 'fixtures', fixtures: new Map([['web', parsed.fixture]]), problems: [] };
}

function load(spec: string, fixture = FIXTURE): LoadResult {
  const origins = new Origins();
  return parseScenario(spec, 'suites/core/example.yaml', libraryOf(fixture, origins), origins);
}

function problemsOf(spec: string, fixture = FIXTURE): string[] {
  const result = load(spec, fixture);
  return result.ok ? [] : result.problems.map(formatProblem);
}

/** SPEC with `from` replaced by `to` (which must change it). */
function specWith(from: string, to: string): string {
  expect(SPEC).toContain(from);
  return SPEC.replace(from, to);
}

describe('fixture expansion', () => {
  it('expands setup sequences in place, recursively, with the line of the setup step', () => {
    const result = load(SPEC);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { scenario, stepLines } = result.loaded;
    expect(scenario.steps.map((s) => s.kind)).toEqual(['apply', 'wait', 'wait', 'probe']);
    expect(scenario.steps[0]).toEqual({ kind: 'apply', body: ['deployment', 'service'] });
    expect(stepLines).toEqual([8, 8, 8, 9]);
  });

  it('brings in the fixture manifests the steps name, and no others, in the fixture order', () => {
    const result = load(SPEC);
    if (!result.ok) throw new Error('expected a valid spec');
    expect(Object.keys(result.loaded.scenario.manifests)).toEqual(['service', 'deployment']);
  });

  it('replaces parameters with their defaults, or the values the spec gives, keeping numbers numbers', () => {
    const defaults = load(SPEC);
    const given = load(specWith('uses: [web]', 'uses: [{ web: { replicas: 3 } }]'));
    if (!defaults.ok || !given.ok) throw new Error('expected valid specs');
    const count = (r: typeof given) => {
      const step = r.loaded.scenario.steps[1];
      return step?.kind === 'wait' && step.body.condition.kind === 'podsReady'
        ? step.body.condition.body.count
        : 0;
    };
    expect(count(defaults)).toBe(2);
    expect(count(given)).toBe(3);
    expect(given.loaded.scenario.manifests.deployment?.spec).toEqual({ replicas: 3 });
  });

  it('patches a fixture manifest with a JSON merge patch: maps merge, null removes, lists replace', () => {
    const result = load(
      specWith(
        'steps:',
        `manifests:
  service:
    patch:
      metadata: { labels: { tier: back, keep: null } }
      spec: { ports: [{ port: 9090 }], externalTrafficPolicy: Local }
steps:`,
      ),
    );
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.loaded.scenario.manifests.service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'web',
        namespace: '${namespace}',
        labels: { tier: 'back' },
        annotations: { 'metallb.io/address-pool': '${uid}-pool' },
      },
      spec: { type: 'LoadBalancer', ports: [{ port: 9090 }], externalTrafficPolicy: 'Local' },
    });
  });

  it('makes a new manifest from a fixture manifest with `from`, and a spec may apply any fixture manifest', () => {
    const result = load(
      specWith(
        '  - setup: ready\n',
        `  - setup: ready
  - apply: [other, unused]
`,
      ).replace(
        'steps:',
        `manifests:
  other:
    from: service
    patch: { metadata: { name: other } }
steps:`,
      ),
    );
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const { manifests } = result.loaded.scenario;
    expect(Object.keys(manifests)).toEqual(['service', 'deployment', 'unused', 'other']);
    expect(manifests.other?.metadata).toMatchObject({ name: 'other' });
    expect(manifests.service?.metadata).toMatchObject({ name: 'web' });
  });

  it('lets a spec without fixtures stay as it was', () => {
    const plain = `id: plain
title: Plain
statements: [ES-SNAT-1]
profile: core
features: [SourceIPLoadBalancer]
manifests:
  cm: { apiVersion: v1, kind: ConfigMap, metadata: { name: cm, namespace: "\${namespace}" } }
steps:
  - apply: [cm]
  - expect: { condition: { noEgressLabel: { service: web } } }
`;
    const result = parseScenario(plain, 'plain.yaml');
    expect(result.ok && result.loaded.stepLines).toEqual([9, 10]);
  });
});

describe('fixture problems, one FILE:LINE line each, in the file the text is in', () => {
  it.each([
    [
      'an unknown fixture',
      specWith('uses: [web]', 'uses: [wbe]'),
      /^suites\/core\/example\.yaml:6: uses\[0\]: no fixture named 'wbe': expected one of web \(in fixtures\)$/,
    ],
    [
      'an unknown setup sequence',
      specWith('setup: ready', 'setup: redy'),
      /^suites\/core\/example\.yaml:8: steps\[0\]\.setup: no setup sequence named 'redy' in the fixtures the spec uses: expected one of deployed, ready$/,
    ],
    [
      'a setup without fixtures',
      specWith('uses: [web]\n', ''),
      /^suites\/core\/example\.yaml:7: steps\[0\]\.setup: no setup sequence named 'ready' in the fixtures the spec uses: expected one of \(none\)$/,
    ],
    [
      'a patch of a manifest no fixture has',
      specWith('steps:', 'manifests:\n  servce:\n    patch: { spec: { type: ClusterIP } }\nsteps:'),
      /^suites\/core\/example\.yaml:8: manifests\.servce: no fixture manifest named 'servce' to patch: expected one of service, deployment, unused$/,
    ],
    [
      'a `from` naming no fixture manifest',
      specWith('steps:', 'manifests:\n  other:\n    from: nothing\nsteps:'),
      /^suites\/core\/example\.yaml:9: manifests\.other\.from: no fixture manifest named 'nothing' to patch/,
    ],
    [
      'an unknown parameter',
      specWith('uses: [web]', 'uses:\n  - web: { replica: 3 }'),
      /^suites\/core\/example\.yaml:7: uses\[0\]\.web\.replica: fixture 'web' has no parameter 'replica': expected one of replicas$/,
    ],
    [
      'a parameter of the wrong type',
      specWith('uses: [web]', 'uses:\n  - web: { replicas: three }'),
      /^suites\/core\/example\.yaml:7: uses\[0\]\.web\.replicas: expected a number, like the default 2$/,
    ],
    [
      'a fixture parameter written in a spec',
      specWith('name: out', 'name: "${params.replicas}"'),
      /^suites\/core\/example\.yaml:10: steps\[1\]\.probe\.name: \$\{params\.replicas\}: fixture parameters stand only in fixtures$/,
    ],
    [
      'a bad value in a patch, at the patch',
      specWith('steps:', 'manifests:\n  service:\n    patch:\n      kind: [Service]\nsteps:'),
      /^suites\/core\/example\.yaml:10: manifests\.service\.patch\.kind: expected string, found a list$/,
    ],
  ])('reports %s', (_what, spec, pattern) => {
    const lines = problemsOf(spec);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  it.each([
    [
      'a setup sequence that includes itself',
      FIXTURE.replace('    - setup: deployed', '    - setup: ready'),
      /^fixtures\/web\.yaml:28: setups\.ready\[0\]\.setup: setup 'ready' includes itself: ready -> ready$/,
    ],
    [
      'a longer cycle',
      FIXTURE.replace('  deployed:\n', '  deployed:\n    - setup: ready\n'),
      /^fixtures\/web\.yaml:23: setups\.deployed\[0\]\.setup: setup 'ready' includes itself: ready -> deployed -> ready$/,
    ],
    [
      'a bad step in a fixture sequence',
      FIXTURE.replace('timeout: ingress', 'timeout: ingres'),
      /^fixtures\/web\.yaml:29: setups\.ready\[1\]\.wait\.timeout: expected one of ingress, .*found 'ingres'$/,
    ],
    [
      'a bad field in a fixture manifest',
      FIXTURE.replace('    kind: Deployment', '    kind: [Deployment]'),
      /^fixtures\/web\.yaml:13: manifests\.deployment\.kind: expected string, found a list$/,
    ],
    [
      'an unknown template variable in a fixture',
      FIXTURE.replace(
        'namespace: "${namespace}" }\n    spec:\n      replicas',
        'namespace: "${namespce}" }\n    spec:\n      replicas',
      ),
      /^fixtures\/web\.yaml:14: manifests\.deployment\.metadata\.namespace: unknown template variable \$\{namespce\}/,
    ],
    [
      'an undeclared parameter in a fixture',
      FIXTURE.replace('replicas: "${params.replicas}"', 'replicas: "${params.replica}"'),
      /^fixtures\/web\.yaml:16: manifests\.deployment\.spec\.replicas: unknown fixture parameter \$\{params\.replica\}: expected one of replicas$/,
    ],
    [
      'a fixture step naming a manifest nobody has',
      FIXTURE.replace('apply: [deployment, service]', 'apply: [deployment, servce]'),
      /^fixtures\/web\.yaml:23: setups\.deployed\[0\]\.apply\[1\]: no manifest named 'servce'/,
    ],
  ])('reports %s at the fixture line', (_what, fixture, pattern) => {
    const lines = problemsOf(SPEC, fixture);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  it('reports the rest of the spec along with a fixture problem, and not what follows from it', () => {
    const spec = specWith('setup: ready', 'setup: redy').replace('profile: core', 'profile: cor');
    expect(problemsOf(spec)).toEqual([
      "suites/core/example.yaml:4: profile: expected one of core, extended, found 'cor'",
      "suites/core/example.yaml:8: steps[0].setup: no setup sequence named 'redy' in the fixtures the spec uses: expected one of deployed, ready",
    ]);
  });

  it('reports a fixture file of the wrong shape', () => {
    const parsed = parseFixture(`${FIXTURE}setup: {}\n`, 'fixtures/web.yaml', 'web', new Origins());
    expect(parsed.ok ? [] : parsed.problems.map(formatProblem)).toEqual([
      "fixtures/web.yaml:30: setup: unknown field 'setup'",
    ]);
  });

  it('reports two used fixtures that define the same manifest', () => {
    const origins = new Origins();
    const library = libraryOf(FIXTURE, origins);
    const twin = parseFixture('manifests:\n  service: { kind: x }\n', 'fixtures/twin.yaml', 'twin', origins);
    if (!twin.ok) throw new Error('expected a valid fixture');
    library.fixtures.set('twin', twin.fixture);
    const result = parseScenario(specWith('uses: [web]', 'uses: [web, twin]'), 'spec.yaml', library, origins);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      "spec.yaml:6: uses[1]: fixtures 'web' and 'twin' both define the manifest 'service': expected a spec to use fixtures whose names do not clash",
    ]);
  });
});

describe('setups are bounded (hostile round 3: setup sK ran sK-1 twice, 2^K steps)', () => {
  /** A fixture whose setup sK runs sK-1 twice, s0 one step. */
  const doubling = (levels: number) => {
    let text = `manifests:\n  cm: { apiVersion: v1, kind: ConfigMap, metadata: { name: cm, namespace: "\${namespace}" } }\nsetups:\n  s0:\n    - apply: [cm]\n`;
    for (let k = 1; k <= levels; k++) text += `  s${k}:\n    - setup: s${k - 1}\n    - setup: s${k - 1}\n`;
    return text;
  };
  it.each([
    [
      'wide (2^12 steps, 12 deep)',
      12,
      /^suites\/core\/example\.yaml:8: steps\[0\]: the setups expand to more than 2000 steps: expected fewer$/,
    ],
    [
      'deep (s30: 2^30 steps, 30 deep)',
      30,
      /^fixtures\/web\.yaml:\d+: setups\.s\d+\[0\]\.setup: setups nest more than 16 deep: s30 -> s29 -> .* -> s14: expected fewer$/,
    ],
  ])('refuses a %s expansion in one line naming the file, at once', (_what, levels, pattern) => {
    const started = Date.now();
    const lines = problemsOf(specWith('setup: ready', `setup: s${levels}`), doubling(levels));
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('a suites folder with fixtures', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-fixtures-'));
    await mkdir(join(dir, 'core'));
    await mkdir(join(dir, 'fixtures'));
    // A problem in an unused part of the fixture: shown once, though two specs use the fixture.
    await writeFile(
      join(dir, 'fixtures', 'web.yaml'),
      FIXTURE.replace('timeout: ingress', 'timeout: ingres'),
    );
    await writeFile(join(dir, 'core', 'a.yaml'), SPEC);
    await writeFile(join(dir, 'core', 'b.yaml'), SPEC.replace('id: example', 'id: other'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads fixtures from fixtures/, not as specs, and says a fixture problem once', async () => {
    const catalogue = await loadCatalogue(undefined, dir);
    expect(catalogue.scenarios).toEqual([]);
    const lines = catalogue.problems.map(formatProblem);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/fixtures\/web\.yaml:29: setups\.ready\[1\]\.wait\.timeout: expected one of/);
  });

  it('gives a spec with no fixtures folder near it the shipped fixtures', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'ec-alone-'));
    try {
      const alone = join(elsewhere, 'alone.yaml');
      const shipped = await readFile(join(DEFAULT_SUITES_DIR, 'core', 'snat-loadbalancer-ip.yaml'), 'utf8');
      await writeFile(alone, shipped.replace('id: snat-loadbalancer-ip', 'id: alone'));
      const catalogue = await loadCatalogue([alone]);
      expect(catalogue.problems.map(formatProblem)).toEqual([]);
      expect(Object.keys(catalogue.scenarios[0]?.scenario.manifests ?? {})).toContain('egress-service');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('finds the fixtures of a spec named on its own', async () => {
    const good = join(dir, 'core', 'good.yaml');
    await writeFile(good, SPEC.replace('id: example', 'id: good'));
    await writeFile(join(dir, 'fixtures', 'web.yaml'), FIXTURE);
    const catalogue = await loadCatalogue([good]);
    expect(catalogue.problems.map(formatProblem)).toEqual([]);
    expect(catalogue.scenarios.map((s) => s.scenario.id)).toEqual(['good']);
  });
});
