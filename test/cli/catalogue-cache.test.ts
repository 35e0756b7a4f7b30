/**
 * The catalogue cache of `list` and `validate` (issue #15: start-up), through the real CLI on real
 * files. A run is a hit when it loads neither zod, yaml nor the loader (an import hook records
 * every module); whatever a hit prints must be byte for byte what the uncached command prints.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFile,
  chmod,
  chown,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../harness/cli/catalogue-cache.js';
import { CLI } from '../support/cli.js';
import { type LoadedRun, modulesLoadedBy } from '../support/loaded-modules.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** What only the uncached path loads. */
const LOADER = /node_modules\/(zod|yaml)\/|\/spec\/(catalogue|loader|source|schema|fixtures)\.js$/;

let dir: string;
let suites: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-cache-'));
  suites = join(dir, 'suites');
  await cp(join(ROOT, 'suites'), suites, { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let caches = 0;
/** A fresh cache folder (not created: the CLI makes it). */
const newCache = () => join(dir, `cache-${++caches}`);

interface Run extends LoadedRun {
  /** The run loaded zod, yaml or the spec loader: it was not served from the cache. */
  loadedLoader: boolean;
}

async function run(
  args: string[],
  cache: string,
  options: { cwd?: string; cli?: string } = {},
): Promise<Run> {
  const result = await modulesLoadedBy(args, { ...options, env: { EC_CACHE_DIR: cache } });
  return { ...result, loadedLoader: result.modules.some((url) => LOADER.test(url)) };
}

/** What a user sees: the exit code and both streams, byte for byte. */
const seen = ({ code, stdout, stderr }: LoadedRun) => ({ code, stdout, stderr });

const entries = async (cache: string) =>
  (await readdir(cache).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));

/** Replaces `from` by `to` (the same length: one byte changed) in a file. */
async function changeByte(file: string, from: string, to: string): Promise<void> {
  expect(Buffer.byteLength(from)).toBe(Buffer.byteLength(to));
  const text = await readFile(file, 'utf8');
  expect(text).toContain(from);
  await writeFile(file, text.replace(from, to));
}

describe('the catalogue cache', () => {
  it('prints from the cache byte for byte what the first run and --no-cache print, loading no zod, yaml or loader', async () => {
    const cache = newCache();
    for (const args of [['list'], ['list', '--json'], ['validate'], ['validate', '--suites', suites]]) {
      const first = await run(args, cache);
      expect(first.code, first.stderr).toBe(0);
      expect(first.loadedLoader, args.join(' ')).toBe(true);
      const second = await run(args, cache);
      expect(second.loadedLoader, args.join(' ')).toBe(false);
      expect(
        second.modules.filter((url) => /\/spec\/[^/]+\.js$/.test(url)).map((u) => u.split('/').pop()),
      ).toEqual(['inputs.js']);
      expect(seen(second)).toEqual(seen(first));
      const before = await entries(cache);
      const uncached = await run([...args, '--no-cache'], cache);
      expect(uncached.loadedLoader).toBe(true);
      expect(seen(uncached)).toEqual(seen(first));
      expect(await entries(cache)).toEqual(before);
    }
    expect(await entries(cache)).toHaveLength(4);
  });

  it('gives an invalid spec the same FILE:LINE lines and exit 2 from the cache, for validate and list', async () => {
    const broken = join(dir, 'broken');
    await cp(suites, broken, { recursive: true });
    await changeByte(join(broken, 'core', 'snat-loadbalancer-ip.yaml'), 'title:', 'titlE:');
    const cache = newCache();
    for (const args of [
      ['validate', '--suites', 'broken'],
      ['list', '--suites', 'broken'],
      ['validate', join('broken', 'core', 'snat-loadbalancer-ip.yaml')],
    ]) {
      const first = await run(args, cache, { cwd: dir });
      expect(first.code).toBe(2);
      expect(first.stderr).toMatch(/^broken\/core\/snat-loadbalancer-ip\.yaml:\d+: /m);
      const second = await run(args, cache, { cwd: dir });
      expect(second.loadedLoader).toBe(false);
      expect(seen(second)).toEqual(seen(first));
      expect(seen(await run([...args, '--no-cache'], cache, { cwd: dir }))).toEqual(seen(first));
    }
    // File names are relative to the working folder, which is part of the key.
    const elsewhere = await run(['validate', '--suites', join(dir, 'broken')], cache, { cwd: suites });
    expect(elsewhere.stderr).toMatch(/^\.\.\/broken\/core\/snat-loadbalancer-ip\.yaml:\d+: /m);
  });

  it('is not found again once one byte of a spec or a fixture changed', async () => {
    const own = join(dir, 'changing');
    await cp(suites, own, { recursive: true });
    const cache = newCache();
    const list = () => run(['list', '--suites', own], cache);
    const uncached = async () => seen(await run(['list', '--suites', own, '--no-cache'], cache));
    await list();
    expect((await list()).loadedLoader).toBe(false);

    await changeByte(join(own, 'core', 'snat-loadbalancer-ip.yaml'), 'title: Endpoint', 'title: endpoint');
    const afterSpec = await list();
    expect(afterSpec.loadedLoader).toBe(true);
    expect(afterSpec.stdout).toContain('    endpoint pods on every node');
    expect(seen(afterSpec)).toEqual(await uncached());

    await changeByte(join(own, 'fixtures', 'egress-web.yaml'), 'description:', 'descriptioN:');
    const afterFixture = await list();
    expect(afterFixture.loadedLoader).toBe(true);
    expect(afterFixture.code).toBe(2);
    expect(afterFixture.stderr).toMatch(/fixtures\/egress-web\.yaml:\d+: descriptioN: /);
    expect(seen(afterFixture)).toEqual(await uncached());
    expect(seen(await list())).toEqual(seen(afterFixture));
  });

  it("is not found again once the tool's code changed", async () => {
    // A copy of the built tool whose code can be changed.
    const tool = join(dir, 'tool');
    await mkdir(tool);
    for (const part of ['bin', 'dist', 'package.json'])
      await cp(join(ROOT, part), join(tool, part), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(tool, 'node_modules'));
    await symlink(suites, join(tool, 'suites'));
    const cli = join(tool, 'bin', 'egress-conformance.js');
    const cache = newCache();
    const validate = () => run(['validate'], cache, { cli });
    expect((await validate()).stdout).toMatch(/^\d+ scenario spec\(s\) valid\.\n$/);
    expect((await validate()).loadedLoader).toBe(false);

    await changeByte(
      join(tool, 'dist', 'cli', 'commands', 'validate.js'),
      'spec(s) valid.',
      'spec(s) valid!',
    );
    const changedCommand = await validate();
    expect(changedCommand.loadedLoader).toBe(true);
    expect(changedCommand.stdout).toMatch(/valid!\n$/);

    // One byte more in a module of the loader, changing nothing it does.
    await appendFile(join(tool, 'dist', 'spec', 'schema.js'), '\n');
    expect((await validate()).loadedLoader).toBe(true);
    expect((await validate()).loadedLoader).toBe(false);
  });

  it('prints the right output when the cache cannot be written or holds damaged entries', async () => {
    const expected = seen(await run(['list', '--no-cache'], newCache()));
    // The cache folder's parent is a file: the folder cannot be made (as root, a read-only folder could).
    await writeFile(join(dir, 'a-file'), '');
    const unwritable = join(dir, 'a-file', 'cache');
    expect(seen(await run(['list'], unwritable))).toEqual(expected);
    expect(seen(await run(['list'], unwritable))).toEqual(expected);

    const cache = newCache();
    await run(['list'], cache);
    const [entry] = await entries(cache);
    const path = join(cache, entry as string);
    const stored = JSON.parse(await readFile(path, 'utf8'));
    const damaged = [
      '{',
      JSON.stringify({ ...stored, key: '0'.repeat(64) }),
      JSON.stringify({ ...stored, outcome: { stdout: 42 } }),
    ];
    for (const text of damaged) {
      await writeFile(path, text);
      const result = await run(['list'], cache);
      expect(result.loadedLoader).toBe(true);
      expect(seen(result)).toEqual(expected);
    }
    // A FIFO where the entry belongs is not opened for reading (which would block).
    await rm(path);
    execFileSync('mkfifo', [path]);
    expect(seen(await run(['list'], cache))).toEqual(expected);
    expect(seen(await run(['list'], cache))).toEqual(expected);
  });

  it('caches nothing for a spec that is not a bounded regular file, and refuses it as before', async () => {
    const cache = newCache();
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const large = join(dir, 'large.yaml');
    await writeFile(large, `# ${'x'.repeat(1024 * 1024)}\n`);
    for (const file of [fifo, large]) {
      const uncached = seen(await run(['validate', file, '--no-cache'], cache));
      expect(uncached.code).toBe(2);
      expect(uncached.stderr).toMatch(/cannot read: is (a FIFO|\d+ bytes, over the limit)/);
      expect(seen(await run(['validate', file], cache))).toEqual(uncached);
      expect(seen(await run(['validate', file], cache))).toEqual(uncached);
    }
    expect(await entries(cache)).toEqual([]);
  });

  it('keeps the 16 most recently used entries', async () => {
    const cache = newCache();
    await mkdir(cache);
    const old = Array.from({ length: 20 }, (_, i) => `${i.toString(16).padStart(64, '0')}.json`);
    for (const [i, name] of old.entries()) {
      await writeFile(join(cache, name), '{}');
      const when = new Date(Date.now() - (100 - i) * 60_000);
      await utimes(join(cache, name), when, when);
    }
    await run(['validate'], cache);
    const kept = await entries(cache);
    expect(kept).toHaveLength(16);
    // The new entry and the 15 most recent of the old ones.
    expect(kept.filter((name) => !old.includes(name))).toHaveLength(1);
    expect(kept.filter((name) => old.includes(name)).sort()).toEqual(old.slice(5));
  });
});

describe('the cache folder', () => {
  it('is $EC_CACHE_DIR, else $XDG_CACHE_HOME/egress-conformance when absolute, else ~/.cache/egress-conformance', () => {
    expect(cacheDir({ EC_CACHE_DIR: 'here', XDG_CACHE_HOME: '/xdg' })).toBe(resolve('here'));
    expect(cacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/egress-conformance');
    expect(cacheDir({ XDG_CACHE_HOME: 'relative' })).toBe(join(homedir(), '.cache', 'egress-conformance'));
    expect(cacheDir({})).toBe(join(homedir(), '.cache', 'egress-conformance'));
  });
});

describe('the cache key covers what the output is made from', () => {
  it('loads, without the cache, only modules of the folders whose code is hashed', async () => {
    // Beyond what every command loads (--version), `list` and `validate` run code of spec/, common/
    // and cli/ only: the folders the cache hashes as the tool's identity.
    const base = new Set((await modulesLoadedBy(['--version'])).modules);
    for (const args of [
      ['list', '--no-cache'],
      ['validate', '--no-cache'],
    ]) {
      const own = (await modulesLoadedBy(args)).modules.filter(
        (url) => !base.has(url) && url.startsWith('file://') && !url.includes('/node_modules/'),
      );
      expect(own.length).toBeGreaterThan(5);
      const dist = `${pathToFileURL(resolve(CLI, '..', '..', 'dist')).href}/`;
      for (const url of own) expect(url.slice(dist.length), url).toMatch(/^(spec|common|cli)\//);
    }
  });

  describe('a cache another user could have written (issue #22)', () => {
    /** A cache whose one entry for `validate` of a refused spec is planted to say "valid", with a terminal escape. */
    async function planted(): Promise<{ cache: string; entry: string; args: string[] }> {
      const folder = join(dir, `hostile-${++caches}`);
      await mkdir(folder, { recursive: true });
      await writeFile(
        join(folder, 'spec.yaml'),
        'id: hostile\ntitle: t\nstatements: [ES-SNAT-1]\nprofile: core\nfeatures: [SourceIPLoadBalancer]\nmanifests:\n  m: { apiVersion: v1, kind: Namespace, metadata: { name: kube-system } }\nsteps:\n  - apply: [m]\n',
      );
      const cache = newCache();
      const args = ['validate', '--suites', folder];
      const first = await run(args, cache);
      expect(first.code).toBe(2);
      const [name] = await entries(cache);
      const entry = join(cache, name as string);
      const stored = JSON.parse(await readFile(entry, 'utf8'));
      stored.outcome = { stdout: '1 scenario spec(s) valid.\u001b]0;pwned\u0007\n' };
      await writeFile(entry, JSON.stringify(stored), { mode: 0o600 });
      return { cache, entry, args };
    }

    it('ignores a folder others can write, an entry others can write, and one another user owns', async () => {
      for (const make of [
        async (p: { cache: string }) => chmod(p.cache, 0o777),
        async (p: { entry: string }) => chmod(p.entry, 0o666),
        async (p: { entry: string }) => chown(p.entry, 65534, 65534),
        async (p: { cache: string }) => chown(p.cache, 65534, 65534),
      ]) {
        const p = await planted();
        await make(p);
        const again = await run(p.args, p.cache);
        expect(again.code, again.stdout).toBe(2);
        expect(again.stdout).toBe('');
        expect(again.stderr).toMatch(/Namespace \(v1\) is outside a test's scope/);
      }
    });

    it("prints an entry of the user's own cache escaped, never raw", async () => {
      const p = await planted();
      const again = await run(p.args, p.cache);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters under test
      expect(again.stdout).not.toMatch(/[\u001b\u0007]/);
      expect(again.stdout).toContain('\\x1b]0;pwned\\x07');
    });
  });
});
