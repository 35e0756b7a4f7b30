/**
 * The capture filter of an ICMP probe, applied by tcpdump itself (libpcap compiles it) to a file
 * of synthesised packets: it keeps the ICMP and ICMPv6 messages to and from the target (behind
 * IPv6 extension headers too), and nothing else; the judge picks the echo requests out of them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { captureFilter } from '../../harness/env/shared/tcpdump.js';
import { scratchDir } from '../capture/helpers.js';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernet,
  icmp,
  ipv4,
  ipv6,
  pcapFile,
  tcp,
  udp,
} from '../capture/synth.js';

const run = promisify(execFile);
const dir = scratchDir('icmp-filter');
afterAll(() => dir.remove());

/** The packets of the file tcpdump keeps with `filter`, by their index (the IP ID is not unique, the payload is). */
async function kept(names: string[], frames: Uint8Array[], filter: string): Promise<string[]> {
  const file = dir.write(
    `f-${Math.random().toString(36).slice(2)}.pcap`,
    pcapFile(
      { linkType: 1 },
      frames.map((data, i) => ({ data, seconds: i, nanoseconds: 0 })),
    ),
  );
  // Each packet's capture second is its index: tcpdump prints it with -tt.
  const { stdout } = await run('tcpdump', ['-r', file, '-nn', '-tt', filter]);
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => names[Number(l.split('.')[0])] as string);
}

const echo = (type: number) => icmp(type, 0, Uint8Array.of(0, 1, 0, 1, 0x61, 0x62));

describe('captureFilter for icmp, run by tcpdump', () => {
  it('IPv4: ICMP to and from the target, nothing else', async () => {
    const target = '198.51.100.10';
    const client = '203.0.113.1';
    const cases: Array<[string, Uint8Array]> = [
      ['request', ipv4({ src: client, dst: target, protocol: 1, payload: echo(8) })],
      ['reply', ipv4({ src: target, dst: client, protocol: 1, payload: echo(0) })],
      ['request elsewhere', ipv4({ src: client, dst: '198.51.100.99', protocol: 1, payload: echo(8) })],
      ['unreachable from target', ipv4({ src: target, dst: client, protocol: 1, payload: icmp(3, 3) })],
      ['tcp', ipv4({ src: client, dst: target, protocol: 6, payload: tcp(40000, 8080) })],
      ['udp', ipv4({ src: client, dst: target, protocol: 17, payload: udp(40000, 8080) })],
    ];
    const names = cases.map((c) => c[0]);
    const frames = cases.map((c) => ethernet(ETHERTYPE_IPV4, c[1]));
    expect(await kept(names, frames, captureFilter(target, 8080, 'icmp'))).toEqual([
      'request',
      'reply',
      'unreachable from target',
    ]);
    // The TCP and UDP filters are unchanged: the port's flow only.
    expect(await kept(names, frames, captureFilter(target, 8080, 'tcp'))).toEqual(['tcp']);
  });

  it('IPv6: ICMPv6 to and from the target, behind extension headers too, nothing else', async () => {
    const target = '2001:db8:5100::10';
    const client = '2001:db8:113::2c';
    const cases: Array<[string, Uint8Array]> = [
      ['request', ipv6({ src: client, dst: target, protocol: 58, payload: echo(128) })],
      ['reply', ipv6({ src: target, dst: client, protocol: 58, payload: echo(129) })],
      ['request elsewhere', ipv6({ src: client, dst: '2001:db8::99', protocol: 58, payload: echo(128) })],
      [
        'neighbor solicitation',
        ipv6({ src: client, dst: target, protocol: 58, payload: icmp(135, 0, new Uint8Array(20)) }),
      ],
      ['unreachable from target', ipv6({ src: target, dst: client, protocol: 58, payload: icmp(1, 4) })],
      [
        'request behind hop-by-hop',
        ipv6({ src: client, dst: target, protocol: 58, payload: echo(128), extensions: [{ type: 0 }] }),
      ],
      [
        'request, first fragment',
        ipv6({
          src: client,
          dst: target,
          protocol: 58,
          payload: echo(128),
          extensions: [{ type: 44, offset: 0, more: true }],
        }),
      ],
      ['udp', ipv6({ src: client, dst: target, protocol: 17, payload: udp(40000, 8080) })],
      [
        'udp behind hop-by-hop',
        ipv6({
          src: client,
          dst: target,
          protocol: 17,
          payload: udp(40000, 8080),
          extensions: [{ type: 0 }],
        }),
      ],
    ];
    const names = cases.map((c) => c[0]);
    const frames = cases.map((c) => ethernet(ETHERTYPE_IPV6, c[1]));
    expect(await kept(names, frames, captureFilter(target, 8080, 'icmp'))).toEqual([
      'request',
      'reply',
      'neighbor solicitation',
      'unreachable from target',
      'request behind hop-by-hop',
      'request, first fragment',
    ]);
  });
});
