/** Host checks against prepared host descriptions, and `doctor` on this very machine. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { doctorCommand, registerDoctorCommand } from '../../harness/cli/commands/doctor.js';
import { checkKindHost, type HostFacts } from '../../harness/env/kind/host-checks.js';
import { createKindProvider } from '../../harness/env/kind/provider.js';
import { kindOptions } from './support.js';

interface Host {
  tools: string[];
  docker?: boolean;
  loaded?: string[];
  loadable?: string[];
  sysctl?: Record<string, number>;
  freeGiB?: number;
}

function facts(host: Host): HostFacts {
  return {
    which: async (c) =>
      host.tools.includes(c) || (c === 'docker' && host.docker !== undefined) ? `/usr/bin/${c}` : undefined,
    version: async (argv) => `${argv[0]} v9.9.9`,
    docker: async () =>
      host.docker ? { reachable: true, detail: '27.3.1' } : { reachable: false, detail: 'Cannot connect' },
    loadedModules: async () => new Set(host.loaded ?? []),
    moduleLoadable: async (name) => (host.loadable ?? []).includes(name),
    sysctl: async (path) => host.sysctl?.[path.split('/').pop() ?? ''],
    freeBytes: async () => (host.freeGiB === undefined ? undefined : host.freeGiB * 1024 ** 3),
  };
}

const GOOD: Host = {
  tools: ['kind', 'kubectl', 'helm', 'git'],
  docker: true,
  loaded: ['openvswitch', 'geneve'],
  loadable: ['vrf'],
  sysctl: { max_user_watches: 524288, max_user_instances: 512 },
  freeGiB: 80,
};

const missing = async (host: Host) =>
  (await checkKindHost(facts(host))).filter((c) => !c.ok).map((c) => c.item);

describe('kind host checks', () => {
  it('passes a host that has everything (a module that is loadable counts)', async () => {
    expect(await missing(GOOD)).toEqual([]);
    const lines: string[] = [];
    expect(await doctorCommand('kind', { facts: facts(GOOD), write: (l) => lines.push(l) })).toBe(0);
    expect(lines.join('\n')).toContain('kernel module vrf: not loaded, loadable');
  });

  it('names missing tools with their fixes', async () => {
    const checks = await checkKindHost(facts({ ...GOOD, tools: ['kubectl'] }));
    const bad = checks.filter((c) => !c.ok);
    expect(bad.map((c) => c.item)).toEqual(['kind', 'helm', 'git']);
    expect(bad[0]?.fix).toContain('kind.sigs.k8s.io/dl/v0.27.0');
    expect(await missing({ ...GOOD, docker: undefined })).toEqual(['docker']);
    expect(await missing({ ...GOOD, docker: false })).toEqual(['docker']);
  });

  it('names missing kernel modules, with modprobe or the package to install', async () => {
    const checks = await checkKindHost(facts({ ...GOOD, loaded: [], loadable: ['geneve'] }));
    const modules = checks.filter((c) => c.item.startsWith('kernel module'));
    expect(modules.map((c) => [c.item, c.ok])).toEqual([
      ['kernel module openvswitch', false],
      ['kernel module geneve', true],
      ['kernel module vrf', false],
    ]);
    expect(modules[0]?.fix).toMatch(/linux-modules-extra/);
    expect(modules[1]?.fix).toBe('sudo modprobe geneve');
  });

  it('flags inotify limits below what kind needs, and too little disk', async () => {
    const checks = await checkKindHost(
      facts({ ...GOOD, sysctl: { max_user_watches: 8192, max_user_instances: 128 }, freeGiB: 5 }),
    );
    const bad = checks.filter((c) => !c.ok);
    expect(bad.map((c) => c.item)).toEqual([
      'fs.inotify.max_user_watches',
      'fs.inotify.max_user_instances',
      'free disk',
    ]);
    expect(bad[0]?.fix).toBe('sudo sysctl fs.inotify.max_user_watches=524288 (persist it in /etc/sysctl.d/)');
    expect(bad[1]?.fix).toContain('max_user_instances=512');
  });

  it("is what the kind provider's preflight reports (git only when the chart is cloned)", async () => {
    const provider = createKindProvider({
      hostFacts: facts({ ...GOOD, tools: ['kind', 'kubectl', 'helm'] }),
    });
    expect((await provider.preflight(kindOptions())).map((p) => p.item)).toEqual(['git']);
    expect(await provider.preflight(kindOptions({ ovnKubernetes: { chartPath: '/charts/ovn' } }))).toEqual(
      [],
    );
  });

  it('exits non-zero on this machine, naming the kernel modules and the missing tools', async () => {
    const program = new Command().exitOverride();
    const lines: string[] = [];
    registerDoctorCommand(program, { write: (l) => lines.push(l) });
    process.exitCode = undefined;
    await program.parseAsync(['node', 'x', 'doctor', '--provider', 'kind']);
    const code = process.exitCode;
    process.exitCode = undefined;
    const text = lines.join('\n');
    expect(code).toBe(1);
    for (const module of ['openvswitch', 'geneve', 'vrf'])
      expect(text).toContain(`MISSING  kernel module ${module}`);
    expect(text).toContain('MISSING  kind: not on PATH');
    expect(text).toContain('MISSING  helm: not on PATH');
  });
});
