/**
 * Every condition kind, judged by the runner on the fake environment: each holds where the world
 * is as it says, and fails, saying what it saw, where it is not. (egressIPAssigned: runner.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { BgpRoute, IngressRequest } from '../../harness/env/environment.js';
import { LB_IPV4 } from '../support/fake-environment.js';
import { blueIPv4, fakeEnvironment, nodeIPv4, runSteps, SETUP } from './fake-run.js';

/** Runs SETUP and then `expect` on the condition; returns the status and the step's detail. */
async function check(env: ReturnType<typeof fakeEnvironment>, condition: string, before = '') {
  const { result, detail } = await runSteps(
    env,
    `${SETUP}${before}  - expect: { condition: ${condition} }\n`,
  );
  return { status: result.status, detail };
}

describe('serviceIngress', () => {
  it('holds when the Service has an ingress IP of the family', async () => {
    expect(await check(fakeEnvironment(), '{ serviceIngress: { service: web } }')).toEqual({
      status: 'passed',
      detail: `Service web ingress: ipv4 ${LB_IPV4}`,
    });
  });
  it('fails without one, and `assigned: false` turns both around', async () => {
    expect(await check(fakeEnvironment({ ingress: false }), '{ serviceIngress: { service: web } }')).toEqual({
      status: 'failed',
      detail: 'Service web ingress: ipv4 none (expected an ipv4 IP)',
    });
    expect(
      await check(
        fakeEnvironment({ ingress: false }),
        '{ serviceIngress: { service: web, assigned: false } }',
      ),
    ).toMatchObject({ status: 'passed' });
    expect(await check(fakeEnvironment(), '{ serviceIngress: { service: web, assigned: false } }')).toEqual({
      status: 'failed',
      detail: `Service web ingress: ipv4 ${LB_IPV4} (expected no ipv4 IP)`,
    });
  });
});

describe('podsReady', () => {
  it('holds when every matching pod is ready and there are enough', async () => {
    expect(await check(fakeEnvironment(), '{ podsReady: { pods: { app: web }, count: 3 } }')).toEqual({
      status: 'passed',
      detail: '3/3 pods ready (need at least 3, all ready)',
    });
  });
  it('fails with one pod not ready, and with too few', async () => {
    const env = fakeEnvironment({ notReady: ['web-2'] });
    const { result } = await runSteps(
      env,
      '  - apply: [web]\n  - expect: { condition: { podsReady: { pods: { app: web }, count: 2 } } }\n',
    );
    expect(result.message).toMatch(/: 2\/3 pods ready \(need at least 2, all ready\)\n {2}at step 2 /);
    expect(await check(fakeEnvironment(), '{ podsReady: { pods: { app: web }, count: 4 } }')).toEqual({
      status: 'failed',
      detail: '3/3 pods ready (need at least 4, all ready)',
    });
  });
});

describe('egressPlacement', () => {
  it('placed: exactly one node labelled and status.host naming it', async () => {
    expect(
      await check(fakeEnvironment(), '{ egressPlacement: { egressService: web, state: placed } }'),
    ).toEqual({ status: 'passed', detail: "status.host 'n1', labelled: n1" });
  });
  it('placed fails with two nodes labelled, or status.host naming another node', async () => {
    expect(
      await check(
        fakeEnvironment({ labelled: ['n1', 'n2'] }),
        '{ egressPlacement: { egressService: web, state: placed } }',
      ),
    ).toEqual({
      status: 'failed',
      detail:
        "status.host 'n1', labelled: n1, n2; expected exactly one node labelled and status.host naming it",
    });
    expect(
      await check(
        fakeEnvironment({ host: 'n0' }),
        '{ egressPlacement: { egressService: web, state: placed } }',
      ),
    ).toMatchObject({ status: 'failed', detail: expect.stringContaining("status.host 'n0', labelled: n1;") });
  });
  it('placed with `node`: the node must be that one', async () => {
    const condition = (index: number) =>
      `{ egressPlacement: { egressService: web, state: placed, node: { index: ${index} } } }`;
    expect(await check(fakeEnvironment(), condition(1))).toMatchObject({ status: 'passed' });
    expect(await check(fakeEnvironment(), condition(2))).toEqual({
      status: 'failed',
      detail: "status.host 'n1', labelled: n1; expected the node n2",
    });
  });
  it('placed with `nodeReady`: not on a node that failed', async () => {
    const condition = '{ egressPlacement: { egressService: web, state: placed, nodeReady: true } }';
    expect(await check(fakeEnvironment(), condition)).toEqual({
      status: 'passed',
      detail: "status.host 'n1', labelled: n1 (ready)",
    });
    const failed = await check(fakeEnvironment(), condition, '  - failNode: { node: { index: 1 } }\n');
    expect(failed).toEqual({
      status: 'failed',
      detail: "status.host 'n1', labelled: n1; expected a ready node, and n1 is not ready",
    });
  });
  it('unplaced: no label and status.host empty', async () => {
    const condition = '{ egressPlacement: { egressService: web, state: unplaced } }';
    expect(await check(fakeEnvironment({ egressNode: null }), condition)).toEqual({
      status: 'passed',
      detail: 'status.host unset, no node labelled',
    });
    expect(await check(fakeEnvironment(), condition)).toEqual({
      status: 'failed',
      detail: "status.host 'n1', labelled: n1; expected no node labelled and status.host empty",
    });
  });
  it('all: status.host ALL and no label', async () => {
    const condition = '{ egressPlacement: { egressService: web, state: all } }';
    expect(await check(fakeEnvironment({ egressNode: null, host: 'ALL' }), condition)).toMatchObject({
      status: 'passed',
    });
    expect(await check(fakeEnvironment({ host: 'ALL' }), condition)).toEqual({
      status: 'failed',
      detail: "status.host 'ALL', labelled: n1; expected status.host ALL and no node labelled",
    });
  });
});

