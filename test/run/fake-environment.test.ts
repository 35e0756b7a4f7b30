/**
 * The fake environment's captures hold what a test scripts, read by tshark (Wireshark's
 * dissectors, an independent reader): the judging tests stand on real capture files.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEnvironment } from '../support/fake-environment.js';
import { fakeDescription, PEER_IPV4, PEER_IPV6 } from './fake-run.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-fake-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tshark(file: string): Promise<string[]> {
  const fields = [
    'ip.src',
    'ipv6.src',
    'ip.dst',
    'ipv6.dst',
    'tcp.srcport',
    'udp.srcport',
    'tcp.dstport',
    'udp.dstport',
  ];
  const { stdout } = await run('tshark', [
    '-n',
    '-r',
    file,
    '-T',
    'fields',
    '-E',
    'separator=/s',
    '-e',
    'frame.time_epoch',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim());
}

describe('FakeEnvironment captures', () => {
  it('writes the scripted packets of the probe flow, with their times, in both families', async () => {
    const env = new FakeEnvironment(fakeDescription());
    env.onProbe = ({ targetAddress }) => ({
      packets: targetAddress.includes(':')
        ? [{ src: '2001:db8:100::1', at: 1_800_000_000_250.5, srcPort: 40001 }]
        : [
            { src: '203.0.113.1', at: 1_800_000_000_000, srcPort: 40001 },
            { src: '192.0.2.11', at: 1_800_000_001_000, dstPort: 9999, srcPort: 40002, protocol: 'udp' },
          ],
    });
    const request = {
      sources: [],
      target: { kind: 'peer' as const, peer: 'peer' },
      protocol: 'tcp' as const,
      port: 8080,
      attempts: 1,
      artifactDir: dir,
      timeoutMs: 1000,
    };
    const v4 = await env.probe({ ...request, id: 'p-ipv4-0', family: 'ipv4' });
    const v6 = await env.probe({ ...request, id: 'p-ipv6-0', family: 'ipv6' });
    expect(v4.capturePath).toBe(join(dir, 'p-ipv4-0.pcap'));
    expect(v4.targetAddress).toBe(PEER_IPV4);
    expect(await tshark(v4.capturePath)).toEqual([
      `1800000000.000000000 203.0.113.1 ${PEER_IPV4} 40001 8080`,
      `1800000001.000000000 192.0.2.11 ${PEER_IPV4} 40002 9999`,
    ]);
    expect(await tshark(v6.capturePath)).toEqual([
      `1800000000.250500000 2001:db8:100::1 ${PEER_IPV6} 40001 8080`,
    ]);
  });
});
