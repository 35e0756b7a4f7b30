/**
 * The reference lab's label selectors against Kubernetes' rules, as a table. The rules were read
 * from k8s.io/apimachinery as OVN-Kubernetes vendors it at the kind path's pinned commit
 * (ovn-org/ovn-kubernetes 1c15e1bebf48429f4e8558151d6441232ae845ad,
 * go-controller/vendor/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go `LabelSelectorAsSelector`
 * and pkg/labels/selector.go `NewRequirement`, `Requirement.Matches`, `internalSelector.Matches`):
 * matchLabels become equality requirements, every requirement must hold, `NotIn` and
 * `DoesNotExist` hold for a missing label, `Exists` holds for any value ("" too), and an unknown
 * operator, `In`/`NotIn` without values or `Exists`/`DoesNotExist` with values are errors.
 * Then the lab's selector faults, each against the case that tells it from Kubernetes.
 */
import { describe, expect, it } from 'vitest';
import { placeEgressServices } from '../../harness/env/lab/reference/egress-placement.js';
import type { EgressServiceView, ServiceView } from '../../harness/env/lab/reference/model.js';
import {
  type LabelSelector,
  type SelectorEvaluation,
  selectorMatches,
  selectorProblem,
} from '../../harness/env/lab/reference/selector.js';

/** The labels the ES-SEL-3 scenarios give three nodes. */
const NODES: Record<string, Record<string, string>> = {
  n0: { zone: 'a' },
  n1: { zone: 'b', flag: '' },
  n2: {},
};

function matching(selector: LabelSelector | undefined, evaluation: SelectorEvaluation = 'kubernetes') {
  return Object.entries(NODES)
    .filter(([, labels]) => selectorMatches(selector, labels, evaluation))
    .map(([name]) => name);
}

const expr = (key: string, operator: string, values?: string[]) => ({
  key,
  operator,
  ...(values ? { values } : {}),
});

