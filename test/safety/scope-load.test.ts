/**
 * The `load` rule beyond one field (hostile round 5, F10): a pod's containers together, counted
 * as Kubernetes counts init containers, and a spec's pods together (replicas, DaemonSets, patches).
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, parseScenario } from '../../harness/spec/loader.js';
import { podLoadIssues, specLoadIssues, versionsOf } from '../../harness/spec/scope-load.js';

const pod = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', spec });
const container = (requests: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  name: 'c',
  image: 'x',
  resources: { requests },
  ...extra,
});

describe("the load rule on a pod's containers together", () => {
  it('takes the larger of the app containers and each init container, as the scheduler does', () => {
    // An init container runs alone before the app containers: 2 CPUs, then 1.5: the pod needs 2.
    const ok = pod({ initContainers: [container({ cpu: '2' })], containers: [container({ cpu: '1500m' })] });
    expect(podLoadIssues(ok)).toEqual([]);
    // Two app containers run together: 1.5 + 1.5 CPUs.
    const together = pod({ containers: [container({ cpu: '1500m' }), container({ cpu: '1500m' })] });
    expect(podLoadIssues(together).map((i) => i.message)).toEqual([
      "refused (load): a pod's containers together request 3 CPUs (over 2 CPUs) (init containers counted as Kubernetes does)",
    ]);
    // A sidecar (an init container that keeps running) adds to the app containers and to later init containers.
    const sidecar = pod({
      initContainers: [container({ cpu: '1' }, { restartPolicy: 'Always' }), container({ cpu: '1500m' })],
      containers: [container({ cpu: '500m' })],
    });
    expect(podLoadIssues(sidecar).map((i) => i.message)).toEqual([
      "refused (load): a pod's containers together request 2.5 CPUs (over 2 CPUs) (init containers counted as Kubernetes does)",
    ]);
  });

  it('judges a template once rendered: a template variable as written counts as nothing', () => {
    expect(podLoadIssues(pod({ containers: [container({ cpu: '${params.cpu}' })] }))).toEqual([]);
  });
});

describe("the load rule on a spec's pods together", () => {
  const deployment = (replicas: unknown, cpu = '100m') => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    spec: { replicas, template: { spec: { containers: [container({ cpu })] } } },
  });

  it('counts every object, a DaemonSet as one pod on each of the largest lab nodes', () => {
    const many = Array.from({ length: 9 }, (_, i) => ({ name: `d${i}`, versions: [deployment(32, '0')] }));
    expect(specLoadIssues(many).map((i) => i.message)).toEqual([
      "refused (load): the spec's pods together number 288, over 256 (each object's replicas, a DaemonSet counted as 50 pods)",
    ]);
    const eight = many.slice(0, 8);
    expect(specLoadIssues(eight)).toEqual([]);
    const daemonSet = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      spec: { template: { spec: { containers: [container({ cpu: '1' })] } } },
    };
    expect(specLoadIssues([{ name: 'ds', versions: [daemonSet] }]).map((i) => i.message)).toEqual([
      "refused (load): the spec's pods together request 50 CPUs (over 16 CPUs)",
    ]);
  });

  it('counts a manifest at its largest version: a patch that scales it up counts', () => {
    const versions = versionsOf(deployment(1, '1'), [{ spec: { replicas: 20 } }]);
    expect(specLoadIssues([{ name: 'd', versions }]).map((i) => i.message)).toEqual([
      "refused (load): the spec's pods together request 20 CPUs (over 16 CPUs)",
    ]);
  });

  it('validate refuses 100 Deployments of 32 replicas at the manifests, in one line', () => {
    const manifests = Array.from(
      { length: 100 },
      (_, i) =>
        `  d${i}: { apiVersion: apps/v1, kind: Deployment, metadata: { name: d${i}, namespace: "\${namespace}" }, spec: { replicas: 32, selector: { matchLabels: { app: d } }, template: { metadata: { labels: { app: d } }, spec: { containers: [{ name: c, image: x }] } } } }\n`,
    ).join('');
    const text = `id: many\ntitle: many\nstatements: [ES-SNAT-1]\nprofile: core\nfeatures: [SourceIPLoadBalancer]\nmanifests:\n${manifests}steps:\n  - apply: [d0]\n  - expect: { condition: { noEgressLabel: { service: d0 } } }\n`;
    const result = parseScenario(text, 'many.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      "many.yaml:7: manifests: refused (load): the spec's pods together number 3200, over 256 (each object's replicas, a DaemonSet counted as 50 pods)",
    ]);
  });
});
