/**
 * Source-IP verdicts on captures with known sources: pass, fail with the offenders listed, and
 * no-traffic, for both families, plus replies and bad probe definitions.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  countReplies,
  judgeProbeSource,
  judgeSourceIp,
  ProbeDefinitionError,
  probeSources,
} from '../../harness/verdict/source-ip.js';
import { scratchDir } from './helpers.js';
import {
  cookedV2,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernet,
  ipv4,
  ipv6,
  pcapFile,
  pcapngFile,
  type SynthPacket,
  tcp,
  udp,
} from './synth.js';

const dir = scratchDir('verdict');
afterAll(() => dir.remove());

const TARGET = '203.0.113.10';
const LB = '198.51.100.7';
const NODE = '172.18.0.3';
const PROBE = { targetAddress: TARGET, port: 8080, protocol: 'tcp', family: 'ipv4' } as const;
const EXPECT_LB = { expectedSource: LB, expectedLabel: 'the LoadBalancer IP' };

/** A TCP connection's packets toward the target (SYN, ACK, data, FIN) and the replies. */
function connection(src: string, srcPort: number, at: number): SynthPacket[] {
  const toward = (flags: number, payload = 0) =>
    ethernet(
      ETHERTYPE_IPV4,
      ipv4({ src, dst: TARGET, protocol: 6, payload: tcp(srcPort, 8080, { flags, payload }) }),
    );
  const back = (flags: number) =>
    ethernet(
      ETHERTYPE_IPV4,
      ipv4({ src: TARGET, dst: src, protocol: 6, payload: tcp(8080, srcPort, { flags }) }),
    );
  return [toward(0x02), back(0x12), toward(0x10), toward(0x18, 64), back(0x10), toward(0x11), back(0x11)].map(
    (data, i) => ({ data, seconds: 1_700_000_000 + at, nanoseconds: i * 1_000_123 }),
  );
}

/** Noise that must not count: other ports, other protocol, other targets. */
function noise(): SynthPacket[] {
  return [
    ethernet(ETHERTYPE_IPV4, ipv4({ src: NODE, dst: TARGET, protocol: 6, payload: tcp(40000, 8081) })),
    ethernet(ETHERTYPE_IPV4, ipv4({ src: NODE, dst: TARGET, protocol: 17, payload: udp(40000, 8080) })),
    ethernet(
      ETHERTYPE_IPV4,
      ipv4({ src: NODE, dst: '203.0.113.11', protocol: 6, payload: tcp(40000, 8080) }),
    ),
  ].map((data) => ({ data }));
}

describe('judgeSourceIp', () => {
  it('passes when every probe packet comes from the expected source', async () => {
    const file = dir.write(
      'pass.pcap',
      pcapFile({ linkType: 1 }, [...connection(LB, 40001, 0), ...noise(), ...connection(LB, 40002, 1)]),
    );
    const verdict = await judgeSourceIp(file, PROBE, EXPECT_LB);
    expect(verdict).toMatchObject({
      status: 'pass',
      total: 8,
      matched: 8,
      offenders: [],
      sources: { [LB]: 8 },
    });
    expect(verdict.message).toBe(
      `8/8 packets to ${TARGET}:8080/tcp had source the LoadBalancer IP ${LB} (capture: ${file})`,
    );
  });

  it('fails with every offender in the result and at most five in the message', async () => {
    const packets = [
      ...connection(LB, 40001, 0),
      ...connection(NODE, 50001, 1),
      ...connection(NODE, 50002, 2),
      ...noise(),
      ...connection('172.18.0.4', 50003, 3),
    ];
    const file = dir.write('fail.pcap', pcapFile({ linkType: 1, nano: true }, packets));
    const verdict = await judgeSourceIp(file, PROBE, EXPECT_LB);
    expect(verdict.status).toBe('fail');
    expect(verdict).toMatchObject({
      total: 16,
      matched: 4,
      sources: { [LB]: 4, [NODE]: 8, '172.18.0.4': 4 },
    });
    expect(verdict.offenders).toHaveLength(12);
    expect(verdict.offenders[0]).toEqual({
      time: '2023-11-14T22:13:21.000000000Z',
      src: NODE,
      dst: TARGET,
      srcPort: 50001,
      dstPort: 8080,
    });
    expect(verdict.offenders[1]!.time).toBe('2023-11-14T22:13:21.002000246Z');
    expect(verdict.message).toMatch(
      new RegExp(
        `^12/16 packets to ${TARGET}:8080/tcp had source ${NODE} \\(8\\), 172\\.18\\.0\\.4 \\(4\\), expected the LoadBalancer IP ${LB} \\(capture: ${file}\\); offenders: `,
      ),
    );
    expect(verdict.message.match(/ -> /g)).toHaveLength(5);
    expect(verdict.message).toMatch(/, and 7 more$/);
  });

  it('names the single wrong source as in the brief', async () => {
    const packets = [...connection(NODE, 50001, 1)];
    const verdict = await judgeSourceIp(
      dir.write('one.pcap', pcapFile({ linkType: 1 }, packets)),
      PROBE,
      EXPECT_LB,
    );
    expect(verdict.message).toContain(
      `4/4 packets to ${TARGET}:8080/tcp had source ${NODE}, expected the LoadBalancer IP ${LB}`,
    );
  });

  it('says no-traffic, never pass, when no probe packet was captured', async () => {
    const file = dir.write('none.pcap', pcapFile({ linkType: 1 }, noise()));
    const verdict = await judgeSourceIp(file, PROBE, EXPECT_LB);
    expect(verdict).toMatchObject({ status: 'no-traffic', total: 0, matched: 0, offenders: [], sources: {} });
    expect(verdict.message).toBe(`no probe traffic seen: 0 packets to ${TARGET}:8080/tcp in ${file}`);
  });

  it('compares IPv6 addresses in canonical form, on any link type', async () => {
    const target = '2001:db8::10';
    const packets = [
      cookedV2(
        ETHERTYPE_IPV6,
        ipv6({ src: '2001:db8::7', dst: target, protocol: 17, payload: udp(5000, 53) }),
      ),
      cookedV2(
        ETHERTYPE_IPV6,
        ipv6({ src: '2001:db8::7', dst: target, protocol: 17, payload: udp(5001, 53) }),
      ),
      cookedV2(
        ETHERTYPE_IPV6,
        ipv6({ src: '2001:db8::99', dst: target, protocol: 17, payload: udp(5002, 53) }),
      ),
    ];
    const file = dir.write(
      'v6.pcapng',
      pcapngFile([
        {
          interfaces: [{ linkType: 276, tsresol: 9 }],
          blocks: packets.map((data) => ({ kind: 'epb', interfaceId: 0, packet: { data } })),
        },
      ]),
    );
    const probe = {
      targetAddress: '2001:0DB8:0:0::0010',
      port: 53,
      protocol: 'udp',
      family: 'ipv6',
    } as const;
    const verdict = await judgeSourceIp(file, probe, {
      expectedSource: '2001:DB8::0:7',
      expectedLabel: 'the LoadBalancer IP',
    });
    expect(verdict).toMatchObject({
      status: 'fail',
      total: 3,
      matched: 2,
      sources: { '2001:db8::7': 2, '2001:db8::99': 1 },
    });
    expect(verdict.offenders).toEqual([
      expect.objectContaining({ src: '2001:db8::99', dst: target, srcPort: 5002, dstPort: 53 }),
    ]);
    expect(verdict.message).toContain(
      `to [${target}]:53/udp had source 2001:db8::99, expected the LoadBalancer IP 2001:db8::7`,
    );
    expect(verdict.message).toContain('[2001:db8::99]:5002 -> [2001:db8::10]:53');
  });

  it('marks records without a timestamp', async () => {
    const file = dir.write(
      'spb.pcapng',
      pcapngFile([
        {
          interfaces: [{ linkType: 1 }],
          blocks: connection(NODE, 1, 0).map((packet) => ({ kind: 'spb', packet })),
        },
      ]),
    );
    const verdict = await judgeSourceIp(file, PROBE, EXPECT_LB);
    expect(verdict.offenders[0]!.time).toBe('unknown');
  });
});

