/**
 * The mutant build: a copy of the built CLI (dist/) whose reference files are the instrumented
 * ones, beside links to what the CLI reads relative to its own folder (package.json, suites,
 * images, frr, schemas, node_modules), so that it runs like the real CLI: same suites, same lab
 * images (the same files hash the same), only the switch added. Its launcher records which
 * mutants the run's code reached (Stryker's coverage counters) when it exits.
 */
import { cp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { Instrumented } from './mutants.js';

/** What the CLI resolves relative to its package root. */
const LINKED = ['package.json', 'suites', 'images', 'frr', 'schemas', 'node_modules'];

/** The environment variable naming the file the launcher writes the reached mutants' ids to. */
export const COVERAGE_VARIABLE = 'EC_MUTATION_COVERAGE_FILE';

const LAUNCHER = `#!/usr/bin/env node
// The mutant build's CLI: the real one, plus a record of the mutants the run reached.
import { writeFileSync } from 'node:fs';

const out = process.env.${COVERAGE_VARIABLE};
if (out) {
  process.on('exit', () => {
    const coverage = globalThis.__stryker__?.mutantCoverage ?? { static: {}, perTest: {} };
    const reached = new Set(Object.keys(coverage.static ?? {}));
    for (const counts of Object.values(coverage.perTest ?? {})) for (const id of Object.keys(counts)) reached.add(id);
    writeFileSync(out, JSON.stringify([...reached]));
  });
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
`;

/** TypeScript to the JavaScript tsc would emit for the project (types dropped, ES modules kept). */
export function transpile(code: string, fileName: string): string {
  return ts.transpileModule(code, {
    fileName,
    compilerOptions: {
      target: ts.ScriptTarget.ES2023,
      // ES modules as the package's "type": "module" makes tsc emit them (NodeNext would need the
      // package.json beside the file to know; transpileModule has none).
      module: ts.ModuleKind.ES2022,
      verbatimModuleSyntax: true,
      esModuleInterop: true,
    },
  }).outputText;
}

/**
 * Writes the build into `dir` (emptied first) from the project at `root`, whose dist/ must be
 * current; returns the path of its CLI launcher.
 */
export async function writeMutantBuild(
  root: string,
  dir: string,
  instrumented: Instrumented,
): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'bin'), { recursive: true });
  await cp(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  for (const name of LINKED) await symlink(resolve(root, name), join(dir, name));
  for (const file of instrumented.files) {
    // harness/x/y.ts is built to dist/x/y.js.
    const target = join(dir, 'dist', relative('harness', file.name).replace(/\.ts$/, '.js'));
    await writeFile(target, transpile(file.instrumented, file.name));
    // The map describes the uninstrumented code: a stack trace through it would point wrong.
    await rm(`${target}.map`, { force: true });
  }
  const launcher = join(dir, 'bin', 'egress-conformance.js');
  await writeFile(launcher, LAUNCHER, { mode: 0o755 });
  return launcher;
}
