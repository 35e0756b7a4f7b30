/**
 * The scope guard against a list of hostile specs (hostile-specs.ts): each is refused by the dry
 * run on every provider with one line naming the spec and the field, exit 2, before anything is
 * printed or created; a spec inside its scope (with a second, declared namespace) passes.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestScopeIssues, nodeLabelKeyIssue } from '../../harness/spec/scope.js';
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

function oneLine(stderr: string): string[] {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines;
}

describe('the scope guard on rendered manifests (what the dry run and the run apply)', () => {
  const names = {
    testNamespaces: ['ec-1a2b3c-x-v4', 'ec-1a2b3c-x-v4-other'],
    metallbNamespace: 'metallb-system',
    uid: 'ec1a2b3c0v4',
  };
  it.each([
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ec-1a2b3c-x-v4-other' } }, []],
    [
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'ec1a2b3c0v4-pool', namespace: 'metallb-system' },
      },
      [],
    ],
    [{ apiVersion: 'k8s.ovn.org/v1', kind: 'EgressIP', metadata: { name: 'ec1a2b3c0v4-eip' } }, []],
    [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ec-1a2b3c-y-v4' } },
      [/'ec-1a2b3c-y-v4' is not a test namespace/],
    ],
    [
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'ec1a2b3c1v4-pool', namespace: 'metallb-system' },
      },
      [/must contain ec1a2b3c0v4/],
    ],
    [
      {
        apiVersion: 'k8s.ovn.org/v1',
        kind: 'EgressIP',
        metadata: { name: 'ec1a2b3c0v4-eip', namespace: 'default' },
      },
      [/cluster-scoped: expected no namespace/],
    ],
    [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'ec1a2b3c0v4' } },
      [/outside a test's scope/],
    ],
  ])('%j', (object, expected) => {
    const issues = manifestScopeIssues(object, names).map((i) => i.message);
    expect(issues).toHaveLength(expected.length);
    expected.forEach((pattern, i) => {
      expect(issues[i]).toMatch(pattern);
    });
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
  it.each(HOSTILE_SPECS.map((h, i) => [h.name, i] as const))('%s', async (_name, index) => {
    const hostile = HOSTILE_SPECS[index] as (typeof HOSTILE_SPECS)[number];
    const suites = await suiteWith(`h${index}`, specText(`hostile-${index}`, hostile));
    for (const provider of ['existing', 'lab']) {
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
      // The spec's problem (at its line), then the command's one-line summary.
      const [line, summary] = stderr.split('\n').filter(Boolean);
      expect(summary).toBe('egress-conformance: invalid scenario specs');
      oneLine(`${line}\n`);
      expect(line).toMatch(/spec\.yaml:(\d+:)? (manifests|steps)/);
      expect(line).toMatch(hostile.error);
      // Refused before anything was printed: no rendered manifest reached the output.
      expect(stdout).not.toContain('# manifest m');
    }
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
