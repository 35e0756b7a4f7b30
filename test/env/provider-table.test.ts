/**
 * The provider table (harness/env/providers.ts), without Docker: the options file's sections, its
 * document schema, the CLI's choices and the report's enum come from the table; and a run parses
 * the chosen provider's section once, by the table's schema, through the real providers (a dry run
 * needs no host): the providers' methods all receive that one parsed value, and a bad section is
 * one usage error naming the options file and the field.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { UsageError } from '../../harness/common/errors.js';
import { existingSettingsSchema } from '../../harness/env/existing/settings.js';
import { kindSettingsSchema } from '../../harness/env/kind/settings.js';
import { labSettingsSchema } from '../../harness/env/lab/settings.js';
import type { Provider } from '../../harness/env/provider.js';
import { PROVIDER_NAMES, type ProviderName } from '../../harness/env/provider-names.js';
import { PROVIDERS } from '../../harness/env/providers.js';
import { PROVIDER_REGISTRY } from '../../harness/env/registry.js';
import {
  optionsFileDocumentSchema,
  optionsFileSchema,
  optionsFileSchemaFor,
  PROVIDER_CHOICES,
  type RunOptions,
} from '../../harness/run/options.js';
import type { ProviderSource } from '../../harness/run/session/provider-choice.js';
import { runSession } from '../../harness/run/session/session.js';
import { type LoadedScenario, parseScenario } from '../../harness/spec/loader.js';
import { modulesLoadedBy } from '../support/loaded-modules.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** A table with one more provider, whose section takes one whole number. */
const EXTENDED = {
  ...PROVIDERS,
  extra: { name: 'extra', settings: { schema: z.strictObject({ size: z.number().int() }) } },
};

describe('what the provider table derives', () => {
  it('gives the options file one section per entry: adding an entry adds a section', () => {
    const sections = Object.keys(optionsFileSchema.shape).filter((key) => key in PROVIDERS);
    expect(sections).toEqual(Object.keys(PROVIDERS));
    expect(optionsFileSchema.safeParse({ extra: { size: 1 } }).success).toBe(false);
    const extended = optionsFileSchemaFor(EXTENDED);
    expect(Object.keys(extended.shape)).toEqual([
      ...Object.keys(optionsFileSchema.shape).slice(0, -1),
      'extra',
      'scopeExceptions',
    ]);
    expect(extended.safeParse({ extra: { size: 1 }, kind: {} }).success).toBe(true);
    // A section is a mapping; what is in it is the provider's schema's to say, once it is chosen.
    expect(extended.safeParse({ extra: 'big' }).success).toBe(false);
  });

  it("describes each section by the entry's settings schema in the options file's document schema", () => {
    const document = optionsFileDocumentSchema(EXTENDED);
    expect(document.safeParse({ extra: { size: 2 } }).success).toBe(true);
    const refused = document.safeParse({ extra: { size: 'two' } });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['extra', 'size']);
    const shipped = optionsFileDocumentSchema(PROVIDERS);
    expect(shipped.safeParse({ kind: { workers: 9 } }).success).toBe(false);
    expect(shipped.safeParse({ lab: { nodes: 2 }, kind: { workers: 3 } }).success).toBe(true);
    expect(PROVIDERS.lab.settings.schema).toBe(labSettingsSchema);
    expect(PROVIDERS.kind.settings.schema).toBe(kindSettingsSchema);
    expect(PROVIDERS.existing.settings.schema).toBe(existingSettingsSchema);
  });

  it('is keyed by the provider names, which are the choices and the report enum', async () => {
    expect(Object.keys(PROVIDERS)).toEqual([...PROVIDER_NAMES]);
    for (const [name, entry] of Object.entries(PROVIDERS)) expect(entry.name).toBe(name);
    expect(PROVIDER_CHOICES).toEqual(['auto', ...Object.keys(PROVIDERS)]);
    expect(PROVIDER_REGISTRY.available()).toEqual(Object.keys(PROVIDERS));
    const report = JSON.parse(await readFile(join(ROOT, 'schemas/conformance-report.schema.json'), 'utf8'));
    expect(report.properties.provider.enum).toEqual(Object.keys(PROVIDERS));
  });

  it("ships the options file's JSON schema as the table makes it (npm run schemas)", async () => {
    const shipped = JSON.parse(await readFile(join(ROOT, 'schemas/options-file.schema.json'), 'utf8'));
    expect(shipped).toEqual(
      z.toJSONSchema(optionsFileDocumentSchema(PROVIDERS), { target: 'draft-2020-12', io: 'input' }),
    );
    expect(Object.keys(shipped.properties)).toEqual(expect.arrayContaining(Object.keys(PROVIDERS)));
    expect(shipped.properties.kind.properties.workers.maximum).toBe(4);
  });
});

const SCENARIO = `id: table-one
title: a Service gets an address
statements: [ES-LIFE-2]
profile: core
features: [Lifecycle]
manifests:
  service:
    apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: "\${namespace}", annotations: { metallb.io/address-pool: "\${uid}-pool" } }
    spec: { type: LoadBalancer, ipFamilies: ["\${ipFamily}"] }
steps:
  - apply: [service]
  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }
`;

