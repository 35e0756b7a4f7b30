import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, LineCounter, type Node, parse, parseDocument, visit } from 'yaml';
import { DEFAULT_SUITES_DIR, loadCatalogue, uncoveredStatements } from '../../harness/spec/catalogue.js';
import { formatProblem, parseScenario } from '../../harness/spec/loader.js';
import { STATEMENTS } from '../../harness/spec/statements.js';

const VALID = `id: example
title: An example
statements: [ES-SNAT-1]
profile: core
features: [SourceIPLoadBalancer]
manifests:
  service:
    apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: "\${namespace}" }
steps:
  - apply: [service]
  - wait:
      condition: { serviceIngress: { service: web } }
      timeout: ingress
  - probe:
      name: out
      from: { endpointsOf: web }
      to: { peer: default }
      expect: { source: loadBalancerIP, service: web }
`;

/** Problems of a spec made by replacing `from` with `to` in the valid one, as printed lines. */
function problemsOf(from: string, to: string): string[] {
  const text = VALID.replace(from, to);
  expect(text).not.toBe(VALID);
  const result = parseScenario(text, 'suites/core/example.yaml');
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('spec loader', () => {
  it('accepts a valid spec and fills in defaults', () => {
    const result = parseScenario(VALID, 'x.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.loaded.scenario.requires).toEqual({
      nodes: 1,
      dualStack: false,
      networks: [],
      namespaces: [],
    });
    expect(result.loaded.scenario.steps[2]).toMatchObject({
      kind: 'probe',
      body: { protocol: 'tcp', attempts: 3 },
    });
    expect(result.loaded.stepLines).toEqual([12, 13, 16]);
  });

  it.each([
    [
      'a YAML syntax error',
      'title: An example',
      'title: [An example',
      /^suites\/core\/example\.yaml:\d+: YAML syntax error: /,
    ],
    [
      'an unknown field',
      'title: An example',
      'title: An example\ntitel: typo',
      /^suites\/core\/example\.yaml:3: titel: unknown field 'titel'$/,
    ],
    [
      'a wrong type',
      'profile: core',
      'profile: [core]',
      /^suites\/core\/example\.yaml:4: profile: expected one of core, extended, found a list$/,
    ],
    [
      'an unknown statement ID',
      '[ES-SNAT-1]',
      '[ES-SNAT-9]',
      /^suites\/core\/example\.yaml:3: statements\[0\]: expected a statement ID from docs\/behaviour\.md/,
    ],
    [
      'an unknown step kind',
      '  - apply: [service]',
      '  - aply: [service]',
      /^suites\/core\/example\.yaml:12: steps\[0\]\.aply: unknown step kind 'aply': expected one of apply, delete/,
    ],
    [
      'an unknown timeout name',
      'timeout: ingress',
      'timeout: ingres',
      /^suites\/core\/example\.yaml:15: steps\[1\]\.wait\.timeout: expected one of ingress, podsReady, .*found 'ingres'$/,
    ],
    [
      'a number as text',
      'expect: { source',
      'attempts: lots\n      expect: { source',
      /^suites\/core\/example\.yaml:20: steps\[2\]\.probe\.attempts: expected number, found 'lots'$/,
    ],
    [
      'a missing field',
      'title: An example\n',
      '',
      /^suites\/core\/example\.yaml:1: title: missing; expected string$/,
    ],
    [
      'an unknown template variable',
      '${namespace}',
      '${namespce}',
      /^suites\/core\/example\.yaml:10: manifests\.service\.metadata\.namespace: unknown template variable \$\{namespce\}/,
    ],
    [
      'a step naming no manifest',
      'apply: [service]',
      'apply: [svc]',
      /^suites\/core\/example\.yaml:12: steps\[0\]\.apply\[0\]: no manifest named 'svc': expected one of service$/,
    ],
    [
      'an unknown form of a union',
      'from: { endpointsOf: web }',
      'from: { endpointOf: web }',
      /^suites\/core\/example\.yaml:18: steps\[2\]\.probe\.from: expected one of: endpointsOf, pods, pod, found 'endpointOf'$/,
    ],
    [
      'a cross-field rule',
      'source: loadBalancerIP, service: web',
      'source: loadBalancerIP',
      /^suites\/core\/example\.yaml:20: steps\[2\]\.probe\.expect: loadBalancerIP needs `service`/,
    ],
    [
      'a scenario with no check (only apply: its statements would pass by doing nothing)',
      `  - wait:
      condition: { serviceIngress: { service: web } }
      timeout: ingress
  - probe:
      name: out
      from: { endpointsOf: web }
      to: { peer: default }
      expect: { source: loadBalancerIP, service: web }
`,
      '',
      /^suites\/core\/example\.yaml:12: steps: no step checks anything: expected at least one of wait, expect, probe, stopTraffic, so that the statements \(ES-SNAT-1\) pass only through a check that can fail$/,
    ],
  ])('reports %s as one FILE:LINE line', (_what, from, to, pattern) => {
    const lines = problemsOf(from, to);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  // Hostile round of issue #22 (M4): removeNode without failNode would delete a healthy node.
  it('refuses removeNode and restoreNode without an earlier failNode of the same reference', () => {
    const lines = problemsOf(
      '  - apply: [service]\n',
      '  - apply: [service]\n  - removeNode: { node: { index: 0 } }\n  - failNode: { node: { egressNodeOf: web } }\n  - restoreNode: { node: { index: 0 } }\n  - removeNode: { node: { egressNodeOf: web } }\n',
    );
    expect(lines).toEqual([
      'suites/core/example.yaml:13: steps[1].removeNode.node: removeNode of {"index":0}: expected an earlier failNode of the same node reference (it acts on the node that failNode failed)',
      'suites/core/example.yaml:15: steps[3].restoreNode.node: restoreNode of {"index":0}: expected an earlier failNode of the same node reference (it acts on the node that failNode failed)',
    ]);
  });

  it('refuses a startController without a stopController, a second stop, and a stop left open', () => {
    const lines = problemsOf(
      '  - apply: [service]\n',
      '  - apply: [service]\n  - startController: {}\n  - stopController: {}\n  - stopController: {}\n',
    );
    expect(lines).toEqual([
      'suites/core/example.yaml:13: steps[1].startController: startController: expected an earlier stopController (it starts the controller that one stopped)',
      'suites/core/example.yaml:15: steps[3].stopController: stopController: the controller is already stopped (by step 3): expected a startController between them',
      'suites/core/example.yaml:15: steps[3].stopController: stopController: expected a later startController (a scenario checks what the controller does once started again)',
    ]);
  });

  it('accepts a stopController and startController pair, and refuses a body', () => {
    expect(
      problemsOf(
        '  - apply: [service]\n',
        '  - apply: [service]\n  - stopController: {}\n  - startController: {}\n',
      ),
    ).toEqual([]);
    const lines = problemsOf(
      '  - apply: [service]\n',
      '  - apply: [service]\n  - stopController: { pods: all }\n  - startController: {}\n',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^suites\/core\/example\.yaml:13: steps\[1\]\.stopController.*unknown field 'pods'/,
    );
  });

  // Hostile round of issue #22 (M11): a key with ESC, U+202E and a newline, echoed in the error.
  it('prints a hostile key escaped: no ESC, bidi override or line break reaches the terminal', () => {
    const lines = problemsOf(
      '  service:\n',
      '  "\\e[31mEVIL\\u202E\\n::error::x": { apiVersion: v1 }\n  service:\n',
    );
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) for (const raw of ['\u001b', '\u202e', '\n']) expect(line).not.toContain(raw);
    expect(lines.join('\n')).toContain('\\u202e');
  });

  it('reports an empty file', () => {
    const result = parseScenario('', 'empty.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'empty.yaml:1: empty file: expected a scenario spec (a YAML mapping)',
    ]);
  });

  // Hostile round 3: `validate /etc/shadow` printed every line of the file back as an unknown field.
  it('reports a file that is no spec (a shadow-like file) in one line, echoing none of its lines', () => {
    const text =
      'root:*:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\nsecret-user:$6$salt$hash:20228::::::\n';
    const result = parseScenario(text, 'shadow');
    const lines = result.ok ? [] : result.problems.map(formatProblem);
    expect(lines).toEqual([
      'shadow:1: not a scenario spec: none of its 3 keys is a spec field (expected id, title, statements, steps, ...)',
    ]);
  });

  it('reports a document that is not a mapping', () => {
    const result = parseScenario('- just\n- a list\n', 'list.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'list.yaml:1: expected a scenario spec (a YAML mapping)',
    ]);
  });
});

