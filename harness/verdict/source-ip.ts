import { PacketDecoder } from '../capture/decode.js';
import { type DecodedPacket, NO_PORT } from '../capture/ip.js';
import { type ReadOptions, scanCapture } from '../capture/reader.js';
import { formatIsoTime, type PacketTime } from '../capture/timestamps.js';
import { AddressCounter } from './address-counter.js';
import { type ProbeFlow, ProbeMatcher, parseProbeAddress } from './probe-flow.js';

export { ProbeDefinitionError, type ProbeFlow } from './probe-flow.js';

/** Which source the probe flow must carry, and how to name it in messages. */
export interface SourceExpectation {
  expectedSource: string;
  /** E.g. "the LoadBalancer IP". */
  expectedLabel: string;
}

/**
 * The general form: the probe's sources must be one of `sources` (`equals`), or none of them
 * (`not`, e.g. "not the node IP").
 */
export interface SourceRule {
  sources: string[];
  /** Names the addresses in messages, e.g. "the LoadBalancer IP". */
  label: string;
  mode: 'equals' | 'not';
}

/** A probe packet whose source broke the rule. */
export interface Offender {
  /** ISO 8601 with nanoseconds; `unknown` for records without a timestamp (pcapng simple packets). */
  time: string;
  src: string;
  dst: string;
  srcPort: number | null;
  dstPort: number | null;
}

/** One offending packet as verdicts report it. */
export function offenderOf(p: DecodedPacket, time: PacketTime | null, src: string, dst: string): Offender {
  return {
    time: time === null ? 'unknown' : formatIsoTime(time),
    src,
    dst,
    srcPort: p.srcPort === NO_PORT ? null : p.srcPort,
    dstPort: p.dstPort === NO_PORT ? null : p.dstPort,
  };
}

export interface SourceVerdict {
  /** `no-traffic` when not a single probe packet was seen: never a pass. */
  status: 'pass' | 'fail' | 'no-traffic';
  /** Probe packets: every packet to the target address and port with the probe's protocol. */
  total: number;
  /** Probe packets whose source kept the rule. */
  matched: number;
  /** Every probe packet whose source broke the rule, in capture order. */
  offenders: Offender[];
  /** Source address -> probe packets, in order of first appearance. */
  sources: Record<string, number>;
  message: string;
}

/** Offenders quoted in a message; the result object lists all of them. */
const OFFENDERS_IN_MESSAGE = 5;

function endpoint(address: string, port: number | null): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return port === null ? host : `${host}:${port}`;
}

/**
 * Judges the source addresses of the probe flow captured in `file` against a rule. For TCP every
 * packet toward the target counts (SYN, ACKs and data alike): a source rewritten for only some
 * packets of a connection is a failure too.
 */
export async function judgeProbeSource(
  file: string,
  probe: ProbeFlow,
  rule: SourceRule,
  options: ReadOptions = {},
): Promise<SourceVerdict> {
  const matcher = new ProbeMatcher(probe);
  const allowed = rule.sources.map((s) => parseProbeAddress(s, probe.family, 'expected source'));
  const wanted = rule.mode === 'equals';
  const decoder = new PacketDecoder();
  const sources = new AddressCounter();
  const offenders: Offender[] = [];
  let total = 0;
  let matched = 0;
  await scanCapture(
    file,
    (packet) => {
      const p = decoder.decode(packet);
      if (p === null || !matcher.towardTarget(p)) return;
      total++;
      const source = sources.add(p, 'src');
      if (allowed.some((a) => ProbeMatcher.sourceIs(p, a.bytes)) === wanted) {
        matched++;
        return;
      }
      offenders.push(offenderOf(p, packet.time(), sources.address(source), matcher.target));
    },
    options,
  );
  const sourceCounts = sources.toRecord();
  const named = `${rule.label} ${allowed.map((a) => a.text).join(' or ')}`;
  const expectation = wanted ? named : `a source other than ${named}`;
  let status: SourceVerdict['status'];
  let message: string;
  if (total === 0) {
    status = 'no-traffic';
    message = `no probe traffic seen: 0 packets to ${matcher.label} in ${file}`;
  } else if (matched === total) {
    status = 'pass';
    const seen = wanted ? '' : ` (${Object.keys(sourceCounts).join(', ')})`;
    message = `${total}/${total} packets to ${matcher.label} had ${wanted ? 'source ' : ''}${expectation}${seen} (capture: ${file})`;
  } else {
    status = 'fail';
    const offending = new Map<string, number>();
    for (const o of offenders) offending.set(o.src, (offending.get(o.src) ?? 0) + 1);
    const had =
      offending.size === 1
        ? [...offending.keys()][0]
        : [...offending].map(([address, count]) => `${address} (${count})`).join(', ');
    const shown = offenders
      .slice(0, OFFENDERS_IN_MESSAGE)
      .map((o) => `${o.time} ${endpoint(o.src, o.srcPort)} -> ${endpoint(o.dst, o.dstPort)}`);
    const more =
      offenders.length > OFFENDERS_IN_MESSAGE ? `, and ${offenders.length - OFFENDERS_IN_MESSAGE} more` : '';
    message =
      `${offenders.length}/${total} packets to ${matcher.label} had source ${had}, expected ${expectation} ` +
      `(capture: ${file}); offenders: ${shown.join('; ')}${more}`;
  }
  return { status, total, matched, offenders, sources: sourceCounts, message };
}

/** The single-address form: every probe packet must come from `expectedSource`. */
export function judgeSourceIp(
  file: string,
  probe: ProbeFlow,
  expectation: SourceExpectation,
  options: ReadOptions = {},
): Promise<SourceVerdict> {
  return judgeProbeSource(
    file,
    probe,
    { sources: [expectation.expectedSource], label: expectation.expectedLabel, mode: 'equals' },
    options,
  );
}

/** Which sources sent the probe flow: source address -> packets to the target. */
export async function probeSources(
  file: string,
  probe: ProbeFlow,
  options: ReadOptions = {},
): Promise<{ total: number; sources: Record<string, number> }> {
  return countMatching(file, probe, 'toward', options).then(({ total, counts }) => ({
    total,
    sources: counts,
  }));
}

/**
 * Replies from the target back to each address (packets from targetAddress:port with the probe's
 * protocol, counted per destination): proof that the probe's connections were answered.
 */
export async function countReplies(
  file: string,
  probe: ProbeFlow,
  options: ReadOptions = {},
): Promise<{ total: number; byDestination: Record<string, number> }> {
  return countMatching(file, probe, 'from', options).then(({ total, counts }) => ({
    total,
    byDestination: counts,
  }));
}

async function countMatching(
  file: string,
  probe: ProbeFlow,
  direction: 'toward' | 'from',
  options: ReadOptions,
): Promise<{ total: number; counts: Record<string, number> }> {
  const matcher = new ProbeMatcher(probe);
  const decoder = new PacketDecoder();
  const counter = new AddressCounter();
  let total = 0;
  await scanCapture(
    file,
    (packet) => {
      const p = decoder.decode(packet);
      if (p === null) return;
      if (direction === 'toward' ? matcher.towardTarget(p) : matcher.fromTarget(p)) {
        total++;
        counter.add(p, direction === 'toward' ? 'src' : 'dst');
      }
    },
    options,
  );
  return { total, counts: counter.toRecord() };
}
