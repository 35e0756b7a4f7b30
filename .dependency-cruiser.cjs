/**
 * The architecture's import rules (docs/design.md, "Layers and folders"), checked by dependency-cruiser in
 * `npm test` (`npm run deps`). Type-only imports count: a cycle through types is still a cycle
 * a reader has to untangle.
 */
const { readFileSync } = require('node:fs');

/** The provider names of the table (harness/env/provider-names.ts): one list for every rule. */
const NAMES = [
  ...readFileSync(`${__dirname}/harness/env/provider-names.ts`, 'utf8')
    .match(/PROVIDER_NAMES = \[([^\]]*)\]/)[1]
    .matchAll(/'([a-z-]+)'/g),
].map((m) => m[1]);
const PROVIDERS = `^harness/env/(${NAMES.join('|')})/`;
const PROVIDER_FOLDERS = `^harness/env/(${[...NAMES, 'shared'].join('|')})/`;
/** What a provider and env/shared/ may build on besides themselves: the contract and leaf libraries. */
const CONTRACT_AND_LEAVES = [
  '^harness/env/(environment|provider)[.]ts$',
  '^harness/env/shared/',
  '^harness/(k8s|capture|peer|common)/',
  '^harness/spec/statements[.]ts$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No module of harness/ reaches itself through its imports.',
      severity: 'error',
      from: { path: '^harness/' },
      to: { circular: true },
    },
    {
      name: 'spec-below-run-and-providers',
      comment:
        'The spec (schema, step and condition registries, loader) is what run/ and the CLI read; it never imports the runner or a provider.',
      severity: 'error',
      from: { path: '^harness/spec/' },
      to: { path: ['^harness/run/', PROVIDER_FOLDERS] },
    },
    {
      name: 'spec-loads-no-heavy-code',
      comment:
        '`validate`, `list` and the dry run load the spec: only zod and yaml, no Kubernetes client, Docker or process library.',
      severity: 'error',
      from: { path: '^harness/spec/' },
      to: { path: 'node_modules/', pathNot: 'node_modules/(zod|yaml)/' },
    },
    {
      name: 'run-sees-only-the-contract',
      comment:
        'The runner talks to the Environment interface (env/environment.ts), never to a provider, and never to the CLI above it.',
      severity: 'error',
      from: { path: '^harness/run/' },
      to: { path: ['^harness/cli/', PROVIDER_FOLDERS] },
    },
    {
      name: 'capture-is-self-contained',
      comment:
        'The capture reader imports nothing outside harness/capture/ but Node built-ins and the three leaf modules of common/ (usage errors, escaping, bounded input files), which import nothing but each other.',
      severity: 'error',
      from: { path: '^harness/capture/' },
      to: {
        pathNot: ['^harness/capture/', '^harness/common/(errors|escape|input-file)[.]ts$'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'common-leaves-stay-leaves',
      comment: 'The common/ modules the capture reader may use import only each other and Node built-ins.',
      severity: 'error',
      from: { path: '^harness/common/(errors|escape|input-file)[.]ts$' },
      to: { pathNot: '^harness/common/(errors|escape|input-file)[.]ts$', dependencyTypesNot: ['core'] },
    },
    {
      name: 'providers-do-not-import-each-other',
      comment: 'Providers share code through harness/env/shared/ and the contract, never through each other.',
      severity: 'error',
      from: { path: PROVIDERS },
      to: { path: PROVIDERS, pathNot: '^harness/env/$1/' },
    },
    {
      name: 'provider-settings-are-light',
      comment:
        "A provider's settings schema (env/<provider>/settings.ts) is in the provider table, which `validate` and the options file load without the provider: it reaches no process, Docker or Kubernetes library, and not the provider's own module or environment.",
      severity: 'error',
      from: { path: `^harness/env/(${NAMES.join('|')})/settings[.]ts$` },
      to: {
        path: [
          'node_modules/(execa|testcontainers|@kubernetes)/',
          '^harness/env/[^/]+/(provider|environment)[.]ts$',
        ],
        reachable: true,
      },
    },
    {
      name: 'providers-below-cli-and-run',
      comment: 'A provider implements the contract; it never imports the CLI or the runner.',
      severity: 'error',
      from: { path: PROVIDERS },
      to: { path: ['^harness/cli/', '^harness/run/'] },
    },
    {
      name: 'kind-existing-and-shared-on-contract-and-leaves',
      comment:
        'kind, existing and their shared machinery import only themselves, the contract, env/shared/ and leaf libraries (k8s, capture, peer, common, the statement catalogue).',
      severity: 'error',
      from: { path: '^harness/env/(kind|existing|shared)/' },
      to: { path: '^harness/', pathNot: ['^harness/env/$1/', ...CONTRACT_AND_LEAVES] },
    },
    {
      name: 'lab-reference-knows-no-machines',
      comment:
        'The reference implementation declares what it needs of the machines (reference/machines.ts); it never imports the lab infrastructure or the adapter.',
      severity: 'error',
      from: { path: '^harness/env/lab/reference/' },
      to: { path: '^harness/env/lab/', pathNot: '^harness/env/lab/reference/' },
    },
    {
      name: 'lab-infra-knows-no-egress-service',
      comment:
        'The lab infrastructure (containers, networks, FRR, pods) knows nothing of EgressService: it never imports the reference implementation or the adapter.',
      severity: 'error',
      from: { path: '^harness/env/lab/infra/' },
      to: { path: '^harness/env/lab/', pathNot: '^harness/env/lab/infra/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
