/**
 * ICMP echo probes judged from captures the test writes: every echo request to the target must
 * carry the expected source (replies and other ICMP messages are not the probe's), one from the
 * node IP fails the probe naming it, and `completes` counts the echo replies the client saw.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../harness/env/environment.js';
import {
  type FakePacket,
  LB_IPV4,
  LB_IPV6,
  type ProbeCall,
  packetsFrom,
} from '../support/fake-environment.js';
import { fakeEnvironment, nodeIPv4, nodeIPv6, PEER_IPV4, PEER_IPV6, runSteps, SETUP } from './fake-run.js';

const T0 = 1_800_000_000_000;

const step = `  - probe: { name: ping, from: { endpointsOf: web }, to: { peer: peer }, protocol: icmp, expect: { source: loadBalancerIP, service: web, completes: true } }\n`;

function nodeIndex(pod: KubeObject): number {
  return Number((pod.spec as { nodeName: string }).nodeName.slice(1));
}

/** Three echo requests from each source pod, from the address `addressOf` gives it. */
function echoesFrom(call: ProbeCall, addressOf: (pod: KubeObject) => string): FakePacket[] {
  return call.sources.flatMap((pod, i) =>
    packetsFrom(addressOf(pod), 3, T0 + i * 100).map((p) => ({ ...p, protocol: 'icmp' as const })),
  );
}

describe('protocol: icmp', () => {
  it('passes when every echo request has the LoadBalancer IP; replies, errors and other protocols are not judged', async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({
      packets: [
        ...echoesFrom(call, () => LB_IPV4),
        // The peer's echo replies, to the LoadBalancer IP.
        { src: PEER_IPV4, dst: LB_IPV4, at: T0 + 1, protocol: 'icmp', icmpType: 0 },
        // Not echo requests to the target: an error from the node, TCP and UDP from the node.
        { src: nodeIPv4(1), at: T0 + 2, protocol: 'icmp', icmpType: 3 },
        { src: nodeIPv4(1), at: T0 + 3, protocol: 'tcp', dstPort: 8080 },
        { src: nodeIPv4(1), at: T0 + 4, protocol: 'udp', dstPort: 8080 },
        // An echo request to another address.
        { src: nodeIPv4(1), dst: '198.51.100.99', at: T0 + 5, protocol: 'icmp' },
      ],
    });
    const { result, evidence } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('passed');
    expect(evidence[0]).toMatchObject({
      protocol: 'icmp',
      target: `peer ${PEER_IPV4}`,
      totalPackets: 9,
      matchedPackets: 9,
      sources: { [LB_IPV4]: 9 },
      offenders: [],
      attempts: 9,
      attemptsOk: 9,
      passed: true,
    });
    expect(evidence[0]?.message).toMatch(
      new RegExp(`^ping/ipv4: 9/9 packets to ${PEER_IPV4}/icmp had source the LoadBalancer IP ${LB_IPV4}`),
    );
    expect(env.probes[0]).toMatchObject({
      protocol: 'icmp',
      attempts: 3,
      target: { kind: 'peer', peer: 'peer' },
    });
  });

  it('fails on one echo request from the node IP, naming the source and the offender', async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({
      packets: [...echoesFrom(call, () => LB_IPV4), { src: nodeIPv4(1), at: T0 + 500, protocol: 'icmp' }],
    });
    const { result, evidence } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      new RegExp(
        `ping/ipv4: expected every packet to peer ${PEER_IPV4} from the LoadBalancer IP ${LB_IPV4}; ` +
          `1 node sent 1 packet with its node IP \\(n1 ${nodeIPv4(1)}: 1\\), 9 with the LoadBalancer IP ${LB_IPV4}; ` +
          'tried once \\([\\d.]+ m?s\\)\\n[^]*' +
          `1/10 packets to ${PEER_IPV4}/icmp had source ${nodeIPv4(1)}, expected the LoadBalancer IP ${LB_IPV4} ` +
          `\\(capture: .*ping-ipv4-0\\.pcap\\); offenders: 2027-01-15T08:00:00\\.500000000Z ${nodeIPv4(1)} -> ${PEER_IPV4}$`,
      ),
    );
    expect(evidence[0]).toMatchObject({
      totalPackets: 10,
      matchedPackets: 9,
      offenders: [{ src: nodeIPv4(1), dst: PEER_IPV4, srcPort: null, dstPort: null }],
      passed: false,
    });
  });

  it('judges ICMPv6 echo requests by their IPv6 sources', async () => {
    const env = fakeEnvironment({}, { families: ['ipv6'] });
    env.onProbe = (call) => ({ packets: echoesFrom(call, () => LB_IPV6) });
    const passed = await runSteps(env, SETUP + step);
    expect(passed.result.status).toBe('passed');
    expect(passed.evidence[0]?.message).toMatch(`9/9 packets to ${PEER_IPV6}/icmp had source`);
    env.onProbe = (call) => ({ packets: echoesFrom(call, (pod) => nodeIPv6(nodeIndex(pod))) });
    const failed = await runSteps(env, SETUP + step);
    expect(failed.result.status).toBe('failed');
    expect(failed.result.message).toMatch(
      `9/9 packets to ${PEER_IPV6}/icmp had source ${nodeIPv6(0)} (3), ${nodeIPv6(1)} (3), ${nodeIPv6(2)} (3), expected the LoadBalancer IP ${LB_IPV6}`,
    );
  });

  it('fails on echo replies alone: no echo request reached the target', async () => {
    const env = fakeEnvironment();
    env.onProbe = () => ({
      packets: [{ src: PEER_IPV4, dst: LB_IPV4, at: T0, protocol: 'icmp', icmpType: 0 }],
    });
    const { result } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(`\n  no probe traffic seen: 0 packets to ${PEER_IPV4}/icmp in `);
    expect(result.message?.split('\n')[0]).toMatch(
      /ping\/ipv4: no probe traffic seen: 0 packets to peer [\d.]+; tried once/,
    );
  });

  it('fails completes when an echo request got no reply, naming the address without a port', async () => {
    const env = fakeEnvironment();
    env.onProbe = (call) => ({
      packets: echoesFrom(call, () => LB_IPV4),
      attempt: (pod) =>
        pod === 'web-1' ? { ok: false, error: 'icmp 198.51.100.10: timed out' } : { ok: true },
    });
    const { result } = await runSteps(env, SETUP + step);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(
      `3/9 icmp attempts to ${PEER_IPV4} got no reply (web-1 on n1: icmp 198.51.100.10: timed out;`,
    );
  });
});
