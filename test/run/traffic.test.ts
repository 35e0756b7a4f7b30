/**
 * startTraffic / stopTraffic's judging on captures the test writes: packets sent before
 * status.host was published are counted, not judged; every later one must have the source; the
 * leak window runs from the publication to the last offending packet.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeEnvironment, FakePacket } from '../support/fake-environment.js';
import { LB_IPV4, packetsFrom } from '../support/fake-environment.js';
import { fakeEnvironment, nodeIPv4, PEER_IPV4, runSteps } from './fake-run.js';

/** The clock stands still at T0: the traffic starts, and status.host is seen, at T0. */
const T0 = 1_800_000_000_000;

beforeEach(() => {
  vi.spyOn(Date, 'now').mockReturnValue(T0);
});
afterEach(() => {
  vi.restoreAllMocks();
});

function steps(watch: boolean): string {
  return `  - apply: [web, service]
  - wait: { condition: { podsReady: { pods: { app: web }, count: 3 } }, timeout: podsReady, consecutive: 1 }
  - startTraffic: { name: leak, from: { endpointsOf: web }, to: { peer: peer }${watch ? ', watch: web' : ''} }
  - apply: [egress-service]
  - expect: { condition: { serviceIngress: { service: web } }, throughout: negativeWindow }
  - stopTraffic: { name: leak, expect: { source: loadBalancerIP, service: web } }
`;
}

/** The background capture: packets from the node IP before T0, then `after`. */
function captured(env: FakeEnvironment, after: FakePacket[]): void {
  env.onProbe = (call) => {
    expect(call.request.continuous).toBeDefined();
    return { packets: [...packetsFrom(nodeIPv4(1), 3, T0 - 300, 100), ...after] };
  };
}

async function run(env: FakeEnvironment, watch = true) {
  // The window gives the watcher (reading every 20ms) time to see status.host.
  return runSteps(env, steps(watch), { negativeWindow: 300 });
}

describe('stopTraffic with watch', () => {
  it('passes when every packet after the publication has the source, whatever came before', async () => {
    const env = fakeEnvironment();
    captured(env, packetsFrom(LB_IPV4, 6, T0 + 10));
    const { result, evidence } = await run(env);
    expect(result.status).toBe('passed');
    expect(evidence).toEqual([
      expect.objectContaining({
        probe: 'leak',
        protocol: 'udp',
        target: `peer ${PEER_IPV4}:8080`,
        expected: `the LoadBalancer IP ${LB_IPV4} after status.host of web was published`,
        totalPackets: 6,
        matchedPackets: 6,
        offenders: [],
        passed: true,
        measurements: {
          trafficMs: 0,
          packetsBeforePublication: 3,
          packetsAfterPublication: 6,
          leakedPackets: 0,
          leakWindowMs: 0,
          publishedAfterMs: 0,
        },
      }),
    ]);
    expect(evidence[0]?.message).toMatch(
      new RegExp(
        `^leak/ipv4: 6/6 packets to ${PEER_IPV4}:8080/udp sent after 2027-01-15T08:00:00.000Z had source the LoadBalancer IP ${LB_IPV4}; 3 earlier packets not judged .*\\(status.host n1\\)$`,
      ),
    );
    expect(env.probes[0]).toMatchObject({
      id: 'leak-ipv4',
      protocol: 'udp',
      continuous: { intervalMs: 100 },
    });
  });

  it('fails on packets leaked after the publication, with the leak window to the last of them', async () => {
    const env = fakeEnvironment();
    captured(env, [
      { src: nodeIPv4(1), at: T0 + 10, srcPort: 41001 },
      // The last offender 40.5ms after the publication: a window of 41ms, rounded.
      { src: nodeIPv4(2), at: T0 + 40.5, srcPort: 41002 },
      ...packetsFrom(LB_IPV4, 6, T0 + 60),
    ]);
    const { result, evidence } = await run(env);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      `leak/ipv4: 2/8 packets to ${PEER_IPV4}:8080/udp sent after 2027-01-15T08:00:00.000Z had source ${nodeIPv4(1)}, ${nodeIPv4(2)}, ` +
        `expected the LoadBalancer IP ${LB_IPV4}; leak window 41ms; 3 earlier packets not judged (capture: `,
    );
    expect(result.message).toMatch(
      `offenders: 2027-01-15T08:00:00.010000000Z ${nodeIPv4(1)}:41001; 2027-01-15T08:00:00.040500000Z ${nodeIPv4(2)}:41002 (status.host n1)`,
    );
    expect(evidence[0]).toMatchObject({
      totalPackets: 8,
      matchedPackets: 6,
      offenders: [{ src: nodeIPv4(1) }, { src: nodeIPv4(2) }],
      measurements: { packetsBeforePublication: 3, leakedPackets: 2, leakWindowMs: 41 },
    });
  });

  it('fails when status.host is never published while the traffic runs', async () => {
    const env = fakeEnvironment({ egressNode: null });
    captured(env, packetsFrom(LB_IPV4, 6, T0 + 10));
    const { result, evidence } = await run(env);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      /: EgressService web never published status.host while the traffic ran; leak\/ipv4: /,
    );
    expect(evidence[0]?.measurements).not.toHaveProperty('leakWindowMs');
  });
});

describe('stopTraffic without watch', () => {
  it('judges every packet: the early node-IP packets fail it', async () => {
    const env = fakeEnvironment();
    captured(env, packetsFrom(LB_IPV4, 6, T0 + 10));
    const { result, evidence } = await run(env, false);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      `leak/ipv4: 3/9 packets to ${PEER_IPV4}:8080/udp had source ${nodeIPv4(1)}, expected the LoadBalancer IP ${LB_IPV4}; leak window 0ms (capture: `,
    );
    expect(evidence[0]?.measurements).toMatchObject({ packetsBeforePublication: 0, leakedPackets: 3 });
    expect(evidence[0]?.measurements).not.toHaveProperty('leakWindowMs');
  });

  it('passes when every packet has the source', async () => {
    const env = fakeEnvironment();
    env.onProbe = () => ({ packets: packetsFrom(LB_IPV4, 6, T0 - 300) });
    const { result } = await run(env, false);
    expect(result.status).toBe('passed');
  });
});
