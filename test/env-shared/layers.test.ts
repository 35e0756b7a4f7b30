/**
 * The provider layers, read from the source's import statements: a provider imports the
 * contract (env/environment.ts, env/provider.ts), env/shared/ and leaf libraries, never another
 * provider, the CLI or the runner; env/shared/ imports no provider.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve('harness');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of a file, as a path under harness/ (e.g. `env/shared/plan-executor.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1] as string);
  return specifiers.map((s) => relative(ROOT, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
}

const LEAVES = ['k8s/', 'capture/', 'peer/', 'common/', 'spec/statements.ts'];
const CONTRACT = ['env/environment.ts', 'env/provider.ts'];

function offending(folder: string, allowed: (target: string) => boolean): string[] {
  return sources(join(ROOT, folder)).flatMap((file) =>
    importsOf(file)
      .filter((target) => !allowed(target))
      .map((target) => `${relative(ROOT, file)} imports ${target}`),
  );
}

const leafOrContract = (target: string) =>
  CONTRACT.includes(target) || LEAVES.some((leaf) => target.startsWith(leaf));

describe('provider layers', () => {
  for (const provider of ['kind', 'existing']) {
    it(`env/${provider} imports only the contract, env/shared/, leaf libraries and itself`, () => {
      expect(
        offending(
          `env/${provider}`,
          (t) => leafOrContract(t) || t.startsWith('env/shared/') || t.startsWith(`env/${provider}/`),
        ),
      ).toEqual([]);
    });
  }

  it('env/shared imports only the contract, leaf libraries and itself', () => {
    expect(offending('env/shared', (t) => leafOrContract(t) || t.startsWith('env/shared/'))).toEqual([]);
  });

  it('no provider imports another provider, the CLI or the runner', () => {
    const providers = ['kind', 'existing', 'lab'];
    for (const provider of providers) {
      const foreign = (t: string) =>
        t.startsWith('cli/') ||
        t.startsWith('run/') ||
        providers.some((other) => other !== provider && t.startsWith(`env/${other}/`));
      expect(offending(`env/${provider}`, (t) => !foreign(t))).toEqual([]);
    }
  });

  it('sees imports (the check bites)', () => {
    const kindProvider = importsOf(join(ROOT, 'env/kind/provider.ts'));
    expect(kindProvider).toContain('env/shared/plan-executor.ts');
    expect(kindProvider).toContain('env/provider.ts');
  });
});