describe('judgeProbeSource', () => {
  const file = () =>
    dir.write(
      'rule.pcap',
      pcapFile({ linkType: 1 }, [...connection(LB, 1, 0), ...connection('198.51.100.8', 2, 1)]),
    );

  it('accepts any of several sources', async () => {
    const verdict = await judgeProbeSource(file(), PROBE, {
      sources: [LB, '198.51.100.8'],
      label: 'a LoadBalancer IP',
      mode: 'equals',
    });
    expect(verdict.status).toBe('pass');
    expect(verdict.message).toContain(`had source a LoadBalancer IP ${LB} or 198.51.100.8`);
  });

  it("in 'not' mode, fails on the excluded source only", async () => {
    const verdict = await judgeProbeSource(file(), PROBE, {
      sources: [LB],
      label: 'the node IP',
      mode: 'not',
    });
    expect(verdict).toMatchObject({ status: 'fail', total: 8, matched: 4 });
    expect(verdict.offenders.every((o) => o.src === LB)).toBe(true);
    expect(verdict.message).toContain(`expected a source other than the node IP ${LB}`);
    const clean = await judgeProbeSource(file(), PROBE, {
      sources: [NODE],
      label: 'the node IP',
      mode: 'not',
    });
    expect(clean.status).toBe('pass');
    expect(clean.message).toContain(`had a source other than the node IP ${NODE} (${LB}, 198.51.100.8)`);
  });
});

describe('probeSources and countReplies', () => {
  it('count probe packets per source and replies per destination', async () => {
    const file = dir.write(
      'replies.pcap',
      pcapFile({ linkType: 1 }, [...connection(LB, 1, 0), ...connection(NODE, 2, 1), ...noise()]),
    );
    expect(await probeSources(file, PROBE)).toEqual({ total: 8, sources: { [LB]: 4, [NODE]: 4 } });
    expect(await countReplies(file, PROBE)).toEqual({ total: 6, byDestination: { [LB]: 3, [NODE]: 3 } });
  });
});

describe('probe definitions', () => {
  it('rejects bad addresses, mismatched families and bad ports', async () => {
    const file = dir.write('empty.pcap', pcapFile({ linkType: 1 }, []));
    await expect(judgeSourceIp(file, { ...PROBE, targetAddress: 'nope' }, EXPECT_LB)).rejects.toBeInstanceOf(
      ProbeDefinitionError,
    );
    await expect(judgeSourceIp(file, { ...PROBE, family: 'ipv6' }, EXPECT_LB)).rejects.toThrow(
      /not an IPv6 address/,
    );
    await expect(judgeSourceIp(file, { ...PROBE, port: 70000 }, EXPECT_LB)).rejects.toThrow(
      /not a port number/,
    );
    await expect(judgeSourceIp(file, PROBE, { ...EXPECT_LB, expectedSource: '2001:db8::1' })).rejects.toThrow(
      /expected source 2001:db8::1 is not an IPv4 address/,
    );
  });
});