describe('the shipped suites', () => {
  it('are all valid, with unique ids, and cover every core statement but the known gaps', async () => {
    const catalogue = await loadCatalogue(undefined);
    expect(catalogue.problems.map(formatProblem)).toEqual([]);
    expect(catalogue.scenarios.length).toBeGreaterThanOrEqual(9);
    const uncovered = uncoveredStatements(catalogue.scenarios).map((s) => s.id);
    const core = STATEMENTS.filter((s) => s.profile === 'core').map((s) => s.id);
    // Every core statement has its scenarios: a new one without them fails here.
    expect(core.filter((id) => uncovered.includes(id))).toEqual([]);
  });

  it('keep the statement catalogue in step with BEHAVIOUR.md: IDs, text, features, profiles', async () => {
    const behaviour = await sharedBehaviour();
    if (behaviour === undefined) return; // shared/ lives beside the project on developer machines and CI
    const ids = [...behaviour.matchAll(/\*\*(ES-[A-Z]+-\d+)\*\*/g)].map((m) => m[1]);
    const founding = STATEMENTS.filter((s) => !ADDED_SINCE_FOUNDING.has(s.id));
    expect(ids).toEqual(founding.map((s) => s.id));
    const extended = behaviour.slice(behaviour.indexOf('\nExtended:'));
    for (const statement of founding) {
      const written = behaviour.split(`**${statement.id}** `)[1]?.split(/\n- \*\*|\n\n/)[0] ?? '';
      const tag = /^\(`(\w+)`(, provisional)?\) /.exec(written);
      expect(written.slice(tag?.[0].length ?? 0).replace(/\s+/g, ' '), statement.id).toBe(statement.text);
      expect(extended.includes(`**${statement.id}**`) ? 'extended' : 'core', statement.id).toBe(
        statement.profile,
      );
      if (tag) expect(tag[1], statement.id).toBe(statement.feature);
      expect(tag?.[2] !== undefined, statement.id).toBe(statement.provisional === true);
    }
  });
});

