/**
 * The existing provider, as far as it runs without a cluster: kubeconfig and context selection,
 * inference over recorded API objects, the planned actions, and secrets kept out of plans.
 * (No API server is available here: up() against a real cluster is not exercised.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/common/errors.js';
import { silentLogger } from '../../harness/common/log.js';
import type { KubeObject } from '../../harness/env/environment.js';
import {
  existingFeatures,
  infer,
  inferFamilies,
  inferGatewayMode,
  inferMetallbMode,
  type RecordedCluster,
} from '../../harness/env/existing/inference.js';
import { hostCommand } from '../../harness/env/existing/peer.js';
import {
  createExistingProvider,
  describeExisting,
  existingId,
  planExisting,
} from '../../harness/env/existing/provider.js';
import { parseExistingSettings } from '../../harness/env/existing/settings.js';
import type { RunAction } from '../../harness/env/shared/planned-actions.js';
import { validateCustomResource } from '../../harness/k8s/crd-schemas.js';
import { redactOptions } from '../../harness/run/options.js';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(join('test/existing/fixtures', name), 'utf8')) as T;

const CONTAINER_PEER = {
  peer: {
    mode: 'container',
    addresses: { ipv4: '172.18.0.200', ipv6: 'fc00:f853:ccd:e793::200' },
    asn: 64500,
    dockerNetwork: 'kind',
    nodeSubnets: { ipv4: '172.18.0.0/16', ipv6: 'fc00:f853:ccd:e793::/64' },
  },
};

/** The provider's options as a run makes them: `existing:` parsed once by its schema. */
function options(settings: Record<string, unknown>) {
  return {
    runId: 'r',
    keep: false,
    settings: parseExistingSettings(settings),
    log: silentLogger(),
    signal: new AbortController().signal,
  };
}

describe('inference over recorded objects', () => {
  const dual: RecordedCluster = {
    nodes: fixture<KubeObject[]>('nodes-dual-local.json'),
    crds: fixture<string[]>('crds-full.json'),
    metallbWorkloads: fixture<KubeObject[]>('metallb-frr-k8s.json'),
  };

  it('reads families, node count, gateway mode, CRDs and MetalLB mode', () => {
    expect(infer(dual)).toEqual({
      families: ['ipv4', 'ipv6'],
      nodeCount: 3,
      gatewayMode: 'local',
      egressServiceCrd: true,
      egressIpCrd: true,
      metallbCrds: true,
      metallbMode: 'frr-k8s',
    });
    const v4 = fixture<KubeObject[]>('nodes-v4-shared.json');
    expect(inferFamilies({ nodes: v4, crds: [], metallbWorkloads: [] })).toEqual(['ipv4']);
    expect(inferGatewayMode(v4)).toBe('shared');
    expect(inferGatewayMode([...v4, ...dual.nodes])).toBeUndefined();
    expect(inferMetallbMode(fixture('metallb-frr.json'))).toBe('frr');
    expect(inferMetallbMode(fixture('metallb-native.json'))).toBe('native');
    expect(inferMetallbMode([])).toBeUndefined();
  });

  it('falls back to the kubernetes Service for families when nodes have no InternalIP', () => {
    const bare = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: {} };
    expect(
      inferFamilies({
        nodes: [bare],
        crds: [],
        metallbWorkloads: [],
        kubernetesService: fixture('kubernetes-service-dual.json'),
      }),
    ).toEqual(['ipv4', 'ipv6']);
  });

  it('records which features were inferred and which declared', () => {
    const features = existingFeatures(infer(dual), { NetworkRouting: true, EgressIPPriority: false }, 0);
    const f = (name: string) => features.find((x) => x.name === name);
    expect(f('SourceIPLoadBalancer')).toMatchObject({ supported: true, source: 'inferred' });
    expect(f('DualStack')).toMatchObject({ supported: true, source: 'inferred' });
    expect(f('NetworkRouting')).toMatchObject({ supported: true, source: 'declared' });
    expect(f('EgressIPPriority')).toMatchObject({ supported: false, source: 'declared' });
    expect(f('Failover')).toMatchObject({ supported: false, source: 'inferred' });
    // EgressIP needs its CRD and free addresses the user names (only they know which are free).
    const eip = (ranges: boolean) =>
      existingFeatures(infer(dual), {}, 0, ranges).find((x) => x.name === 'EgressIPPriority');
    expect(eip(false)).toMatchObject({ supported: false, reason: expect.stringMatching(/egressIPRanges/) });
    expect(eip(true)).toMatchObject({ supported: true, source: 'inferred' });
    const noCrds = existingFeatures(infer({ ...dual, crds: [] }), {}, 0);
    expect(noCrds.find((x) => x.name === 'Lifecycle')).toMatchObject({
      supported: false,
      reason: expect.stringMatching(/EgressService CRD/),
    });
  });
});

