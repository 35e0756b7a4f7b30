/**
 * The architecture's import rules (DESIGN.md "Layout"), checked by dependency-cruiser in
 * `npm test` (`npm run deps`). Type-only imports count: a cycle through types is still a cycle
 * a reader has to untangle.
 */
const PROVIDERS = '^harness/env/(lab|kind|existing)/';
const PROVIDER_FOLDERS = '^harness/env/(lab|kind|existing|shared)/';

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
      comment: 'The capture reader imports nothing outside harness/capture/ but Node built-ins.',
      severity: 'error',
      from: { path: '^harness/capture/' },
      to: { pathNot: '^harness/capture/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'providers-do-not-import-each-other',
      comment: 'Providers share code through harness/env/shared/ and the contract, never through each other.',
      severity: 'error',
      from: { path: '^harness/env/(lab|kind|existing)/' },
      to: { path: PROVIDERS, pathNot: '^harness/env/$1/' },
    },
    {
      name: 'providers-below-cli-and-run',
      comment: 'A provider implements the contract; it never imports the CLI or the runner.',
      severity: 'error',
      from: { path: PROVIDERS },
      to: { path: ['^harness/cli/', '^harness/run/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