/** A scenario every provider's planned environment can run. */
function scenario(): LoadedScenario {
  const parsed = parseScenario(SCENARIO, 'table-one.yaml');
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.field} ${p.message}`).join('\n'));
  return parsed.loaded;
}

/** The build's registry, recording the settings every method of the real provider receives. */
function recordingRegistry(received: Array<{ method: string; settings: unknown }>): ProviderSource {
  return {
    ...PROVIDER_REGISTRY,
    async load(name: ProviderName) {
      const provider = await PROVIDER_REGISTRY.load(name);
      if (!provider) return undefined;
      return new Proxy(provider, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const options = args[0] as { settings?: unknown } | undefined;
            received.push({ method: String(key), settings: options?.settings });
            return value.apply(target, args);
          };
        },
      }) as Provider;
    },
  };
}

describe('settings parsed once per run, through the real providers', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-provider-table-'));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  function dryRun(provider: ProviderName, section: Record<string, unknown>, source: ProviderSource) {
    const options: RunOptions = {
      provider,
      profile: 'core',
      runTests: [],
      skipTests: [],
      family: 'ipv4',
      reportDir: join(dir, 'reports'),
      timeouts: {},
      keep: false,
      dryRun: true,
      debug: false,
      skipProvisional: false,
      providerOptions: { lab: {}, kind: {}, existing: {}, [provider]: section },
    };
    return runSession({
      options,
      optionsFile: 'run.yaml',
      reporters: [],
      providers: source,
      catalogue: { scenarios: [scenario()], problems: [] },
      runId: 'tbl001',
    });
  }

  /** Every parse of a zod schema, counted where it happens (zod's own entry points). */
  function countParses(schema: z.ZodType): () => number {
    const spies = (['parse', 'safeParse', 'parseAsync', 'safeParseAsync'] as const).map((method) =>
      vi.spyOn(schema, method),
    );
    return () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
  }

  const EXISTING = {
    nodeNames: ['a', 'b'],
    peer: { mode: 'container', addresses: { ipv4: '172.18.0.200' }, asn: 64500, dockerNetwork: 'kind' },
  };

  it.each([
    [
      'lab',
      labSettingsSchema,
      { nodes: 2 },
      ['plannedDescription'],
      { nodes: 2, faults: [], dataPlane: 'linux' },
    ],
    [
      'kind',
      kindSettingsSchema,
      { workers: 3, id: 'eck-table' },
      ['plannedDescription', 'printPlan'],
      { workers: 3, gatewayMode: 'shared' },
    ],
    [
      'existing',
      existingSettingsSchema,
      EXISTING,
      ['plannedDescription', 'printPlan'],
      { nodeNames: ['a', 'b'], metallbNamespace: 'metallb-system' },
    ],
  ] as const)(
    '%s: one parse, and every method gets its result',
    async (name, schema, section, methods, parsed) => {
      const parses = countParses(schema);
      const received: Array<{ method: string; settings: unknown }> = [];
      expect(await dryRun(name, section, recordingRegistry(received))).toBe(0);
      expect(parses()).toBe(1);
      const calls = received.filter((r) => r.method !== 'checkEnvironmentVariables');
      expect(calls.map((r) => r.method)).toEqual(methods);
      // One parsed value, handed to every method: the typed settings, not the section as written.
      const [first] = calls;
      for (const call of calls) expect(call.settings).toBe(first?.settings);
      // Defaults filled in: the schema's output, not the section as written.
      expect(first?.settings).toEqual(expect.objectContaining(parsed));
    },
  );

  it.each([
    [
      'lab',
      labSettingsSchema,
      { nodes: 0 },
      'lab.nodes (options file): expected a whole number from 1 to 50, found 0',
    ],
    ['kind', kindSettingsSchema, { workers: 9 }, 'kind.workers: expected at most 4, got number 9'],
    [
      'existing',
      existingSettingsSchema,
      { ...EXISTING, peer: { ...EXISTING.peer, asn: 0 } },
      'existing.peer.asn: expected at least 1, got number 0',
    ],
  ] as const)(
    '%s: a bad section is one usage error naming the file and the field, parsed once',
    async (name, schema, section, line) => {
      const parses = countParses(schema);
      const received: Array<{ method: string; settings: unknown }> = [];
      const error = await dryRun(name, section, recordingRegistry(received)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toBe(`--options-file run.yaml: ${line}`);
      expect((error as UsageError).lines).toEqual([]);
      expect(parses()).toBe(1);
      // Nothing of the provider ran with settings it refused.
      expect(received.filter((r) => r.method !== 'checkEnvironmentVariables')).toEqual([]);
    },
  );
});

describe('validate --options-file', () => {
  it("checks every provider section by the table's schema without loading a provider", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ec-provider-table-validate-'));
    try {
      await mkdir(join(dir, 'suites'));
      await writeFile(join(dir, 'suites', 'table-one.yaml'), SCENARIO);
      const validate = async (options: string) => {
        const file = join(dir, 'options.yaml');
        await writeFile(file, options);
        const run = await modulesLoadedBy(
          ['validate', '--no-cache', '--suites', join(dir, 'suites'), '--options-file', file],
          { env: { EC_CACHE_DIR: join(dir, 'cache') } },
        );
        // A provider's own module or environment (`validate` loads the run command's modules,
        // execa among them, but no provider).
        const providerCode = run.modules.filter((url) =>
          /\/dist\/env\/[^/]+\/(provider|environment)\.js$/.test(url),
        );
        return { ...run, file, providerCode };
      };
      const good = await validate(
        'provider: kind\nlab: { nodes: 2 }\nkind: { workers: 3 }\nexisting: { peer: { mode: host, ssh: a@b, addresses: { ipv4: 192.0.2.1 }, asn: 64500 } }\n',
      );
      expect(good.code, good.stderr).toBe(0);
      expect(good.providerCode).toEqual([]);
      const bad = await validate('provider: lab\nkind: { workers: 9 }\n');
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe(
        `egress-conformance: --options-file ${bad.file}: kind.workers: expected at most 4, got number 9`,
      );
      expect(bad.providerCode).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