describe('label selectors as Kubernetes evaluates them', () => {
  it.each<[string, LabelSelector | undefined, string[]]>([
    ['absent: every node', undefined, ['n0', 'n1', 'n2']],
    ['empty: every node', {}, ['n0', 'n1', 'n2']],
    ['empty lists: every node', { matchLabels: {}, matchExpressions: [] }, ['n0', 'n1', 'n2']],
    ['matchLabels equality', { matchLabels: { zone: 'a' } }, ['n0']],
    ['matchLabels with the value ""', { matchLabels: { flag: '' } }, ['n1']],
    ['matchLabels: every entry', { matchLabels: { zone: 'b', flag: '' } }, ['n1']],
    ['In: one of the values', { matchExpressions: [expr('zone', 'In', ['c', 'b'])] }, ['n1']],
    ['In: never a missing label', { matchExpressions: [expr('zone', 'In', ['a', 'b'])] }, ['n0', 'n1']],
    ['NotIn: a missing label matches', { matchExpressions: [expr('zone', 'NotIn', ['a', 'b'])] }, ['n2']],
    ['NotIn: another value matches', { matchExpressions: [expr('zone', 'NotIn', ['a'])] }, ['n1', 'n2']],
    ['Exists: any value, "" too', { matchExpressions: [expr('flag', 'Exists')] }, ['n1']],
    ['DoesNotExist', { matchExpressions: [expr('zone', 'DoesNotExist')] }, ['n2']],
    ['DoesNotExist: "" is a value', { matchExpressions: [expr('flag', 'DoesNotExist')] }, ['n0', 'n2']],
    [
      'expressions: every one',
      { matchExpressions: [expr('zone', 'In', ['a', 'b']), expr('zone', 'NotIn', ['a'])] },
      ['n1'],
    ],
    [
      'matchLabels and expressions: both',
      { matchLabels: { zone: 'a' }, matchExpressions: [expr('flag', 'Exists')] },
      [],
    ],
    [
      'matchLabels and expressions: both hold',
      { matchLabels: { zone: 'a' }, matchExpressions: [expr('flag', 'DoesNotExist')] },
      ['n0'],
    ],
    ['invalid: unknown operator', { matchExpressions: [expr('zone', 'Equals', ['a'])] }, []],
    ['invalid: In without values', { matchExpressions: [expr('zone', 'In', [])] }, []],
    ['invalid: NotIn without values', { matchExpressions: [expr('zone', 'NotIn')] }, []],
    ['invalid: Exists with values', { matchExpressions: [expr('zone', 'Exists', ['a'])] }, []],
    ['invalid: DoesNotExist with values', { matchExpressions: [expr('zone', 'DoesNotExist', ['a'])] }, []],
  ])('%s', (_, selector, nodes) => {
    expect(matching(selector)).toEqual(nodes);
  });

  it('names what makes a selector invalid, as LabelSelectorAsSelector does', () => {
    expect(selectorProblem({ matchExpressions: [expr('zone', 'Gt', ['1'])] })).toBe(
      'matchExpressions[0]: "Gt" is not a valid label selector operator',
    );
    expect(selectorProblem({ matchExpressions: [expr('zone', 'NotIn', [])] })).toMatch(/can't be empty/);
    expect(selectorProblem({ matchExpressions: [expr('zone', 'Exists', ['x'])] })).toMatch(/must be empty/);
    expect(selectorProblem({ matchExpressions: [expr('zone', 'In', ['a'])] })).toBeUndefined();
    expect(selectorProblem(undefined)).toBeUndefined();
  });

  it('refuses keys and values that are not label syntax (upstream 50fb2b176: {"a:b": "c&"})', () => {
    expect(selectorProblem({ matchLabels: { 'a:b': 'c' } })).toMatch(/key "a:b": name part/);
    expect(selectorProblem({ matchLabels: { a: 'c&' } })).toMatch(/value "c&"/);
    expect(selectorProblem({ matchLabels: { 'Bad_Prefix/x': 'y' } })).toMatch(/prefix part/);
    expect(selectorProblem({ matchExpressions: [expr('a:b', 'Exists')] })).toMatch(
      /^matchExpressions\[0\]: key/,
    );
    expect(selectorProblem({ matchExpressions: [expr('zone', 'In', ['ok', 'not ok'])] })).toMatch(
      /value "not ok"/,
    );
    // What the scenarios use is valid: prefixed keys, empty values, the test's own keys, and the
    // egress-service label of a long test namespace (over Kubernetes' 63 characters: the lab allows it).
    expect(
      selectorProblem({
        matchLabels: {
          'egress-service.k8s.ovn.org/ec-7c7744-host-network-and-secondary-address-not-rewritten-v4-web': '',
        },
      }),
    ).toBeUndefined();
    expect(
      selectorProblem({
        matchLabels: { 'kubernetes.io/hostname': 'worker2', 'egress-service.k8s.ovn.org/ns-web': '' },
        matchExpressions: [expr('ec-zone-ec1a2b3c0v4', 'NotIn', ['a', 'b'])],
      }),
    ).toBeUndefined();
  });
});

describe("the lab's selector faults differ from Kubernetes where the scenarios look", () => {
  it.each<[SelectorEvaluation, LabelSelector, string[]]>([
    // ignore-match-expressions: an expression that matches nothing is no restriction at all.
    ['match-labels-only', { matchExpressions: [expr('zone', 'In', ['c'])] }, ['n0', 'n1', 'n2']],
    ['match-labels-only', { matchLabels: { zone: 'a' }, matchExpressions: [expr('flag', 'Exists')] }, ['n0']],
    // match-labels-ignored-with-expressions
    [
      'expressions-replace-labels',
      { matchLabels: { zone: 'a' }, matchExpressions: [expr('flag', 'Exists')] },
      ['n1'],
    ],
    // selector-requirements-ored
    [
      'any-requirement',
      { matchLabels: { zone: 'a' }, matchExpressions: [expr('flag', 'Exists')] },
      ['n0', 'n1'],
    ],
    [
      'any-requirement',
      { matchExpressions: [expr('zone', 'In', ['a', 'b']), expr('zone', 'NotIn', ['a'])] },
      ['n0', 'n1', 'n2'],
    ],
    // not-in-needs-key
    ['not-in-needs-key', { matchExpressions: [expr('zone', 'NotIn', ['a', 'b'])] }, []],
    ['not-in-needs-key', { matchExpressions: [expr('zone', 'NotIn', ['a'])] }, ['n1']],
    // empty-label-value-absent
    ['empty-value-is-absent', { matchExpressions: [expr('flag', 'Exists')] }, []],
    [
      'empty-value-is-absent',
      { matchLabels: { zone: 'b' }, matchExpressions: [expr('flag', 'DoesNotExist')] },
      ['n1'],
    ],
  ])('%s: %j', (evaluation, selector, nodes) => {
    expect(matching(selector, evaluation)).toEqual(nodes);
    expect(matching(selector, 'kubernetes')).not.toEqual(nodes);
  });
});

describe('placement by a selector with expressions', () => {
  const service: ServiceView = {
    namespace: 'ns',
    name: 'web',
    type: 'LoadBalancer',
    selector: { app: 'web' },
    ports: [{ protocol: 'tcp', port: 8080, targetPort: 8080 }],
    families: ['ipv4'],
    pool: 'p',
    externalTrafficPolicy: 'Cluster',
    ingress: ['203.0.113.5'],
  };
  const nodes = Object.entries(NODES).map(([name, labels]) => ({ name, labels, ready: true }));
  const place = (nodeSelector: LabelSelector) => {
    const view: EgressServiceView = {
      namespace: 'ns',
      name: 'web',
      sourceIPBy: 'LoadBalancerIP',
      nodeSelector,
      network: undefined,
    };
    const endpoints = new Map([['ns/web', { podNodes: ['n0', 'n1', 'n2'], hostNetworked: 0 }]]);
    return placeEgressServices([view], new Map([['ns/web', service]]), nodes, new Map(), {}, endpoints).get(
      'ns/web',
    );
  };

  it('places on the one node the expressions select', () => {
    expect(place({ matchExpressions: [expr('zone', 'NotIn', ['a', 'b'])] })?.host).toBe('n2');
  });
  it('places nowhere when no node matches, and says so', () => {
    expect(place({ matchExpressions: [expr('zone', 'In', ['c'])] })).toMatchObject({
      host: '',
      reason: 'no ready node matches the nodeSelector',
    });
  });
  it('places nowhere for an invalid selector, naming the problem', () => {
    expect(place({ matchExpressions: [expr('zone', 'In', [])] })).toMatchObject({
      host: '',
      reason: expect.stringMatching(/^invalid nodeSelector \(matchExpressions\[0\]: for 'In', 'NotIn'/),
    });
  });
});