describe('settings, kubeconfig and context', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ec-existing-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://api.example.test:6443" } }]
users: [{ name: u, user: { token: "tok-SECRET" } }]
contexts: [{ name: prod, context: { cluster: c, user: u } }]
current-context: prod
`,
  );

  it('rejects incomplete peer settings with the field named', () => {
    expect(() =>
      parseExistingSettings({ peer: { mode: 'container', addresses: { ipv4: '1.2.3.4' }, asn: 1 } }),
    ).toThrow(/existing\.peer\.dockerNetwork/);
    expect(() =>
      parseExistingSettings({ peer: { mode: 'host', addresses: { ipv4: '1.2.3.4' }, asn: 1 } }),
    ).toThrow(/existing\.peer\.ssh/);
    expect(() => parseExistingSettings({ ...CONTAINER_PEER, kubeconfg: 'x' })).toThrow(/kubeconfg/);
  });

  it('refuses a missing kubeconfig or an unknown context in preflight as a usage error, naming what exists', async () => {
    const provider = createExistingProvider({
      runner: { run: async () => ({ exitCode: 0, stdout: '27.0', stderr: '', timedOut: false }) },
    });
    expect(await provider.preflight(options({ ...CONTAINER_PEER, kubeconfig, context: 'prod' }))).toEqual([]);
    const wrong = provider.preflight(options({ ...CONTAINER_PEER, kubeconfig, context: 'staging' }));
    await expect(wrong).rejects.toBeInstanceOf(UsageError);
    await expect(wrong).rejects.toThrow(`kubeconfig ${kubeconfig}: no context "staging" (contexts: prod)`);
    const missing = provider.preflight(options({ ...CONTAINER_PEER, kubeconfig: join(dir, 'none') }));
    await expect(missing).rejects.toBeInstanceOf(UsageError);
    await expect(missing).rejects.toThrow(/no such file/);
  });

  it('down removes the peer by its own label, and nothing in the cluster by the run label', async () => {
    const calls: string[][] = [];
    const provider = createExistingProvider({
      home: dir,
      runner: {
        run: async (argv) => {
          calls.push(argv);
          return { exitCode: 0, stdout: argv[0] === 'docker' ? 'c0ffee\n' : '', stderr: '', timedOut: false };
        },
      },
    });
    await provider.down({ ...options({ ...CONTAINER_PEER, kubeconfig, context: 'prod' }), all: false });
    const deletes = calls.filter((argv) => argv.includes('delete')).map((argv) => argv.slice(5).join(' '));
    // What tests created goes by the runs' ledgers (test/safety/ledger.test.ts), never by a label.
    expect(deletes).toEqual([]);
    expect(calls).toContainEqual(['docker', 'rm', '--force', 'c0ffee']);
    expect(JSON.stringify(calls)).not.toContain('tok-SECRET');
  });

  it('names environments after the API server and context', () => {
    expect(existingId('https://a:6443', 'x')).toBe(existingId('https://a:6443', 'x'));
    expect(existingId('https://a:6443', 'x')).not.toBe(existingId('https://a:6443', 'y'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});

describe("a user's cluster is not disrupted unless asked", () => {
  it('restarts no controllers (the stopController scenarios are skipped) unless existing.restartControllers is true', () => {
    const describe = (restartControllers?: boolean) =>
      describeExisting(
        'ece-1',
        parseExistingSettings({
          ...CONTAINER_PEER,
          ...(restartControllers === undefined ? {} : { restartControllers }),
        }),
        ['ipv4'],
        [],
        undefined,
        {},
      );
    expect(describe().noControllerRestart).toMatch(/restartControllers: true/);
    expect(describe(false).noControllerRestart).toBeDefined();
    expect(describe(true).noControllerRestart).toBeUndefined();
  });
});

describe('planned actions', () => {
  const kubectl = ['kubectl', '--kubeconfig', '/k', '--context', 'c'];

  it('starts a stock FRR peer and, when asked, manages only its own MetalLB objects', () => {
    const settings = parseExistingSettings({
      ...CONTAINER_PEER,
      manageMetalLB: true,
      peer: { ...CONTAINER_PEER.peer, bgpPassword: 'Hush-99' },
    });
    const actions = planExisting({
      envId: 'ece-1',
      settings,
      families: ['ipv4', 'ipv6'],
      workDir: '/w',
      kubectl,
    });
    const runs = actions.filter((a): a is RunAction => a.type === 'run');
    expect(runs[0]?.argv).toEqual(
      expect.arrayContaining(['--network', 'kind', '--ip', '172.18.0.200', 'NET_ADMIN']),
    );
    expect(runs.flatMap((a) => a.argv)).not.toContain('--privileged');
    const manifests = runs.flatMap((a) => a.manifests ?? []);
    expect(manifests.map((m) => m.kind)).toEqual(['Secret', 'BGPPeer', 'BGPPeer']);
    for (const m of manifests) {
      expect(m.metadata.labels).toEqual({ 'egress-conformance.io/existing-env': 'ece-1' });
      expect(validateCustomResource(m)).toEqual([]);
    }
    expect(JSON.stringify(actions)).not.toContain('Hush-99');
    const provider = createExistingProvider();
    const plan = provider.printPlan(
      options({
        ...CONTAINER_PEER,
        manageMetalLB: true,
        peer: { ...CONTAINER_PEER.peer, bgpPassword: 'Hush-99' },
      }),
    );
    expect(plan).not.toContain('Hush-99');
    expect(plan).toContain('password <redacted:bgpPassword>');
  });

  it("names its MetalLB objects by the environment's id: two environments on one cluster never share one (round 5, F12)", () => {
    const settings = parseExistingSettings({
      ...CONTAINER_PEER,
      manageMetalLB: true,
      peer: { ...CONTAINER_PEER.peer, bgpPassword: 'Hush-99' },
    });
    const objectsOf = (envId: string) =>
      planExisting({ envId, settings, families: ['ipv4', 'ipv6'], workDir: '/w', kubectl })
        .filter((a): a is RunAction => a.type === 'run')
        .flatMap((a) => a.manifests ?? []);
    const [first, second] = [objectsOf('ece-dbe455'), objectsOf('ece-41d05d')];
    const names = (objects: typeof first) =>
      objects.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`);
    expect(names(first)).toHaveLength(3);
    for (const name of names(first)) expect(name).toContain('ece-dbe455');
    expect(names(first).filter((n) => names(second).includes(n))).toEqual([]);
    // Each peer's password reference names its own environment's Secret.
    const secret = first.find((m) => m.kind === 'Secret')?.metadata.name;
    for (const peer of first.filter((m) => m.kind === 'BGPPeer'))
      expect((peer.spec as { passwordSecret?: { name: string } }).passwordSecret?.name).toBe(secret);
  });

  it('starts nothing for a host peer and creates no MetalLB objects unless asked', () => {
    const settings = parseExistingSettings({
      peer: { mode: 'host', ssh: 'ops@peer.example', addresses: { ipv4: '192.0.2.10' }, asn: 64500 },
    });
    expect(planExisting({ envId: 'e', settings, families: ['ipv4'], workDir: '/w', kubectl })).toEqual([]);
    expect(
      hostCommand(settings, ['tcpdump', '-i', 'any', '-w', '-', 'host 203.0.113.1 and tcp port 8080']),
    ).toBe("ssh ops@peer.example tcpdump -i any -w - 'host 203.0.113.1 and tcp port 8080'");
    const custom = parseExistingSettings({
      peer: {
        mode: 'host',
        commandTemplate: 'docker exec -i peer-box {command}',
        addresses: { ipv4: '192.0.2.10' },
        asn: 64500,
      },
    });
    expect(hostCommand(custom, ['vtysh', '-c', 'show bgp ipv4 unicast json'])).toBe(
      "docker exec -i peer-box vtysh -c 'show bgp ipv4 unicast json'",
    );
  });

  it('describes the planned environment for a dry run, and the run command redacts its secrets', () => {
    const provider = createExistingProvider();
    const d = provider.plannedDescription(options({ ...CONTAINER_PEER, nodeNames: ['a', 'b', 'c'] }));
    expect(d.nodes.map((n) => n.name)).toEqual(['a', 'b', 'c']);
    expect(d.peers[0]?.addresses).toEqual({ ipv4: '172.18.0.200' });
    expect(d.features.find((f) => f.name === 'Failover')?.supported).toBe(false);
    const printed = JSON.stringify(
      redactOptions({ existing: { kubeconfig: '/home/me/.kube/prod', peer: { bgpPassword: 'Hush-99' } } }),
    );
    expect(printed).not.toContain('Hush-99');
    expect(printed).not.toContain('/home/me/.kube/prod');
  });
});
