/**
 * The probe step's judging on captures the test writes: every expectation passes on the packets
 * it asks for and fails, with counts and offenders, on others; `until` counts rounds in a row;
 * `measure: failover` reads the first packet of the first passing round.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../harness/env/environment.js';
import {
  type FakePacket,
  LB_IPV4,
  LB_IPV6,
  type ProbeCall,
  packetsFrom,
  podIPv4,
} from '../support/fake-environment.js';
import {
  blueIPv4,
  EGRESS_IP,
  fakeEnvironment,
  nodeIPv4,
  PEER_IPV4,
  PEER_IPV6,
  runSteps,
  SETUP,
} from './fake-run.js';

const T0 = 1_800_000_000_000;

/** The node index a source pod runs on (pods are named after their node in the fake). */
function nodeIndex(pod: KubeObject): number {
  return Number((pod.spec as { nodeName: string }).nodeName.slice(1));
}

/** Three packets from each source pod, from the address `addressOf` gives it. */
function fromEachPod(call: ProbeCall, addressOf: (pod: KubeObject) => string, at = T0): FakePacket[] {
  return call.sources.flatMap((pod, i) => packetsFrom(addressOf(pod), 3, at + i * 100));
}

const probe = (expectation: string, extra = '') =>
  `  - probe: { name: out, from: { endpointsOf: web }, to: { peer: peer }, expect: ${expectation}${extra} }\n`;

describe('source: loadBalancerIP', () => {
  const step = probe('{ source: loadBalancerIP, service: web }');

  it('passes when every packet of the flow comes from the LoadBalancer IP, whatever else was captured', async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({
      packets: [
        ...fromEachPod(call, () => LB_IPV4),
        // Not the probe's flow: another port, another protocol, another target.
        { src: nodeIPv4(1), at: T0, dstPort: 9999 },
        { src: nodeIPv4(1), at: T0, protocol: 'udp' },
        { src: nodeIPv4(1), at: T0, dst: '198.51.100.99' },
      ],
    });
    const { result, evidence } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('passed');
    expect(evidence).toEqual([
      expect.objectContaining({
        probe: 'out',
        family: 'ipv4',
        capture: 'artifacts/ec-r1-judged-v4/out-ipv4-0.pcap',
        target: `peer ${PEER_IPV4}:8080`,
        expected: `the LoadBalancer IP ${LB_IPV4}`,
        totalPackets: 9,
        matchedPackets: 9,
        sources: { [LB_IPV4]: 9 },
        offenders: [],
        attempts: 9,
        attemptsOk: 9,
        passed: true,
      }),
    ]);
    expect(evidence[0]?.message).toMatch(
      new RegExp(`^out/ipv4: 9/9 packets to ${PEER_IPV4}:8080/tcp had source the LoadBalancer IP ${LB_IPV4}`),
    );
    // The probe asked what the spec says: every source pod, the peer, TCP, 3 attempts each.
    expect(env.probes[0]).toMatchObject({
      id: 'out-ipv4-0',
      family: 'ipv4',
      target: { kind: 'peer', peer: 'peer' },
      protocol: 'tcp',
      port: 8080,
      attempts: 3,
      sources: ['web-0', 'web-1', 'web-2'].map((pod) => ({ namespace: 'ec-r1-judged-v4', pod })),
    });
  });

  it('fails on one packet from the node IP, naming the count, the source and the offender', async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({
      packets: [...fromEachPod(call, () => LB_IPV4), { src: nodeIPv4(1), at: T0 + 500, srcPort: 41000 }],
    });
    const { result, evidence } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      new RegExp(
        `: out/ipv4: expected every packet to peer ${PEER_IPV4}:8080 from the LoadBalancer IP ${LB_IPV4}; ` +
          `1 node sent 1 packet with its node IP \\(n1 ${nodeIPv4(1)}: 1\\), 9 with the LoadBalancer IP ${LB_IPV4}; ` +
          'tried once \\([\\d.]+ m?s\\)\\n {2}at step 3 \\(probe, judged\\.yaml:\\d+\\)\\n {2}' +
          `1/10 packets to ${PEER_IPV4}:8080/tcp had source ${nodeIPv4(1)}, ` +
          `expected the LoadBalancer IP ${LB_IPV4} \\(capture: .*out-ipv4-0\\.pcap\\); ` +
          `offenders: 2027-01-15T08:00:00\\.500000000Z ${nodeIPv4(1)}:41000 -> ${PEER_IPV4}:8080$`,
      ),
    );
    expect(evidence[0]).toMatchObject({
      totalPackets: 10,
      matchedPackets: 9,
      sources: { [LB_IPV4]: 9, [nodeIPv4(1)]: 1 },
      offenders: [{ src: nodeIPv4(1), dst: PEER_IPV4, srcPort: 41000, dstPort: 8080 }],
      passed: false,
    });
  });

  it('fails on an empty capture: no traffic is never a pass', async () => {
    const env = fakeEnvironment();
    const { result } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(`\n  no probe traffic seen: 0 packets to ${PEER_IPV4}:8080/tcp in `);
    // The first line says it without the capture's path; the path is on a line below.
    const [first] = (result.message ?? '').split('\n');
    expect(first).toMatch(
      new RegExp(
        `out/ipv4: no probe traffic seen: 0 packets to peer ${PEER_IPV4.replace(/\./g, '\\.')}:8080; tried once`,
      ),
    );
  });

  it('judges IPv6 flows by their IPv6 addresses', async () => {
    const env = fakeEnvironment({}, { families: ['ipv6'] });
    env.onProbe = (call) => ({ packets: fromEachPod(call, () => LB_IPV6) });
    const passed = await runSteps(env, SETUP + step);
    expect(passed.result.status).toBe('passed');
    expect(passed.evidence[0]?.message).toMatch(`9/9 packets to [${PEER_IPV6}]:8080/tcp had source`);
    env.onProbe = (call) => ({ packets: fromEachPod(call, (pod) => `2001:db8::${10 + nodeIndex(pod)}`) });
    const failed = await runSteps(env, SETUP + step);
    expect(failed.result.message).toMatch(
      `9/9 packets to [${PEER_IPV6}]:8080/tcp had source 2001:db8::10 (3), 2001:db8::11 (3), 2001:db8::12 (3), expected the LoadBalancer IP ${LB_IPV6}`,
    );
  });
});

