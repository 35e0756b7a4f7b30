/**
 * Named timeouts. Specs and the `--timeout NAME=DURATION` flag refer to these names; the values
 * below are the defaults, chosen for a kind cluster on a laptop (the lab is much faster).
 */
import { DURATION_EXPECTED, formatDuration, parseDuration } from './duration.js';

export const TIMEOUT_DEFAULTS = {
  /** A Service of type LoadBalancer receives its ingress IP from MetalLB. */
  ingress: 60_000,
  /** Pods become ready. */
  podsReady: 180_000,
  /** An EgressService is placed (status.host and the node label appear or move). */
  placement: 60_000,
  /** The data plane follows a placement: SNAT and steering are in effect. */
  convergence: 30_000,
  /** BGP routes on the peer reflect an announcement change. */
  bgp: 60_000,
  /** A failed chosen node is replaced (ES-FAIL-1's bound). */
  failover: 60_000,
  /** Objects disappear after deletion. */
  deletion: 60_000,
  /** How long a negative check must keep holding ("nothing happens"). */
  negativeWindow: 10_000,
  /** One probe: capture up, traffic sent, capture read back. */
  probe: 60_000,
  /** A test namespace is deleted. */
  namespace: 120_000,
  /** One whole scenario for one family. */
  scenario: 900_000,
} as const;

export type TimeoutName = keyof typeof TIMEOUT_DEFAULTS;
export const TIMEOUT_NAMES = Object.keys(TIMEOUT_DEFAULTS) as TimeoutName[];
export type Timeouts = Record<TimeoutName, number>;

export function isTimeoutName(name: string): name is TimeoutName {
  return Object.hasOwn(TIMEOUT_DEFAULTS, name);
}

/** Every timeout lies within these bounds: past 24 h Node's timers overflow, 0 would end at once. */
export const TIMEOUT_MIN_MS = 1;
export const TIMEOUT_MAX_MS = 24 * 3_600_000;
/** A negative check must hold for at least this long, or "nothing happens" is checked vacuously. */
export const NEGATIVE_WINDOW_MIN_MS = 1000;

/**
 * What is wrong with a duration given for the named timeout (a spec's `timeouts:`, the options
 * file's, `--timeout`), or undefined when it is a duration within the bounds.
 */
export function timeoutProblem(name: TimeoutName, text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) return `${DURATION_EXPECTED}, found '${text}'`;
  const min = name === 'negativeWindow' ? NEGATIVE_WINDOW_MIN_MS : TIMEOUT_MIN_MS;
  if (ms < min || ms > TIMEOUT_MAX_MS) {
    return `${name} must be from ${formatDuration(min)} to 24h${
      name === 'negativeWindow' ? ' (a negative check that holds for no time proves nothing)' : ''
    }, found '${text}'`;
  }
  return undefined;
}

/** Merges layers of overrides over the defaults; later layers win. */
export function resolveTimeouts(...layers: Array<Partial<Timeouts> | undefined>): Timeouts {
  const result: Timeouts = { ...TIMEOUT_DEFAULTS };
  for (const layer of layers) Object.assign(result, layer ?? {});
  return result;
}
