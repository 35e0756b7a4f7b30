/** Host checks against prepared host descriptions, and `doctor` on this very machine. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { doctorCommand, registerDoctorCommand } from '../../harness/cli/commands/doctor.js';
import { checkKindHost, type HostFacts, type HostNeeds } from '../../harness/env/kind/host-checks.js';
import { createKindProvider, kindHostNeeds, kindTopologyOf } from '../../harness/env/kind/provider.js';
import { cli } from '../support/cli.js';
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
  tools: ['kind', 'kubectl', 'helm', 'git', 'go', 'make', 'jq', 'curl', 'jinjanate'],
  docker: true,
  loaded: ['openvswitch', 'geneve'],
  loadable: ['vrf'],
  sysctl: { max_user_watches: 524288, max_user_instances: 512, forwarding: 1, disable_ipv6: 0 },
  freeGiB: 80,
};

/** What the default settings need (IPv4, a VRF, the image built), or another combination's. */
function needs(
  settings: Record<string, unknown> = {},
  families?: Array<'ipv4' | 'ipv6'>,
  up = false,
): HostNeeds {
  return kindHostNeeds(kindTopologyOf(kindOptions(settings, families)).topology, up);
}

const missing = async (host: Host, n = needs()) =>
  (await checkKindHost(facts(host), n)).filter((c) => !c.ok).map((c) => c.item);

