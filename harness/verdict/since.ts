/**
 * Verdicts over time: which probe packets came after a moment (status.host published, a node
 * failed), and whether those kept a source rule. ES-LEAK-1 reads the packets after publication;
 * ES-FAIL-1's measurement reads the first packet of the first round that passed.
 */
import { PacketDecoder } from '../capture/decode.js';
import { scanCapture } from '../capture/reader.js';
import type { PacketTime } from '../capture/timestamps.js';
import { AddressCounter } from './address-counter.js';
import { type ProbeFlow, ProbeMatcher, parseProbeAddress } from './probe-flow.js';
import { type Offender, offenderOf, type SourceRule } from './source-ip.js';

/** Milliseconds since the epoch, as Date.now() counts them. */
export function packetTimeMs(time: PacketTime): number {
  return time.seconds * 1000 + time.nanoseconds / 1e6;
}

/** Time (ms since the epoch) of the first probe packet toward the target, if any. */
export async function firstProbePacketMs(file: string, probe: ProbeFlow): Promise<number | undefined> {
  const matcher = new ProbeMatcher(probe);
  const decoder = new PacketDecoder();
  let first: number | undefined;
  await scanCapture(file, (packet) => {
    if (first !== undefined) return;
    const p = decoder.decode(packet);
    const time = packet.time();
    if (p !== null && time !== null && matcher.towardTarget(p)) first = packetTimeMs(time);
  });
  return first;
}

export interface SinceVerdict {
  /** `no-traffic`: not one probe packet after the moment (never a pass). */
  status: 'pass' | 'fail' | 'no-traffic';
  /** Probe packets before the moment (not judged) and from it on. */
  before: number;
  after: number;
  matchedAfter: number;
  /** Packets from the moment on whose source broke the rule. */
  offenders: Offender[];
  /** Sources of the packets from the moment on. */
  sources: Record<string, number>;
  /** From the moment to the last offender (0 without offenders). */
  windowMs: number;
  message: string;
}

const SHOWN = 5;

/**
 * Judges the probe packets sent at or after `sinceMs` (every packet when it is undefined)
 * against an `equals` rule; packets before it are counted, not judged.
 */
export async function judgeSourceSince(
  file: string,
  probe: ProbeFlow,
  rule: Omit<SourceRule, 'mode'>,
  sinceMs: number | undefined,
): Promise<SinceVerdict> {
  const matcher = new ProbeMatcher(probe);
  const allowed = rule.sources.map((s) => parseProbeAddress(s, probe.family, 'expected source'));
  const decoder = new PacketDecoder();
  const sources = new AddressCounter();
  const offenders: Offender[] = [];
  let before = 0;
  let after = 0;
  let matchedAfter = 0;
  let lastOffenderMs: number | undefined;
  await scanCapture(file, (packet) => {
    const p = decoder.decode(packet);
    if (p === null || !matcher.towardTarget(p)) return;
    const time = packet.time();
    const ms = time === null ? undefined : packetTimeMs(time);
    if (sinceMs !== undefined && ms !== undefined && ms < sinceMs) {
      before++;
      return;
    }
    after++;
    const source = sources.add(p, 'src');
    if (allowed.some((a) => ProbeMatcher.sourceIs(p, a.bytes))) {
      matchedAfter++;
      return;
    }
    if (ms !== undefined) lastOffenderMs = ms;
    offenders.push(offenderOf(p, time, sources.address(source), matcher.target));
  });
  const windowMs =
    lastOffenderMs !== undefined && sinceMs !== undefined
      ? Math.max(0, Math.round(lastOffenderMs - sinceMs))
      : 0;
  const named = `${rule.label} ${allowed.map((a) => a.text).join(' or ')}`;
  const from = sinceMs === undefined ? '' : ` sent after ${new Date(sinceMs).toISOString()}`;
  const skipped = sinceMs === undefined ? '' : `; ${before} earlier packets not judged`;
  let status: SinceVerdict['status'];
  let message: string;
  if (after === 0) {
    status = 'no-traffic';
    message = `no probe traffic seen${from}: 0 packets to ${matcher.label} (capture: ${file})${skipped}`;
  } else if (offenders.length === 0) {
    status = 'pass';
    message = `${after}/${after} packets to ${matcher.label}${from} had source ${named}${skipped} (capture: ${file})`;
  } else {
    status = 'fail';
    const shown = offenders
      .slice(0, SHOWN)
      .map((o) => `${o.time} ${o.src}${o.srcPort === null ? '' : `:${o.srcPort}`}`)
      .join('; ');
    const more = offenders.length > SHOWN ? `, and ${offenders.length - SHOWN} more` : '';
    const offending = [...new Set(offenders.map((o) => o.src))].join(', ');
    message =
      `${offenders.length}/${after} packets to ${matcher.label}${from} had source ${offending}, expected ${named}; ` +
      `leak window ${windowMs}ms${skipped} (capture: ${file}); offenders: ${shown}${more}`;
  }
  return { status, before, after, matchedAfter, offenders, sources: sources.toRecord(), windowMs, message };
}