/**
 * Each source kind: the spec's expectation, the address that kind means for a source pod, and an
 * address it does not mean. The fake places web-N on node nN.
 */
const KINDS = [
  {
    kind: 'loadBalancerIP',
    qualifier: ', service: web',
    means: () => LB_IPV4,
    other: (pod: KubeObject) => nodeIPv4(nodeIndex(pod)),
    label: `the LoadBalancer IP ${LB_IPV4}`,
  },
  {
    kind: 'nodeIP',
    qualifier: '',
    means: (pod: KubeObject) => nodeIPv4(nodeIndex(pod)),
    other: () => LB_IPV4,
    label: `one of the node IPs ${nodeIPv4(0)} or ${nodeIPv4(1)} or ${nodeIPv4(2)}`,
  },
  {
    kind: 'podIP',
    qualifier: '',
    means: (pod: KubeObject) => podIPv4(nodeIndex(pod), nodeIndex(pod)),
    other: (pod: KubeObject) => nodeIPv4(nodeIndex(pod)),
    label: `one of the pod IPs ${podIPv4(0, 0)} or ${podIPv4(1, 1)} or ${podIPv4(2, 2)}`,
  },
  {
    kind: 'networkIP',
    qualifier: ', network: blue',
    means: (pod: KubeObject) => blueIPv4(nodeIndex(pod)),
    other: (pod: KubeObject) => nodeIPv4(nodeIndex(pod)),
    label: `the blue network addresses ${blueIPv4(0)} or ${blueIPv4(1)} or ${blueIPv4(2)}`,
  },
  {
    kind: 'egressIP',
    qualifier: '',
    means: () => EGRESS_IP,
    other: () => LB_IPV4,
    label: `the EgressIP ${EGRESS_IP}`,
  },
];