describe('kind host checks', () => {
  it('passes a host that has everything (a module that is loadable counts)', async () => {
    expect(await missing(GOOD)).toEqual([]);
    const lines: string[] = [];
    expect(
      await doctorCommand({ provider: 'kind' }, { facts: facts(GOOD), write: (l) => lines.push(l) }),
    ).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('kernel module vrf: not loaded, loadable');
    // The default follows upstream's lane; FRR-K8s mode is marked beyond upstream, not refused.
    expect(text).toContain(
      'ok       combination: ipv4, shared gateway, MetalLB frr: upstream lane control-plane-noHA-shared-ipv4-snatGW-1br-ic-single-node-zones (test.yml e2e entry 11, v1.3)',
    );
    expect(text).toMatch(/^ok {7}base image: quay\.io\/fedora\/fedora:43 \(Fedora 43\)/m);
    const frrK8s = await checkKindHost(facts(GOOD), needs({ metallbMode: 'frr-k8s' }));
    expect(frrK8s.find((c) => c.item === 'combination')?.detail).toContain(
      "beyond upstream: not run by upstream's CI",
    );
  });

  it("names missing tools with their fixes, kind.sh's own among them", async () => {
    const checks = await checkKindHost(facts({ ...GOOD, tools: ['kubectl'] }), needs());
    const bad = checks.filter((c) => !c.ok);
    expect(bad.map((c) => c.item)).toEqual(['kind', 'helm', 'git', 'make', 'jq', 'curl', 'jinjanate']);
    // The pin set's kind (v1.3: install-kind.sh's v0.27.0; master: v0.32.0).
    expect(bad[0]?.fix).toContain('kind.sigs.k8s.io/dl/v0.27.0');
    const master = await checkKindHost(facts({ ...GOOD, tools: ['kubectl'] }), needs({ pinSet: 'master' }));
    expect(master.find((c) => c.item === 'kind')?.fix).toContain('kind.sigs.k8s.io/dl/v0.32.0');
    expect(bad.find((c) => c.item === 'jinjanate')?.fix).toContain("pipx install 'jinjanator[yaml]'");
    expect(await missing({ ...GOOD, docker: undefined })).toEqual(['docker']);
    expect(await missing({ ...GOOD, docker: false })).toEqual(['docker']);
  });

  it('needs no Go (the Makefile builds in its builder image), and no make or git for a prebuilt image and a local checkout', async () => {
    expect(needs().tools).not.toContain('go');
    expect(needs().tools).toContain('make');
    const prebuilt = needs({
      images: { ovnKubernetes: 'registry.example.com/ovn:v1' },
      ovnKubernetes: { sourcePath: '/src' },
    });
    expect(prebuilt.tools).not.toContain('make');
    expect(prebuilt.tools).not.toContain('git');
  });

  it('names missing kernel modules, with modprobe or the package to install; vrf only for a VRF', async () => {
    const checks = await checkKindHost(facts({ ...GOOD, loaded: [], loadable: ['geneve'] }), needs());
    const modules = checks.filter((c) => c.item.startsWith('kernel module'));
    expect(modules.map((c) => [c.item, c.ok])).toEqual([
      ['kernel module openvswitch', false],
      ['kernel module geneve', true],
      ['kernel module vrf', false],
    ]);
    expect(modules[0]?.fix).toMatch(/linux-modules-extra/);
    expect(modules[1]?.fix).toBe('sudo modprobe geneve');
    expect(needs({ networkRouting: 'table' }).modules).toEqual(['openvswitch', 'geneve']);
  });

  it("flags inotify limits, the host's IPv6 sysctls for an IPv6 cluster, and too little disk", async () => {
    const checks = await checkKindHost(
      facts({
        ...GOOD,
        sysctl: { max_user_watches: 8192, max_user_instances: 128, forwarding: 0, disable_ipv6: 1 },
        freeGiB: 5,
      }),
      needs({}, ['ipv6']),
    );
    const bad = checks.filter((c) => !c.ok);
    expect(bad.map((c) => c.item)).toEqual([
      'fs.inotify.max_user_watches',
      'fs.inotify.max_user_instances',
      'net.ipv6.conf.all.forwarding',
      'net.ipv6.conf.all.disable_ipv6',
      'free disk',
    ]);
    expect(bad[0]?.fix).toBe('sudo sysctl fs.inotify.max_user_watches=524288 (persist it in /etc/sysctl.d/)');
    expect(bad[1]?.fix).toContain('max_user_instances=512');
    expect(bad[2]?.fix).toBe('sudo sysctl -w net.ipv6.conf.all.forwarding=1');
    expect(bad[4]?.detail).toContain('20.0 GiB needed before bring-up');
  });

  it('needs 20 GiB before bring-up and only room for the run once the environment is up', async () => {
    const host = { ...GOOD, freeGiB: 5 };
    expect(await missing(host, needs())).toEqual(['free disk']);
    expect(await missing(host, needs({}, undefined, true))).toEqual([]);
    expect(await missing({ ...GOOD, freeGiB: 1 }, needs({}, undefined, true))).toEqual(['free disk']);
  });

  it('refuses a combination upstream does not run, with its reason', async () => {
    const checks = await checkKindHost(facts(GOOD), needs({ metallbMode: 'frr-k8s' }, ['ipv4', 'ipv6']));
    expect(checks[0]).toMatchObject({
      item: 'combination',
      ok: false,
      detail: expect.stringMatching(/^dual-stack with MetalLB in FRR-K8s mode is not supported/),
    });
  });

  it("is what the kind provider's preflight reports (git only when the source is fetched)", async () => {
    const provider = createKindProvider({
      hostFacts: facts({
        ...GOOD,
        tools: ['kind', 'kubectl', 'helm', 'go', 'make', 'jq', 'curl', 'jinjanate'],
      }),
      runner: { run: async () => ({ exitCode: 1, stdout: '', stderr: 'no docker', timedOut: false }) },
    });
    expect((await provider.preflight(kindOptions())).map((p) => p.item)).toEqual(['git']);
    expect(await provider.preflight(kindOptions({ ovnKubernetes: { sourcePath: '/src/ovn' } }))).toEqual([]);
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

describe('refused combinations through the CLI', () => {
  // FRR-K8s mode, which dual-stack refuses (FRR mode is the default).
  const optionsDir = mkdtempSync(join(tmpdir(), 'ec-kind-frrk8s-'));
  const frrK8s = join(optionsDir, 'options.yaml');
  writeFileSync(frrK8s, 'kind:\n  metallbMode: frr-k8s\n');
  afterAll(() => rmSync(optionsDir, { recursive: true, force: true }));

  it('doctor names the combination and why, for the family and options file given', async () => {
    const result = await cli(['doctor', '--provider', 'kind', '--family', 'dual', '--options-file', frrK8s]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^MISSING {2}combination: dual-stack with MetalLB in FRR-K8s mode is not supported: MetalLB does not run it .* — fix: /m,
    );
  });

  it('run refuses with one line and exit 2 before its preflight, creating nothing', async () => {
    const run = await cli(['run', '--provider', 'kind', '--family', 'dual', '--options-file', frrK8s]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^egress-conformance: kind: dual-stack with MetalLB in FRR-K8s mode is not supported: /,
      ),
    ]);
    expect(run.stdout).not.toContain('creating kind environment');
  });

  it('run --dry-run and up --dry-run refuse with one line and exit 2, creating nothing', async () => {
    const run = await cli([
      'run',
      '--provider',
      'kind',
      '--family',
      'dual',
      '--dry-run',
      '--options-file',
      frrK8s,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^egress-conformance: kind: dual-stack with MetalLB in FRR-K8s mode is not supported: /,
      ),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'ec-kind-refused-'));
    const file = join(dir, 'options.yaml');
    writeFileSync(file, 'kind:\n  gatewayMode: local\n  metallbMode: frr-k8s\n');
    const up = await cli([
      'up',
      '--provider',
      'kind',
      '--family',
      'dual',
      '--dry-run',
      '--options-file',
      file,
    ]);
    rmSync(dir, { recursive: true, force: true });
    expect(up.code).toBe(2);
    expect(up.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^egress-conformance: kind: dual-stack with MetalLB in FRR-K8s mode is not supported: /,
      ),
    ]);
    expect(up.stdout).not.toContain('docker network create');
  });
});