describe('egressServiceGone', () => {
  it('holds once the EgressService is deleted, and fails while it exists', async () => {
    expect(
      await check(
        fakeEnvironment(),
        '{ egressServiceGone: { egressService: web } }',
        '  - delete: [egress-service]\n',
      ),
    ).toEqual({ status: 'passed', detail: 'EgressService web gone' });
    expect(await check(fakeEnvironment(), '{ egressServiceGone: { egressService: web } }')).toEqual({
      status: 'failed',
      detail: 'EgressService web still exists',
    });
  });
});

describe('noEgressLabel', () => {
  it('holds when no node carries the label, and names the nodes that do', async () => {
    expect(await check(fakeEnvironment({ egressNode: null }), '{ noEgressLabel: { service: web } }')).toEqual(
      {
        status: 'passed',
        detail: 'no node carries the egress-service label of web',
      },
    );
    expect(
      await check(fakeEnvironment({ labelled: ['n0', 'n2'] }), '{ noEgressLabel: { service: web } }'),
    ).toEqual({ status: 'failed', detail: 'the egress-service label of web is on n0, n2' });
  });
});

describe('bgpNextHops', () => {
  const prefix = `${LB_IPV4}/32`;
  /** An environment whose peer learnt the LoadBalancer IP from these nodes. */
  function announcedFrom(nextHops: string[] | undefined) {
    const env = fakeEnvironment();
    env.routes = (peer, family): BgpRoute[] =>
      peer === 'peer' && family === 'ipv4' && nextHops ? [{ prefix, nextHops }] : [];
    return env;
  }
  const hops = (value: string) => `{ bgpNextHops: { service: web, nextHops: ${value} } }`;

  it('egressNode: only the chosen node', async () => {
    expect(await check(announcedFrom([nodeIPv4(1)]), hops('egressNode'))).toEqual({
      status: 'passed',
      detail: `peer has ${prefix} via [${nodeIPv4(1)}]`,
    });
    expect(await check(announcedFrom([nodeIPv4(0), nodeIPv4(1)]), hops('egressNode'))).toEqual({
      status: 'failed',
      detail: `peer has ${prefix} via [${nodeIPv4(0)}, ${nodeIPv4(1)}]; expected next hops [${nodeIPv4(1)}]`,
    });
  });
  it('none: no route at all', async () => {
    expect(await check(announcedFrom(undefined), hops('none'))).toMatchObject({ status: 'passed' });
    expect(await check(announcedFrom([nodeIPv4(1)]), hops('none'))).toEqual({
      status: 'failed',
      detail: `peer has ${prefix} via [${nodeIPv4(1)}]; expected next hops []`,
    });
  });
  it('allNodes: every node, in any order', async () => {
    expect(
      await check(announcedFrom([nodeIPv4(2), nodeIPv4(0), nodeIPv4(1)]), hops('allNodes')),
    ).toMatchObject({ status: 'passed' });
    expect(await check(announcedFrom([nodeIPv4(1)]), hops('allNodes'))).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining(`expected next hops [${nodeIPv4(0)}, ${nodeIPv4(1)}, ${nodeIPv4(2)}]`),
    });
  });
  it('{node}: the node a reference names', async () => {
    expect(await check(announcedFrom([nodeIPv4(2)]), hops('{ node: { index: 2 } }'))).toMatchObject({
      status: 'passed',
    });
    expect(await check(announcedFrom([nodeIPv4(1)]), hops('{ node: { notEgressNodeOf: web } }'))).toEqual({
      status: 'failed',
      detail: `peer has ${prefix} via [${nodeIPv4(1)}]; expected next hops [${nodeIPv4(0)}]`,
    });
  });
  it("uses the nodes' addresses on the peer's own network", async () => {
    const env = fakeEnvironment(
      {},
      {
        peers: [
          {
            name: 'blue-peer',
            network: 'blue',
            addresses: { ipv4: '198.51.100.20' },
            asn: 64501,
            probePort: 8080,
          },
        ],
      },
    );
    env.routes = (peer) => (peer === 'blue-peer' ? [{ prefix, nextHops: [blueIPv4(1)] }] : []);
    expect(
      await check(env, '{ bgpNextHops: { service: web, peer: blue-peer, nextHops: egressNode } }'),
    ).toMatchObject({ status: 'passed' });
  });
  it('fails without an ingress IP, or for a peer that does not exist', async () => {
    expect(await check(fakeEnvironment({ ingress: false }), hops('egressNode'))).toEqual({
      status: 'failed',
      detail: 'Service web has no ipv4 ingress IP',
    });
    expect(
      await check(announcedFrom([]), '{ bgpNextHops: { service: web, peer: nope, nextHops: none } }'),
    ).toEqual({
      status: 'failed',
      detail: 'no peer named nope',
    });
  });
});