describe.each(KINDS)('source and notSource: $kind', ({ kind, qualifier, means, other, label }) => {
  async function judged(expectation: 'source' | 'notSource', addressOf: (pod: KubeObject) => string) {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({ packets: fromEachPod(call, addressOf) });
    return runSteps(env, SETUP + probe(`{ ${expectation}: ${kind}${qualifier} }`));
  }

  it(`source: ${kind} passes on its addresses and fails on others`, async () => {
    const passed = await judged('source', means);
    expect(passed.result.status).toBe('passed');
    expect(passed.evidence[0]).toMatchObject({ expected: label, totalPackets: 9, matchedPackets: 9 });
    const failed = await judged('source', other);
    expect(failed.result.status).toBe('failed');
    expect(failed.result.message).toMatch(`9/9 packets to ${PEER_IPV4}:8080/tcp had source `);
    expect(failed.result.message).toContain(`, expected ${label} (capture: `);
    expect(failed.evidence[0]?.offenders).toHaveLength(9);
  });

  it(`notSource: ${kind} passes on other addresses and fails on its own`, async () => {
    const passed = await judged('notSource', other);
    expect(passed.result.status).toBe('passed');
    expect(passed.evidence[0]).toMatchObject({ expected: `not ${label}`, matchedPackets: 9 });
    const failed = await judged('notSource', means);
    expect(failed.result.status).toBe('failed');
    // First line: the expectation and who sent what, by name; the capture and packets below.
    const [first, ...details] = (failed.result.message ?? '').split('\n');
    expect(first).toMatch(
      new RegExp(
        `^[\\w-]+(, [\\w-]+)*: out/ipv4: expected no packet to peer ${PEER_IPV4.replace(/\./g, '\\.')}:8080 from .+; 9 of 9 packets had it \\(.+: [39]\\); tried once`,
      ),
    );
    expect(first).not.toContain('capture');
    expect(details.join('\n')).toContain(`, expected a source other than ${label} (capture: `);
    expect(failed.evidence[0]).toMatchObject({ totalPackets: 9, matchedPackets: 0 });
  });
});

describe('completes and fromEveryNode', () => {
  it('completes: every attempt answered, or the failed ones are named', async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({ packets: fromEachPod(call, () => LB_IPV4) });
    const step = probe('{ completes: true }');
    const passed = await runSteps(env, SETUP + step);
    expect(passed.result.status).toBe('passed');
    expect(passed.detail).toBe('out/ipv4: 9/9 attempts completed');
    env.onProbe = (call) => ({
      packets: fromEachPod(call, () => LB_IPV4),
      attempt: (pod) => (pod === 'web-1' ? { ok: false, error: 'connection refused' } : { ok: true }),
    });
    const failed = await runSteps(env, SETUP + step);
    expect(failed.result.status).toBe('failed');
    expect(failed.detail.split('; tried once')[0]).toBe(
      `out/ipv4: 3/9 tcp attempts to ${PEER_IPV4}:8080 got no reply (web-1 on n1: connection refused; web-1 on n1: connection refused; web-1 on n1: connection refused)`,
    );
    expect(failed.evidence[0]).toMatchObject({ attempts: 9, attemptsOk: 6 });
  });

  it('fromEveryNode: the sending pods ran on every node', async () => {
    const step = probe('{ completes: true, fromEveryNode: true }');
    const spread = fakeEnvironment();
    expect((await runSteps(spread, SETUP + step)).result.status).toBe('passed');
    const crowded = fakeEnvironment({ podNodes: ['n0', 'n1'] });
    const failed = await runSteps(crowded, SETUP + step);
    expect(failed.result.status).toBe('failed');
    expect(failed.detail.split('; tried once')[0]).toBe(
      'out/ipv4: no source pod ran on n2; expected sources on every node',
    );
  });
});

