/**
 * The scope guard against a list of hostile specs (hostile-specs.ts): each is refused by the dry
 * run on every provider with one line naming the spec and the field, exit 2, before anything is
 * printed or created; a spec inside its scope (with a second, declared namespace) passes.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestScopeIssues, nodeLabelKeyIssue, patchScopeIssues } from '../../harness/spec/scope.js';
import { REACH_RULE_NAMES, reservedValues } from '../../harness/spec/scope-reach.js';
import { cli } from '../support/cli.js';
import { HOSTILE_SPECS, specText } from './hostile-specs.js';

let dir: string;
let options: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-scope-'));
  options = join(dir, 'options.yaml');
  await writeFile(
    options,
    'existing:\n  peer: { mode: host, ssh: ops@peer.example.test, addresses: { ipv4: 192.0.2.10 }, asn: 64500 }\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function suiteWith(name: string, text: string): Promise<string> {
  const suites = join(dir, name);
  await mkdir(suites, { recursive: true });
  await writeFile(join(suites, 'spec.yaml'), text);
  return suites;
}

const RENDERED_EGRESS_IP = {
  apiVersion: 'k8s.ovn.org/v1',
  kind: 'EgressIP',
  metadata: { name: 'ec1a2b3c0v4-eip' },
  spec: {
    egressIPs: ['192.0.2.200'],
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ec-1a2b3c-x-v4' } },
    podSelector: { matchLabels: { app: 'web' } },
  },
};

describe('the scope guard on rendered manifests (what the dry run and the run apply)', () => {
  const names = {
    testNamespaces: ['ec-1a2b3c-x-v4', 'ec-1a2b3c-x-v4-other'],
    metallbNamespace: 'metallb-system',
    uid: 'ec1a2b3c0v4',
    reserved: reservedValues({
      'pool.addresses': '203.0.113.8/32',
      'pool.address.0': '203.0.113.8',
      'pool.ipv6': '',
      'egressIP.address': '192.0.2.200',
    }),
  };
  it.each([
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ec-1a2b3c-x-v4-other' } }, []],
    [
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'ec1a2b3c0v4-pool', namespace: 'metallb-system' },
        spec: { addresses: ['203.0.113.8/32'], autoAssign: false },
      },
      [],
    ],
    [RENDERED_EGRESS_IP, []],
    // What a rendered object reaches: only the addresses the environment reserved for the test.
    [
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'ec1a2b3c0v4-pool', namespace: 'metallb-system' },
        spec: { addresses: ['203.0.113.0/24'], autoAssign: false },
      },
      [/refused \(pool-range\): '203\.0\.113\.0\/24' is not the range reserved/],
    ],
    [
      {
        ...RENDERED_EGRESS_IP,
        spec: { ...RENDERED_EGRESS_IP.spec, egressIPs: ['192.0.2.201'] },
      },
      [/refused \(egressip-address\): '192\.0\.2\.201'/],
    ],
    [
      {
        ...RENDERED_EGRESS_IP,
        spec: {
          ...RENDERED_EGRESS_IP.spec,
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ec-1a2b3c-y-v4' } },
        },
      },
      [/refused \(egressip-selector\).*found 'ec-1a2b3c-y-v4'/],
    ],
    [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 's',
          namespace: 'ec-1a2b3c-x-v4',
          annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.8' },
        },
        spec: { type: 'LoadBalancer' },
      },
      [],
    ],
    [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's', namespace: 'ec-1a2b3c-x-v4' },
        spec: { loadBalancerIP: '203.0.113.9', externalIPs: ['203.0.113.8'] },
      },
      [/refused \(external-ips\)/, /refused \(pool-range\): '203\.0\.113\.9'/],
    ],
    [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'ec-1a2b3c-x-v4' },
        spec: { containers: [{ name: 'c', securityContext: { procMount: 'Unmasked' } }] },
      },
      [/refused \(host-access\): an unmasked \/proc/],
    ],
    [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ec-1a2b3c-y-v4' } },
      [/'ec-1a2b3c-y-v4' is not a test namespace/],
    ],
    [
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'ec1a2b3c1v4-pool', namespace: 'metallb-system' },
        spec: { addresses: ['203.0.113.8/32'], autoAssign: false },
      },
      [/must contain ec1a2b3c0v4/],
    ],
    [
      {
        apiVersion: 'k8s.ovn.org/v1',
        kind: 'EgressIP',
        metadata: { name: 'ec1a2b3c0v4-eip', namespace: 'default' },
        spec: RENDERED_EGRESS_IP.spec,
      },
      [/cluster-scoped: expected no namespace/],
    ],
    [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'ec1a2b3c0v4' } },
      [/outside a test's scope/],
    ],
    // Round 4: the volume types Pod Security restricted allows (without inline csi), within the bounds.
    [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'ec-1a2b3c-x-v4' },
        spec: {
          containers: [{ name: 'c' }],
          volumes: [
            { name: 'a', configMap: { name: 'c' } },
            { name: 'b', secret: { secretName: 's' } },
            { name: 'c', emptyDir: { sizeLimit: '1Gi' } },
            { name: 'd', persistentVolumeClaim: { claimName: 'x' } },
            { name: 'e', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } },
            { name: 'f', downwardAPI: { items: [] } },
            {
              name: 'g',
              ephemeral: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '1Gi' } } } } },
            },
          ],
        },
      },
      [],
    ],
  ])('%j', (object, expected) => {
    const issues = manifestScopeIssues(object, names).map((i) => i.message);
    expect(issues).toHaveLength(expected.length);
    expected.forEach((pattern, i) => {
      expect(issues[i]).toMatch(pattern);
    });
  });

  it('judges the object a rendered patch makes, and refuses a rename', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ec-1a2b3c-x-v4' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
    };
    expect(patchScopeIssues(deployment, { spec: { replicas: 2 } }, names)).toEqual([]);
    expect(
      patchScopeIssues(deployment, { spec: { template: { spec: { hostPID: true } } } }, names).map(
        (i) => i.rule,
      ),
    ).toEqual(['host-access']);
    expect(
      patchScopeIssues(deployment, { metadata: { namespace: 'kube-system' } }, names)[0]?.message,
    ).toMatch(/may not change metadata\.namespace/);
    expect(patchScopeIssues(deployment, { metadata: null }, names)[0]?.message).toMatch(
      /without metadata\.namespace/,
    );
    expect(
      patchScopeIssues(RENDERED_EGRESS_IP, { spec: { namespaceSelector: { matchLabels: null } } }, names).map(
        (i) => i.rule,
      ),
    ).toEqual(['egressip-selector']);
    // An allowed rule (scopeExceptions) is allowed for the object a patch makes too.
    expect(
      patchScopeIssues(
        deployment,
        { spec: { template: { spec: { hostPID: true } } } },
        {
          ...names,
          allowed: new Set(['host-access'] as const),
        },
      ),
    ).toEqual([]);
  });

  // Hostile round (low): ownerReferences tie a test's object to one it did not create.
  it("allows ownerReferences only to the spec's own objects, in the dependent's namespace (low)", () => {
    const objects = [
      { key: 'apps/Deployment', name: 'web', namespace: 'ec-1a2b3c-x-v4' },
      { key: 'k8s.ovn.org/EgressIP', name: 'ec1a2b3c0v4-eip' },
    ];
    const ownedBy = (ref: Record<string, unknown>, namespace = 'ec-1a2b3c-x-v4') => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace, ownerReferences: [ref] },
    });
    const web = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true };
    expect(manifestScopeIssues(ownedBy(web), { ...names, objects })).toEqual([]);
    for (const [object, why] of [
      [ownedBy(web), 'no own objects given'],
      [ownedBy({ ...web, name: 'production' }), 'another name'],
      [ownedBy({ ...web, kind: 'ReplicaSet' }), 'another kind'],
      [ownedBy({ ...web, apiVersion: 'extensions/v1beta1' }), 'another group'],
      [ownedBy(web, 'ec-1a2b3c-x-v4-other'), "another namespace than the owner's"],
      [ownedBy({ kind: 'Deployment', name: 'web' }), 'no apiVersion'],
    ] as const) {
      const given = why === 'no own objects given' ? names : { ...names, objects };
      expect(
        manifestScopeIssues(object, given).map((i) => [i.path.join('.'), i.rule]),
        why,
      ).toEqual([['metadata.ownerReferences.0', undefined]]);
    }
    // Never allowed by an exception: no rule names it.
    expect(
      manifestScopeIssues(ownedBy({ ...web, name: 'production' }), {
        ...names,
        objects,
        allowed: new Set(REACH_RULE_NAMES),
      }),
    ).toHaveLength(1);
    // A cluster-scoped dependent may name a cluster-scoped own object; a patch is judged alike.
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ec-1a2b3c-x-v4' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
    };
    const eipOwner = { apiVersion: 'k8s.ovn.org/v1', kind: 'EgressIP', name: 'ec1a2b3c0v4-eip', uid: 'u' };
    expect(
      manifestScopeIssues(
        { ...RENDERED_EGRESS_IP, metadata: { ...RENDERED_EGRESS_IP.metadata, ownerReferences: [eipOwner] } },
        { ...names, objects },
      ),
    ).toEqual([]);
    expect(
      patchScopeIssues(
        deployment,
        { metadata: { ownerReferences: [{ ...web, kind: 'ReplicaSet', name: 'production' }] } },
        { ...names, objects },
      ).map((i) => i.message),
    ).toEqual([expect.stringMatching(/an ownerReference to ReplicaSet 'production' is outside/)]);
    expect(
      patchScopeIssues(
        deployment,
        { spec: { template: { metadata: { ownerReferences: [eipOwner] } } } },
        { ...names, objects },
      ).map((i) => i.path.join('.')),
    ).toEqual(['spec.template.metadata.ownerReferences.0']);
  });

  it('refuses a runtimeClassName (manifest and patch) unless an exception names runtime-class (low)', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ec-1a2b3c-x-v4' },
      spec: { runtimeClassName: 'kata', containers: [{ name: 'c', image: 'x' }] },
    };
    expect(manifestScopeIssues(pod, names).map((i) => [i.path.join('.'), i.rule])).toEqual([
      ['spec.runtimeClassName', 'runtime-class'],
    ]);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ec-1a2b3c-x-v4' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
    };
    const patch = { spec: { template: { spec: { runtimeClassName: 'kata' } } } };
    expect(patchScopeIssues(deployment, patch, names).map((i) => i.rule)).toEqual(['runtime-class']);
    const allowed = { ...names, allowed: new Set(['runtime-class'] as const) };
    expect(manifestScopeIssues(pod, allowed)).toEqual([]);
    expect(patchScopeIssues(deployment, patch, allowed)).toEqual([]);
    // Another rule's exception does not allow it.
    expect(manifestScopeIssues(pod, { ...names, allowed: new Set(['host-access'] as const) })).toHaveLength(
      1,
    );
  });

  it("holds node label keys to the suite's", () => {
    expect(nodeLabelKeyIssue('ec-egress-ec1a2b3c0v4', names)).toBeUndefined();
    expect(nodeLabelKeyIssue('egress-conformance.io/zone', names)).toBeUndefined();
    expect(nodeLabelKeyIssue('k8s.ovn.org/egress-assignable', names)).toBeUndefined();
    expect(nodeLabelKeyIssue('kubernetes.io/hostname', names)).toMatch(/is not the suite's/);
  });

  it("allows the egress-service label of the test's own namespaces only (a stray label, ES-LABEL-1)", () => {
    expect(nodeLabelKeyIssue('egress-service.k8s.ovn.org/ec-1a2b3c-x-v4-web', names)).toBeUndefined();
    expect(nodeLabelKeyIssue('egress-service.k8s.ovn.org/ec-1a2b3c-x-v4-other-web', names)).toBeUndefined();
    // Another namespace's Service, or the bare prefix of one's own: not the test's.
    expect(nodeLabelKeyIssue('egress-service.k8s.ovn.org/production-web', names)).toMatch(
      /is not the suite's/,
    );
    expect(nodeLabelKeyIssue('egress-service.k8s.ovn.org/ec-1a2b3c-x-v4-', names)).toMatch(
      /is not the suite's/,
    );
    // Without the test's namespaces (the step's own check before them was uid-only), refused.
    expect(nodeLabelKeyIssue('egress-service.k8s.ovn.org/ec-1a2b3c-x-v4-web', { uid: names.uid })).toMatch(
      /is not the suite's/,
    );
  });
});

describe('the scope guard refuses hostile specs in the dry run, on every provider', () => {
  // Every hostile spec in one suites folder, one dry run per provider: the guard must name each
  // spec's own problem (one line each, at its line) and refuse before anything is printed. One
  // process per provider rather than per spec keeps this test within seconds.
  it.each(['existing', 'lab'])('%s: refuses every one of them, naming its field', async (provider) => {
    const suites = join(dir, `dry-${provider}`);
    await mkdir(suites, { recursive: true });
    for (const [index, hostile] of HOSTILE_SPECS.entries()) {
      await writeFile(join(suites, `h${index}.yaml`), specText(`hostile-${index}`, hostile));
    }
    const { code, stdout, stderr } = await cli([
      'run',
      '--dry-run',
      '--provider',
      provider,
      '--options-file',
      options,
      '--suites',
      suites,
    ]);
    expect(code, stderr).toBe(2);
    // The specs' problems (one line each, at the spec's line), then the command's one-line summary.
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines.at(-1)).toBe('egress-conformance: invalid scenario specs');
    expect(stderr).not.toMatch(/\n\s+at /);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/h\d+\.yaml:(\d+:)? (manifests|steps)/);
    for (const [index, hostile] of HOSTILE_SPECS.entries()) {
      const mine = lines.filter((line) => line.includes(`h${index}.yaml:`));
      expect(
        mine.some((line) => hostile.error.test(line)),
        `${hostile.name}: ${mine.join(' | ')}`,
      ).toBe(true);
    }
    // Refused before anything was printed: no rendered manifest reached the output.
    expect(stdout).not.toContain('# manifest m');
  });

  it('validate refuses every one of them at the line of the field, in one pass', async () => {
    const suites = join(dir, 'all');
    await mkdir(suites, { recursive: true });
    for (const [index, hostile] of HOSTILE_SPECS.entries()) {
      await writeFile(join(suites, `h${index}.yaml`), specText(`hostile-${index}`, hostile));
    }
    const { code, stdout, stderr } = await cli(['validate', '--suites', suites]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter(Boolean);
    for (const [index, hostile] of HOSTILE_SPECS.entries()) {
      const mine = lines.filter((line) => line.includes(`h${index}.yaml:`));
      expect(mine.length, `${hostile.name}: ${stderr}`).toBeGreaterThanOrEqual(1);
      expect(
        mine.some((line) => hostile.error.test(line.replace('${uid}', 'ecUID'))),
        `${hostile.name}: ${mine.join(' | ')}`,
      ).toBe(true);
      for (const line of mine)
        expect(line).toMatch(new RegExp(`h${index}\\.yaml:(7|9|10): (manifests|steps)`));
    }
  });

  it('passes a spec inside its scope, with a Service in a second namespace it declares', async () => {
    const suites = await suiteWith(
      'ok',
      `${specText('two-namespaces', {
        manifest:
          '{ apiVersion: v1, kind: Service, metadata: { name: other, namespace: "${namespaces.other}" } }',
      })}  - labelNode: { node: { index: 1 }, key: "ec-egress-\${uid}", value: x }\n  - labelNode: { node: { index: 1 }, key: k8s.ovn.org/egress-assignable, value: "" }\n`.replace(
        'features: [SourceIPLoadBalancer]',
        'features: [SourceIPLoadBalancer]\nrequires: { nodes: 2, namespaces: [other] }',
      ),
    );
    const { code, stdout, stderr } = await cli([
      'run',
      '--dry-run',
      '--provider',
      'lab',
      '--family',
      'ipv4',
      '--suites',
      suites,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const namespace = /=== two-namespaces \[ipv4\] namespace (\S+)/.exec(stdout)?.[1] as string;
    expect(namespace).toMatch(/^ec-[0-9a-f]{6}-two-namespaces-v4$/);
    expect(stdout).toContain(`namespace: ${namespace}-other`);
  });
});

describe("the spec's own objects: ownerReferences to them, and a runtimeClassName by exception (low)", () => {
  const text = `id: owned-objects
title: owned objects
statements: [ES-SNAT-1]
profile: core
features: [SourceIPLoadBalancer]
manifests:
  web: { apiVersion: apps/v1, kind: Deployment, metadata: { name: web, namespace: "\${namespace}" }, spec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { runtimeClassName: gvisor, containers: [{ name: c, image: x }] } } } }
  settings: { apiVersion: v1, kind: ConfigMap, metadata: { name: "settings-\${uid}", namespace: "\${namespace}", ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: web, uid: x }] } }
steps:
  - apply: [web, settings]
  - expect: { condition: { noEgressLabel: { service: web } } }
`;

  it('validate and the dry run pass an ownerReference to an own object; runtimeClassName needs its exception', async () => {
    const suites = await suiteWith('owned', text);
    const refused = await cli(['validate', '--no-cache', '--suites', suites]);
    expect(refused.code, refused.stderr).toBe(2);
    // Only the runtime class is refused: the ownerReference names the spec's own Deployment.
    expect(refused.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(
        /spec\.yaml:7: manifests\.web\.spec\.template\.spec\.runtimeClassName: refused \(runtime-class\)/,
      ),
    ]);
    const exception = join(dir, 'runtime-class.yaml');
    await writeFile(
      exception,
      'scopeExceptions:\n  - { rule: runtime-class, spec: owned-objects, reason: "our clusters run probes in gVisor" }\n',
    );
    const valid = await cli(['validate', '--no-cache', '--suites', suites, '--options-file', exception]);
    expect(valid.stderr).toBe('');
    expect(valid.code).toBe(0);
    const dry = await cli([
      'run',
      '--dry-run',
      '--provider',
      'lab',
      '--family',
      'ipv4',
      '--options-file',
      exception,
      '--suites',
      suites,
    ]);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      '# scope exception applied: runtime-class (options file: our clusters run probes in gVisor)',
    );
    expect(dry.stdout).toMatch(
      /ownerReferences:\n\s+- apiVersion: apps\/v1\n\s+kind: Deployment\n\s+name: web/,
    );
  });
});

describe('scope exceptions: a named options-file entry allows one reach rule for one spec', () => {
  const externalIPs =
    '{ apiVersion: v1, kind: Service, metadata: { name: web, namespace: "${namespace}" }, spec: { externalIPs: [192.0.2.99], ports: [{ port: 80 }] } }';

  it('allows it for the spec it names, records it in the effective options, and for no other spec', async () => {
    const suites = await suiteWith('excepted', specText('excepted', { manifest: externalIPs }));
    await writeFile(join(suites, 'other.yaml'), specText('not-excepted', { manifest: externalIPs }));
    const withException = join(dir, 'exception.yaml');
    await writeFile(
      withException,
      'scopeExceptions:\n  - { rule: external-ips, spec: excepted, reason: "a lab whose routers expect it" }\n',
    );
    const refused = await cli([
      'run',
      '--dry-run',
      '--provider',
      'lab',
      '--options-file',
      withException,
      '--suites',
      suites,
    ]);
    expect(refused.code).toBe(2);
    const lines = refused.stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([
      expect.stringMatching(/other\.yaml:7: manifests\.m\.spec\.externalIPs: refused \(external-ips\)/),
      'egress-conformance: invalid scenario specs',
    ]);

    await rm(join(suites, 'other.yaml'));
    const allowed = await cli([
      'run',
      '--dry-run',
      '--provider',
      'lab',
      '--family',
      'ipv4',
      '--options-file',
      withException,
      '--suites',
      suites,
      // The effective options are printed with --verbose.
      '--verbose',
    ]);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(
      /scopeExceptions:\n\s+- rule: external-ips\n\s+spec: excepted\n\s+reason: a lab whose routers expect it/,
    );
    expect(allowed.stdout).toContain('externalIPs');
    // Hostile round 3: the exception was recorded only in results.json and the ConformanceReport.
    expect(allowed.stdout).toContain(
      'scope exception: external-ips allowed for excepted (a lab whose routers expect it)',
    );
    expect(allowed.stdout).toMatch(
      /=== excepted \[ipv4\][^\n]*\n# scope exception applied: external-ips \(options file: a lab whose routers expect it\)/,
    );
  });

  it('validate --options-file applies the exceptions as run does, and checks the file in one line', async () => {
    const suites = await suiteWith('excepted3', specText('excepted3', { manifest: externalIPs }));
    const withException = join(dir, 'exception3.yaml');
    await writeFile(
      withException,
      'scopeExceptions:\n  - { rule: external-ips, spec: excepted3, reason: "a lab whose routers expect it" }\n',
    );
    const validate = (...extra: string[]) => cli(['validate', '--no-cache', '--suites', suites, ...extra]);
    // Without the file the spec is refused; with it, valid, as `run --options-file` takes it.
    const refused = await validate();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/spec\.yaml:7: manifests\.m\.spec\.externalIPs: refused \(external-ips\)/);
    const allowed = await validate('--options-file', withException);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout.trim()).toBe('1 scenario spec(s) valid.');
    // The file itself is checked: a bad entry, an exception for no spec, a provider section, YAML that does not parse.
    const cases: Array<[string, RegExp]> = [
      [
        'scopeExceptions:\n  - { rule: external-ips, spec: excepted3 }\n',
        /scopeExceptions(\.0|\[0\])\.reason/,
      ],
      [
        'scopeExceptions:\n  - { rule: external-ips, spec: excepted3, reason: x }\n  - { rule: external-ips, spec: no-such-spec, reason: x }\n',
        /scopeExceptions: no spec with id 'no-such-spec' \(rule external-ips\)$/,
      ],
      ['lab:\n  nodes: 500\n', /--options-file .*: .*nodes/],
      ['profile: [\n', /bad-options\.yaml/],
    ];
    for (const [text, expected] of cases) {
      const file = join(dir, 'bad-options.yaml');
      await writeFile(file, text);
      const { code, stdout, stderr } = await validate('--options-file', file);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.split('\n').filter(Boolean);
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
      expect(stderr).not.toContain('--debug');
    }
    const missing = await validate('--options-file', join(dir, 'missing.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('refuses an entry without a reason or naming an unknown rule, in one line naming the field', async () => {
    const suites = await suiteWith('excepted2', specText('excepted2', {}));
    for (const [text, field] of [
      [
        'scopeExceptions:\n  - { rule: external-ips, spec: excepted2 }\n',
        /scopeExceptions(\.0|\[0\])\.reason/,
      ],
      [
        'scopeExceptions:\n  - { rule: kind, spec: excepted2, reason: x }\n',
        /scopeExceptions(\.0|\[0\])\.rule/,
      ],
      // Hostile round of issue #22: a pattern would allow the rule for every spec.
      [
        'scopeExceptions:\n  - { rule: external-ips, spec: "*", reason: x }\n',
        /scopeExceptions(\.0|\[0\])\.spec: expected one scenario id/,
      ],
      // Hostile round 5 (F11): a reason of spaces says nothing, like an empty one.
      [
        'scopeExceptions:\n  - { rule: external-ips, spec: excepted2, reason: "  " }\n',
        /scopeExceptions(\.0|\[0\])\.reason: expected a reason \(not empty or blank\)/,
      ],
    ] as const) {
      const file = join(dir, 'bad-exception.yaml');
      await writeFile(file, text);
      const { code, stderr } = await cli([
        'run',
        '--dry-run',
        '--provider',
        'lab',
        '--options-file',
        file,
        '--suites',
        suites,
      ]);
      expect(code).toBe(2);
      expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(stderr).toMatch(field);
    }
  });
});
