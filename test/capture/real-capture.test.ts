/**
 * Real captures: TCP, UDP, ICMP, IPv6 and fragments between two network namespaces, captured by
 * tcpdump (Ethernet, Linux cooked v1 and v2, nanosecond timestamps, a short snap length) and dumpcap
 * (pcapng with two interfaces of different link types), then read by us and by tshark.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackets } from '../../harness/capture/reader.js';
import { summariseCapture } from '../../harness/capture/summary.js';
import { countReplies, judgeSourceIp } from '../../harness/verdict/source-ip.js';
import { boundaries, scratchDir } from './helpers.js';
import { A4, A6, B4, B6, NetnsLab, TCP_PORT, UDP_PORT, writeTrafficScripts } from './netns-lab.js';
import { tsharkSummary } from './oracle.js';

const runId = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`.slice(-7);
const lab = new NetnsLab(runId);
const dir = scratchDir('real');
const file = (name: string) => join(dir.path, name);

/** Capture name -> link type it must have. */
const CAPTURES = {
  'eth.pcap': 1,
  'any-nano.pcap': 276,
  'sll1.pcap': 113,
  'snap.pcap': 1,
  'two-interfaces.pcapng': null,
} as const;

beforeAll(async () => {
  lab.up();
  const scripts = writeTrafficScripts(dir.path);
  const server = lab.start(lab.nsB, ['node', scripts.server], /ready/);
  const captures = await Promise.all([
    lab.start(lab.nsB, ['tcpdump', '-i', lab.vethB, '-U', '-w', file('eth.pcap')], /listening on/),
    lab.start(
      lab.nsB,
      ['tcpdump', '-i', 'any', '--time-stamp-precision=nano', '-U', '-w', file('any-nano.pcap')],
      /listening on/,
    ),
    lab.start(
      lab.nsB,
      ['tcpdump', '-i', 'any', '-y', 'LINUX_SLL', '-U', '-w', file('sll1.pcap')],
      /listening on/,
    ),
    lab.start(
      lab.nsA,
      ['tcpdump', '-i', lab.vethA, '-s', '60', '-U', '-w', file('snap.pcap')],
      /listening on/,
    ),
    lab.start(
      lab.nsB,
      ['dumpcap', '-i', lab.vethB, '-i', 'any', '-w', file('two-interfaces.pcapng')],
      /Capturing on/,
    ),
  ]);
  await server;
  expect(lab.run(lab.nsA, ['node', scripts.client])).toContain('done');
  // Let the last replies reach every capture before stopping them.
  await new Promise((r) => setTimeout(r, 500));
  for (const capture of captures) await lab.stop(capture);
  execFileSync('mergecap', [
    '-F',
    'pcapng',
    '-w',
    file('merged.pcapng'),
    file('eth.pcap'),
    file('any-nano.pcap'),
  ]);
  execFileSync('editcap', ['-F', 'pcapng', file('eth.pcap'), file('eth-converted.pcapng')]);
}, 90_000);

afterAll(async () => {
  await lab.down();
  dir.remove();
});

const ALL = [...Object.keys(CAPTURES), 'merged.pcapng', 'eth-converted.pcapng'];

describe('real captures against tshark', () => {
  for (const name of ALL) {
    it(name, async () => {
      const [ours, theirs] = await Promise.all([summariseCapture(file(name)), tsharkSummary(file(name))]);
      expect(ours.truncated).toBe(false);
      expect(ours.packets).toBeGreaterThan(40);
      expect(ours.packets).toBe(theirs.packets);
      expect(ours.flows).toEqual(theirs.flows);
    });
  }

  it('were written with the link types and resolutions they claim', async () => {
    for (const [name, linkType] of Object.entries(CAPTURES)) {
      if (linkType === null) continue;
      for await (const record of readPackets(file(name))) {
        expect(record.linkType, name).toBe(linkType);
        break;
      }
    }
    // tcpdump's nanosecond magic, as written in the file's own byte order.
    expect(readFileSync(file('any-nano.pcap')).readUInt32LE(0)).toBe(0xa1b23c4d);
    const linkTypes = new Set<number>();
    const interfaces = new Set<number>();
    for await (const record of readPackets(file('two-interfaces.pcapng'))) {
      linkTypes.add(record.linkType);
      interfaces.add(record.interfaceId);
    }
    // dumpcap's "any" pseudo-interface is Linux cooked v1, beside the veth's Ethernet.
    expect([...linkTypes].sort()).toEqual([1, 113]);
    expect([...interfaces].sort()).toEqual([0, 1]);
  });

  it('hold the traffic that was sent', async () => {
    const { flows } = await summariseCapture(file('eth.pcap'));
    const find = (src: string, dst: string, protocol: string, dstPort: number | null) =>
      flows.filter((f) => f.src === src && f.dst === dst && f.protocol === protocol && f.dstPort === dstPort);
    expect(find(A4, B4, 'tcp', TCP_PORT)).toHaveLength(5);
    expect(find(A6, B6, 'tcp', TCP_PORT)).toHaveLength(3);
    expect(find(A4, B4, 'udp', UDP_PORT).reduce((n, f) => n + f.packets, 0)).toBeGreaterThanOrEqual(5);
    expect(find(B4, A4, 'icmp', null).length).toBeGreaterThan(0);
    expect(find(B6, A6, 'icmpv6', null).length).toBeGreaterThan(0);
    // Later fragments of the 3000-byte datagrams: UDP without ports, both families.
    expect(find(A4, B4, 'udp', null).length).toBe(1);
    expect(find(A6, B6, 'udp', null).length).toBe(1);
  });

  it('gives the same flows for one capture in every container format', async () => {
    const pcap = await summariseCapture(file('eth.pcap'));
    expect(await summariseCapture(file('eth-converted.pcapng'))).toEqual(pcap);
  });
});