describe('until: rounds in a row', () => {
  /** Round N (from 1) comes from the LoadBalancer IP when `passes(N)`, else from the node IPs. */
  function rounds(passes: (round: number) => boolean) {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({
      packets: fromEachPod(call, (pod) => (passes(call.number) ? LB_IPV4 : nodeIPv4(nodeIndex(pod)))),
    });
    return env;
  }
  const step = probe(
    '{ source: loadBalancerIP, service: web }',
    ', until: { timeout: convergence, consecutive: 2 }',
  );

  it('passes once the verdict passed `consecutive` rounds in a row, counting from a failure again', async () => {
    const env = rounds((n) => n !== 1 && n !== 3);
    const { result, detail } = await runSteps(env, SETUP + step, { convergence: 5000 });
    expect(result.status).toBe('passed');
    expect(detail).toMatch(/^out\/ipv4: 9\/9 packets .* \(5 rounds\)$/);
    // Rounds 2 and 4 passed, each after a failure; rounds 4 and 5 are the two in a row.
    expect(env.probes.map((p) => p.id)).toEqual([
      'out-ipv4-0',
      'out-ipv4-1',
      'out-ipv4-2',
      'out-ipv4-3',
      'out-ipv4-4',
    ]);
  });

  it('fails with the last round when the rounds stop passing before the bound', async () => {
    const env = rounds((n) => n === 1);
    const { result, detail } = await runSteps(env, SETUP + step, { convergence: 300 });
    expect(result.status).toBe('failed');
    expect(detail).toMatch(
      new RegExp(
        `^out/ipv4: expected every packet to peer ${PEER_IPV4}:8080 from the LoadBalancer IP .*; tried for [\\d.]+ m?s \\(\\d+ rounds\\)\\n {2}9/9 packets to ${PEER_IPV4}:8080/tcp had source .*expected the LoadBalancer IP `,
      ),
    );
    expect(env.probes.length).toBeGreaterThan(2);
  });
});

describe('measure: failover', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /**
   * The clock stands still at T0, so the node fails at T0; round N's packets are stamped at
   * `firstPacket(N)`, from the LoadBalancer IP when the round passes.
   */
  function failover(passes: (round: number) => boolean, firstPacket: (round: number) => number) {
    vi.spyOn(Date, 'now').mockReturnValue(T0);
    const env = fakeEnvironment();
    env.onProbe = (call) => ({
      packets: fromEachPod(
        call,
        (pod) => (passes(call.number) ? LB_IPV4 : nodeIPv4(nodeIndex(pod))),
        firstPacket(call.number),
      ),
    });
    return env;
  }
  const steps = `${SETUP}  - failNode: { node: { egressNodeOf: web } }
${probe('{ source: loadBalancerIP, service: web }', ', until: { timeout: failover, consecutive: 2 }, measure: failover')}`;

  it('measures from the failNode to the first packet of the first passing round', async () => {
    const env = failover(
      (n) => n >= 2,
      (n) => T0 + n * 1000 + 250,
    );
    const { result, evidence, detail } = await runSteps(env, steps, { failover: 10_000 });
    expect(env.failures).toEqual([{ node: 'n1', at: T0 }]);
    expect(result.status).toBe('passed');
    // Round 1 failed; round 2 passed first (its first packet at T0 + 2250), round 3 confirmed.
    expect(evidence[0]?.measurements).toEqual({ failoverMs: 2250 });
    expect(detail).toMatch(/; failover 2250ms after the node failed$/);
    expect(evidence[0]?.message).toMatch(
      /; failover: first correct packet 2250ms after the node failed \(bound 10000ms\)$/,
    );
  });

  it('starts again from a later passing round when a round fails between', async () => {
    const env = failover(
      (n) => n !== 1 && n !== 3,
      (n) => T0 + n * 1000,
    );
    const { result, evidence } = await runSteps(env, steps, { failover: 10_000 });
    expect(result.status).toBe('passed');
    expect(evidence[0]?.measurements).toEqual({ failoverMs: 4000 });
  });

  it('fails over the failover bound, naming both', async () => {
    const env = failover(
      (n) => n >= 2,
      (n) => T0 + n * 1000 + 250,
    );
    const { result } = await runSteps(env, steps, { failover: 2000 });
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /out\/ipv4: failover took 2250ms, over the bound of 2000ms; out\/ipv4: 9\/9 packets/,
    );
  });

  it('fails when no node was failed before the probe', async () => {
    const env = failover(
      () => true,
      () => T0,
    );
    const { result } = await runSteps(env, steps.replace(/ {2}- failNode.*\n/, ''), { failover: 10_000 });
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /: measure failover: no node was failed before this probe; out\/ipv4: 9\/9/,
    );
  });
});

