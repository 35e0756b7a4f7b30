/**
 * tshark as an independent oracle: runs Wireshark's dissectors over a file and rebuilds the summary
 * our reader should produce (packet count and flows in order of first appearance).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CaptureSummary } from '../../harness/capture/summary.js';

const run = promisify(execFile);

const FIELDS = [
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ip.frag_offset',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.nxt',
  'ipv6.hopopts.nxt',
  'ipv6.routing.nxt',
  'ipv6.dstopts.nxt',
  'ipv6.fraghdr.nxt',
  'ipv6.fraghdr.offset',
  'ah.next_header',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'sctp.srcport',
  'sctp.dstport',
] as const;
type Field = (typeof FIELDS)[number];

const NAMES: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'icmpv6', '132': 'sctp' };
const PORTED: Record<string, string> = { '6': 'tcp', '17': 'udp', '132': 'sctp' };
/** IPv6 extension header -> the field holding its Next Header value. */
const EXTENSION_NEXT: Record<string, Field> = {
  '0': 'ipv6.hopopts.nxt',
  '43': 'ipv6.routing.nxt',
  '60': 'ipv6.dstopts.nxt',
  '44': 'ipv6.fraghdr.nxt',
  '51': 'ah.next_header',
};

type FlowFields = Omit<CaptureSummary['flows'][number], 'packets'>;

export interface OracleResult extends Omit<CaptureSummary, 'truncated'> {
  /** Each frame's flow (null for frames without IP), in file order. */
  frames: (FlowFields | null)[];
  /** tshark said the file was cut short in the middle of a packet. */
  cutShort: boolean;
  stderr: string;
}

/**
 * Runs tshark without reassembly (each frame on its own, as our reader sees it) and takes every field
 * with all occurrences, so outer headers (first occurrence) can be told from headers quoted inside
 * ICMP errors or tunnels.
 */
export async function tsharkSummary(file: string): Promise<OracleResult> {
  const args = [
    '-r',
    file,
    '-n',
    '-o',
    'tcp.desegment_tcp_streams:FALSE',
    '-o',
    'ip.defragment:FALSE',
    '-o',
    'ipv6.defragment:FALSE',
    '-T',
    'fields',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
    '-E',
    'separator=/t',
    ...FIELDS.flatMap((f) => ['-e', f]),
  ];
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run('tshark', args, { maxBuffer: 1 << 28 }));
  } catch (err) {
    // tshark exits non-zero on a cut-short file but still prints every whole frame.
    const e = err as { stdout?: string; stderr?: string };
    if (e.stdout === undefined) throw err;
    stdout = e.stdout;
    stderr = e.stderr ?? '';
  }
  const lines = stdout.split('\n').filter((line) => line !== '');
  const order: string[] = [];
  const counts = new Map<string, CaptureSummary['flows'][number]>();
  const frames = lines.map((line) => {
    const columns = line.split('\t');
    return flowOf((f: Field): string[] => {
      const v = columns[FIELDS.indexOf(f)] ?? '';
      return v === '' ? [] : v.split(',');
    });
  });
  for (const flow of frames) {
    if (flow === null) continue;
    const key = JSON.stringify(flow);
    const known = counts.get(key);
    if (known) known.packets++;
    else {
      order.push(key);
      counts.set(key, { ...flow, packets: 1 });
    }
  }
  return {
    packets: lines.length,
    flows: order.map((k) => counts.get(k)!),
    frames,
    cutShort: /cut short in the middle of a packet/.test(stderr),
    stderr,
  };
}

