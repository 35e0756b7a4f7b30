/**
 * Benchmark: our capture summary against tshark field extraction and tcpdump's decoder on the same
 * generated capture (at least a million Ethernet packets of realistic sizes over many flows).
 *
 *   node --import tsx scripts/bench-capture.ts [packets]
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { summariseCapture } from '../harness/capture/summary.js';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernet,
  icmp,
  ipv4,
  ipv6,
  tcp,
  udp,
} from '../test/capture/synth.js';

const PACKETS = Number(process.argv[2] ?? 1_000_000);
const TEMPLATES = 4096;

/** Distinct frames: TCP ACKs, full-size TCP data, DNS-sized UDP, IPv6 TCP, a little ICMP. */
function templates(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < TEMPLATES; i++) {
    const client = `198.51.100.${1 + (i % 200)}`;
    const server = `203.0.113.${1 + ((i >> 3) % 50)}`;
    const port = 32768 + i;
    const kind = i % 20;
    if (kind < 8) {
      frames.push(
        ethernet(
          ETHERTYPE_IPV4,
          ipv4({ src: client, dst: server, protocol: 6, payload: tcp(port, 443, { flags: 0x10 }) }),
          { pad: true },
        ),
      );
    } else if (kind < 14) {
      frames.push(
        ethernet(
          ETHERTYPE_IPV4,
          ipv4({
            src: server,
            dst: client,
            protocol: 6,
            payload: tcp(443, port, { flags: 0x18, payload: 1460 }),
          }),
        ),
      );
    } else if (kind < 18) {
      frames.push(
        ethernet(
          ETHERTYPE_IPV4,
          ipv4({ src: client, dst: server, protocol: 17, payload: udp(port, 53, 60) }),
        ),
      );
    } else if (kind < 19) {
      const payload = tcp(port, 8080, { flags: 0x18, payload: 520 });
      frames.push(
        ethernet(
          ETHERTYPE_IPV6,
          ipv6({ src: `2001:db8::${(i % 500).toString(16)}`, dst: '2001:db8:1::10', protocol: 6, payload }),
        ),
      );
    } else {
      frames.push(
        ethernet(
          ETHERTYPE_IPV4,
          ipv4({ src: client, dst: server, protocol: 1, payload: icmp(8, 0, new Uint8Array(56)) }),
        ),
      );
    }
  }
  return frames;
}

/** Writes a classic little-endian microsecond pcap in 8 MiB blocks. */
function writeCapture(file: string, count: number): void {
  const frames = templates();
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(8 << 20);
  let used = 0;
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  let state = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    // A cheap xorshift picks the next frame, so flows interleave as on a real link.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const frame = frames[(state >>> 0) % TEMPLATES]!;
    if (used + 16 + frame.length > block.length) {
      writeSync(fd, block, 0, used);
      used = 0;
    }
    block.writeUInt32LE(1_700_000_000 + Math.floor(i / 100_000), used);
    block.writeUInt32LE((i * 10) % 1_000_000, used + 4);
    block.writeUInt32LE(frame.length, used + 8);
    block.writeUInt32LE(frame.length, used + 12);
    block.set(frame, used + 16);
    used += 16 + frame.length;
  }
  writeSync(fd, block, 0, used);
  closeSync(fd);
}

/** Runs a command with its output going to /dev/null, returning the seconds it took. */
function timeCommand(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${command} exited with ${code}`));
      else resolve((performance.now() - started) / 1000);
    });
  });
}

function row(name: string, seconds: number, ours: number): string {
  const rate = Math.round(PACKETS / seconds).toLocaleString('en-US');
  const ratio = name === 'ours (summary)' ? '1.0x' : `ours ${(seconds / ours).toFixed(1)}x faster`;
  return `${name.padEnd(34)} ${seconds.toFixed(2).padStart(8)} s ${rate.padStart(13)} packets/s   ${ratio}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ec-bench-'));
  try {
    const file = join(dir, 'bench.pcap');
    const t0 = performance.now();
    writeCapture(file, PACKETS);
    const size = statSync(file).size;
    console.log(
      `generated ${PACKETS.toLocaleString('en-US')} packets, ${(size / 2 ** 20).toFixed(0)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // Warm-up pass (page cache, JIT), then the measured one.
    await summariseCapture(file);
    const rssBefore = process.memoryUsage().rss;
    const s0 = performance.now();
    const summary = await summariseCapture(file);
    const ours = (performance.now() - s0) / 1000;
    const rssGrowth = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    if (summary.packets !== PACKETS) throw new Error(`read ${summary.packets} packets, wrote ${PACKETS}`);
    const fields = [
      'ip.src',
      'ip.dst',
      'ipv6.src',
      'ipv6.dst',
      'ip.proto',
      'tcp.srcport',
      'tcp.dstport',
      'udp.srcport',
      'udp.dstport',
    ];
    const tshark = await timeCommand('tshark', [
      '-r',
      file,
      '-n',
      '-T',
      'fields',
      ...fields.flatMap((f) => ['-e', f]),
    ]);
    const tcpdump = await timeCommand('tcpdump', ['-nr', file]);
    console.log(
      `flows: ${summary.flows.length}; resident memory grew by ${rssGrowth.toFixed(1)} MiB while reading`,
    );
    console.log(row('ours (summary)', ours, ours));
    console.log(row('tshark -T fields (ip/port fields)', tshark, ours));
    console.log(row('tcpdump -nr', tcpdump, ours));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