describe('absentAt: peers the flow must not reach', () => {
  // A second client sharing the first one's address, on another network (ES-NET-4).
  const twin = {
    peers: [
      { name: 'peer', network: 'default', addresses: { ipv4: PEER_IPV4 }, asn: 64500, probePort: 8080 },
      { name: 'twin', network: 'blue', addresses: { ipv4: PEER_IPV4 }, asn: 64501, probePort: 8080 },
    ],
  };
  const step = probe('{ source: loadBalancerIP, service: web, absentAt: [twin] }');

  it('passes when the target has the flow and the other peer captured none of it', async () => {
    const env = fakeEnvironment({}, twin);
    env.onProbe = (call) => ({ packets: fromEachPod(call, () => LB_IPV4) });
    // What the other peer sees of other flows does not count: another port, another protocol.
    env.onWatch = () => [
      { src: LB_IPV4, at: T0, dstPort: 9999 },
      { src: LB_IPV4, at: T0, protocol: 'udp' },
    ];
    const { result, evidence } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('passed');
    expect(env.probes[0]?.watchPeers).toEqual(['twin']);
    expect(evidence[0]?.absentAt).toEqual([
      { peer: 'twin', capture: 'artifacts/ec-r1-judged-v4/out-ipv4-0-at-twin.pcap', packets: 0, sources: [] },
    ]);
    expect(evidence[0]?.message).toMatch(/none at peer twin/);
  });

  it('fails when some of the flow reached the other peer, though the target saw only good packets', async () => {
    const env = fakeEnvironment({}, twin);
    env.onProbe = (call) => ({ packets: fromEachPod(call, () => LB_IPV4).slice(0, 3) });
    env.onWatch = (call) => fromEachPod(call, () => LB_IPV4).slice(3);
    const { result, evidence } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('failed');
    expect(evidence[0]?.absentAt?.[0]).toMatchObject({ peer: 'twin', packets: 6, sources: [LB_IPV4] });
    expect(result.message).toMatch(
      new RegExp(
        `6 packets of the flow reached peer twin \\(from ${LB_IPV4.replace(/\./g, '\\.')}\\), which must see none`,
      ),
    );
  });

  it('refuses a peer the environment does not have, naming it', async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({ packets: fromEachPod(call, () => LB_IPV4) });
    const { result } = await runSteps(env, SETUP + step);
    expect(result.status).not.toBe('passed');
    expect(result.message).toMatch(/expect\.absentAt: the environment has no peer 'twin'/);
  });
});

describe('to: a node on another network (a secondary address)', () => {
  const step = (network: string) =>
    `  - probe: { name: in, from: { endpointsOf: web }, to: { node: { index: 1 }, network: ${network} }, port: 9090, expect: { notSource: loadBalancerIP, service: web } }\n`;

  it("sends to the node's address on that network, and judges the flow there", async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({ packets: fromEachPod(call, (pod) => nodeIPv4(nodeIndex(pod))) });
    const { result, evidence } = await runSteps(env, SETUP + step('blue'));
    expect(result.status).toBe('passed');
    expect(env.probes[0]?.target).toEqual({ kind: 'node', node: 'n1', address: blueIPv4(1) });
    expect(evidence[0]?.target).toBe(`node n1 (blue) ${blueIPv4(1)}:9090`);
  });

  it('fails when the flow to the secondary address was rewritten', async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({ packets: fromEachPod(call, () => LB_IPV4) });
    const { result } = await runSteps(env, SETUP + step('blue'));
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/9\/9 packets to .* had source 203\.0\.113\./);
  });

  it('refuses a network the scenario does not require, at its line', async () => {
    await expect(runSteps(fakeEnvironment(), SETUP + step('green'))).rejects.toThrow(
      /^\d+: steps\[2\]\.probe\.to\.network network 'green' is not one requires\.networks lists \(it lists blue\)$/,
    );
  });

  it('names the node and network when the node has no address there', async () => {
    const env = fakeEnvironment();
    for (const node of env.description.nodes) node.networkAddresses = {};
    const { result } = await runSteps(env, SETUP + step('blue'));
    expect(result.status).not.toBe('passed');
    expect(result.message).toMatch(/node n1 has no ipv4 address on network 'blue'/);
  });
});