describe('ingressReachable', () => {
  /** Every attempt answered, by the backends in turn (or only by `only`). */
  function answering(
    env: ReturnType<typeof fakeEnvironment>,
    options: { only?: string[]; failures?: number } = {},
  ) {
    const seen: IngressRequest[] = [];
    env.onIngress = (request) => {
      seen.push(request);
      const backends = options.only ?? ['web-0', 'web-1', 'web-2'];
      const failures = options.failures ?? 0;
      const answeredBy: Record<string, number> = {};
      for (let i = 0; i < request.attempts - failures; i++) {
        const backend = backends[i % backends.length] as string;
        answeredBy[backend] = (answeredBy[backend] ?? 0) + 1;
      }
      const errors = failures > 0 ? ['connect: connection timed out'] : [];
      return { attempts: request.attempts, succeeded: request.attempts - failures, answeredBy, errors };
    };
    return seen;
  }
  const condition = '{ ingressReachable: { service: web, port: 8080, attempts: 6 } }';

  it('holds when every attempt is answered and every backend answers, from the peer to the ingress IP', async () => {
    const env = fakeEnvironment();
    const seen = answering(env);
    expect(await check(env, condition)).toEqual({
      status: 'passed',
      detail: `from ${'198.51.100.10'} to ${LB_IPV4}:8080/tcp 6/6 answered by [web-0, web-1, web-2]`,
    });
    expect(seen[0]).toMatchObject({ peer: 'peer', source: '198.51.100.10', address: LB_IPV4, attempts: 6 });
  });
  it('fails when an attempt goes unanswered', async () => {
    const env = fakeEnvironment();
    answering(env, { failures: 1 });
    expect(await check(env, condition)).toEqual({
      status: 'failed',
      detail: `from 198.51.100.10 to ${LB_IPV4}:8080/tcp 5/6 answered by [web-0, web-1, web-2]; errors: connect: connection timed out`,
    });
  });
  it('fails when a backend never answers, unless allBackends is false', async () => {
    const env = fakeEnvironment();
    answering(env, { only: ['web-0', 'web-2'] });
    expect(await check(env, condition)).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(
        /6\/6 answered by \[web-0, web-2\]; backends that never answered: web-1$/,
      ),
    });
    const relaxed = fakeEnvironment();
    answering(relaxed, { only: ['web-0'] });
    expect(
      await check(
        relaxed,
        '{ ingressReachable: { service: web, port: 8080, attempts: 6, allBackends: false } }',
      ),
    ).toMatchObject({ status: 'passed' });
  });
});