describe('verdicts on a real capture', () => {
  const probe = { targetAddress: B4, port: TCP_PORT, protocol: 'tcp', family: 'ipv4' } as const;

  it('passes when every probe packet has the expected source', async () => {
    const verdict = await judgeSourceIp(file('eth.pcap'), probe, {
      expectedSource: A4,
      expectedLabel: 'the client',
    });
    expect(verdict.status).toBe('pass');
    expect(verdict.total).toBeGreaterThanOrEqual(5 * 4);
    expect(verdict.matched).toBe(verdict.total);
    expect(verdict.sources).toEqual({ [A4]: verdict.total });
  });

  it('fails with every offender listed when the source is another', async () => {
    const verdict = await judgeSourceIp(file('any-nano.pcap'), probe, {
      expectedSource: '198.51.100.7',
      expectedLabel: 'the LoadBalancer IP',
    });
    expect(verdict.status).toBe('fail');
    expect(verdict.offenders).toHaveLength(verdict.total);
    expect(verdict.offenders[0]).toMatchObject({ src: A4, dst: B4, dstPort: TCP_PORT });
    expect(verdict.offenders[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(verdict.message).toContain(
      `${verdict.total}/${verdict.total} packets to ${B4}:${TCP_PORT}/tcp had source ${A4}, expected the LoadBalancer IP 198.51.100.7`,
    );
  });

  it('judges IPv6 probes and counts replies per destination', async () => {
    const probe6 = {
      targetAddress: '2001:DB8:0::2',
      port: TCP_PORT,
      protocol: 'tcp',
      family: 'ipv6',
    } as const;
    const verdict = await judgeSourceIp(file('two-interfaces.pcapng'), probe6, {
      expectedSource: '2001:db8:0:0:0:0:0:1',
      expectedLabel: 'the client',
    });
    expect(verdict.status).toBe('pass');
    const replies = await countReplies(file('eth.pcap'), probe6);
    expect(Object.keys(replies.byDestination)).toEqual([A6]);
    expect(replies.total).toBeGreaterThanOrEqual(3 * 3);
  });

  it('says no-traffic for a port nobody probed', async () => {
    const verdict = await judgeSourceIp(
      file('eth.pcap'),
      { ...probe, port: 9999 },
      {
        expectedSource: A4,
        expectedLabel: 'the client',
      },
    );
    expect(verdict.status).toBe('no-traffic');
    expect(verdict.message).toBe(`no probe traffic seen: 0 packets to ${B4}:9999/tcp in ${file('eth.pcap')}`);
  });
});

describe('real captures cut short', () => {
  for (const name of ['eth.pcap', 'two-interfaces.pcapng']) {
    it(`${name}, cut at 150 offsets`, async () => {
      const bytes = readFileSync(file(name));
      const whole = boundaries(bytes);
      const sorted = [...whole.keys()].sort((a, b) => a - b);
      const step = Math.max(1, Math.floor(bytes.length / 150));
      for (let cut = 4; cut < bytes.length; cut += step) {
        const summary = await summariseCapture(dir.write('cut.pcap', bytes.subarray(0, cut)));
        const lastWhole = sorted.filter((b) => b <= cut).at(-1);
        expect(summary.truncated, `cut at ${cut}`).toBe(!whole.has(cut));
        expect(summary.packets, `cut at ${cut}`).toBe(lastWhole === undefined ? 0 : whole.get(lastWhole));
      }
      const middle = Math.floor(bytes.length / 2) + 1;
      const cutFile = dir.write('cut-middle', bytes.subarray(0, middle));
      const [ours, theirs] = await Promise.all([summariseCapture(cutFile), tsharkSummary(cutFile)]);
      expect(ours).toMatchObject({
        packets: theirs.packets,
        truncated: !whole.has(middle),
        flows: theirs.flows,
      });
    });
  }
});