type Values = (f: Field) => string[];

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the tshark oracle maps every protocol's fields in one place
function flowOf(values: Values): FlowFields | null {
  const layers = values('frame.protocols')[0]?.split(':') ?? [];
  const network = layers.findIndex((l) => l === 'ip' || l === 'ipv6');
  if (network < 0) return null;
  let src: string | undefined;
  let dst: string | undefined;
  let protocol: string | undefined;
  let firstFragment = true;
  if (layers[network] === 'ip') {
    src = values('ip.src')[0];
    dst = values('ip.dst')[0];
    protocol = values('ip.proto')[0];
    firstFragment = (values('ip.frag_offset')[0] ?? '0') === '0';
  } else {
    src = values('ipv6.src')[0];
    dst = values('ipv6.dst')[0];
    // Follow the chain of Next Header values: each extension header's own field says what follows.
    protocol = values('ipv6.nxt')[0];
    const used = new Map<Field, number>();
    for (let hops = 0; protocol !== undefined && hops < 16; hops++) {
      const field = EXTENSION_NEXT[protocol];
      if (field === undefined) break;
      const n = used.get(field) ?? 0;
      const next = values(field)[n];
      if (next === undefined) break;
      used.set(field, n + 1);
      if (field === 'ipv6.fraghdr.nxt' && (values('ipv6.fraghdr.offset')[n] ?? '0') !== '0')
        firstFragment = false;
      protocol = next;
      if (!firstFragment) break;
    }
  }
  if (src === undefined || dst === undefined || protocol === undefined) return null;
  const transport = PORTED[protocol];
  let srcPort: number | null = null;
  let dstPort: number | null = null;
  // Ports only from a transport header tshark dissected right here, not from one quoted in an ICMP
  // error further in.
  if (transport !== undefined && firstFragment && layers.includes(transport)) {
    const s = values(`${transport}.srcport` as Field)[0];
    const d = values(`${transport}.dstport` as Field)[0];
    if (s !== undefined && d !== undefined) {
      srcPort = Number(s);
      dstPort = Number(d);
    }
  }
  return { src, dst, protocol: NAMES[protocol] ?? protocol, srcPort, dstPort };
}

/** Each frame's timestamp as tshark prints `frame.time_epoch` (seconds with nine decimals). */
export async function tsharkTimes(file: string): Promise<string[]> {
  const { stdout } = await run('tshark', ['-r', file, '-n', '-T', 'fields', '-e', 'frame.time_epoch'], {
    maxBuffer: 1 << 26,
  });
  // A frame without a timestamp prints an empty line: keep it, drop only the final newline.
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Each frame's ICMP message type as tshark dissects it, for the family's own ICMP only: ICMP
 * (`icmp.type`) right on an IPv4 header, ICMPv6 (`icmpv6.type`) on an IPv6 header or its
 * extension headers; null for anything else (other protocols, later fragments, a header tshark
 * could not read the type of). The first occurrence is the outer message, not one quoted in an
 * error.
 */
export async function tsharkIcmpTypes(file: string): Promise<(number | null)[]> {
  const args = [
    '-r',
    file,
    '-n',
    '-o',
    'ip.defragment:FALSE',
    '-o',
    'ipv6.defragment:FALSE',
    '-T',
    'fields',
    '-E',
    'occurrence=f',
    '-E',
    'separator=/t',
    '-e',
    'frame.protocols',
    '-e',
    'icmp.type',
    '-e',
    'icmpv6.type',
  ];
  const { stdout } = await run('tshark', args, { maxBuffer: 1 << 26 });
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => {
    const [protocols = '', icmpType = '', icmpv6Type = ''] = line.split('\t');
    const layers = protocols.split(':');
    const network = layers.findIndex((l) => l === 'ip' || l === 'ipv6');
    if (network < 0) return null;
    // The first layer after the network header (and, for IPv6, its extension headers).
    const upper = layers.slice(network + 1).find((l) => !l.startsWith('ipv6.'));
    if (layers[network] === 'ip' && upper === 'icmp' && icmpType !== '') return Number(icmpType);
    if (layers[network] === 'ipv6' && upper === 'icmpv6' && icmpv6Type !== '') return Number(icmpv6Type);
    return null;
  });
}