/**
 * Statements the project added after the founding BEHAVIOUR.md, which does not have them:
 * ES-ISO-1 (namespace isolation, issue #24).
 */
const ADDED_SINCE_FOUNDING: ReadonlySet<string> = new Set(['ES-ISO-1']);

/** The project's BEHAVIOUR.md, from a `shared/` folder beside the checkout or one of its parents. */
async function sharedBehaviour(): Promise<string | undefined> {
  for (let dir = resolve('..'); ; dir = dirname(dir)) {
    const text = await readFile(join(dir, 'shared', 'BEHAVIOUR.md'), 'utf8').catch(() => undefined);
    if (text !== undefined || dirname(dir) === dir) return text;
  }
}

/** Every YAML file of the shipped suites (specs and fixtures), relative to suites/, with its text. */
async function suiteFiles(): Promise<Array<{ file: string; text: string }>> {
  const entries = await readdir(DEFAULT_SUITES_DIR, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => join(e.parentPath, e.name));
  return Promise.all(
    files.sort().map(async (path) => ({
      file: relative(DEFAULT_SUITES_DIR, path),
      text: await readFile(path, 'utf8'),
    })),
  );
}

describe('the shipped fixtures', () => {
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: walks every fixture's manifests and sequences in one test
  it('are each used: every manifest by a spec, every setup sequence by a spec or another used sequence', async () => {
    const files = await suiteFiles();
    const fixtures = files.filter((f) => f.file.startsWith('fixtures/'));
    const specs = files.filter((f) => !f.file.startsWith('fixtures/'));
    expect(fixtures.length).toBeGreaterThan(0);
    const catalogue = await loadCatalogue(undefined);
    const manifestsInUse = new Set(catalogue.scenarios.flatMap((s) => Object.keys(s.scenario.manifests)));
    const setupsNamed = (node: unknown) => {
      const names: string[] = [];
      visit(parseDocument(typeof node === 'string' ? node : ''), {
        Pair(_key, pair) {
          if (String((pair.key as { value?: unknown })?.value) === 'setup')
            names.push(String((pair.value as { value?: unknown })?.value));
          if (String((pair.key as { value?: unknown })?.value) === 'from')
            manifestsInUse.add(String((pair.value as { value?: unknown })?.value));
        },
      });
      return names;
    };
    const setupsInUse = new Set(specs.flatMap((s) => setupsNamed(s.text)));
    for (const fixture of fixtures) {
      const parsed = parse(fixture.text) as { manifests?: object; setups?: Record<string, unknown[]> };
      // Sequences used by used sequences, until nothing new turns up.
      for (let grown = true; grown; ) {
        grown = false;
        for (const [name, steps] of Object.entries(parsed.setups ?? {})) {
          if (!setupsInUse.has(name)) continue;
          for (const step of steps as Array<{ setup?: string }>) {
            if (step.setup && !setupsInUse.has(step.setup)) {
              setupsInUse.add(step.setup);
              grown = true;
            }
          }
        }
      }
      expect(
        Object.keys(parsed.manifests ?? {}).filter((m) => !manifestsInUse.has(m)),
        fixture.file,
      ).toEqual([]);
      expect(
        Object.keys(parsed.setups ?? {}).filter((s) => !setupsInUse.has(s)),
        fixture.file,
      ).toEqual([]);
    }
  });
});

describe('the shipped manifests', () => {
  it('repeat no block of six or more lines, in specs or fixtures (the duplicates tool reads no YAML)', async () => {
    const places = new Map<string, string[]>();
    for (const { file, text } of await suiteFiles()) {
      const counter = new LineCounter();
      const doc = parseDocument(text, { lineCounter: counter });
      const manifests = doc.get('manifests', true);
      if (!manifests) continue;
      visit(manifests as Node, (_key, node) => {
        if (!isMap(node) && !isSeq(node)) return;
        const range = (node as Node).range;
        if (!range) return;
        const first = counter.linePos(range[0]).line;
        const last = counter.linePos(Math.max(range[0], range[1] - 1)).line;
        if (last - first + 1 < 6) return;
        const key = JSON.stringify(node.toJSON());
        places.set(key, [
          ...(places.get(key) ?? []),
          `${file.slice(DEFAULT_SUITES_DIR.length + 1)}:${first}-${last}`,
        ]);
      });
    }
    const repeated = [...places.values()].filter((where) => where.length > 1);
    expect(repeated).toEqual([]);
  });
});
