/**
 * What a client that makes all its attempts in one process reports: one JSON object per attempt,
 * one per line, as each attempt ends. The lab's probe client (`images/common/probe-client.py
 * --attempts`) and the shell loop run in agnhost pods and peer sidecars (`client-loop.ts`) both
 * write it, so a probe costs one exec per source, not one per attempt.
 */

import { parseJsonObject } from '../../common/json-object.js';

export interface AttemptLine {
  /** 1 for the first attempt. */
  attempt: number;
  ok: boolean;
  /** The server's answer (its echo of the client address, or its name). */
  answer?: string;
  error?: string;
  /** When the attempt began, ms since the epoch (where the client can tell). */
  startedAtMs?: number;
  durationMs?: number;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** One line, or undefined when it is not an attempt report (a shell's stray output, a blank). */
export function parseAttemptLine(line: string): AttemptLine | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  const record = parseJsonObject(text);
  if (!record) return undefined;
  if (typeof record.attempt !== 'number' || typeof record.ok !== 'boolean') return undefined;
  const parsed: AttemptLine = { attempt: record.attempt, ok: record.ok };
  const answer = optionalString(record.answer);
  const error = optionalString(record.error);
  const startedAtMs = optionalNumber(record.startedAtMs);
  // A shell client reports curl's time_total in seconds.
  const seconds = optionalNumber(record.seconds);
  const durationMs =
    optionalNumber(record.durationMs) ?? (seconds !== undefined ? seconds * 1000 : undefined);
  if (answer !== undefined) parsed.answer = answer;
  if (error !== undefined) parsed.error = error;
  if (startedAtMs !== undefined) parsed.startedAtMs = startedAtMs;
  if (durationMs !== undefined) parsed.durationMs = durationMs;
  // An attempt that "succeeded" without an answer did not: the server always answers something.
  if (parsed.ok && !parsed.answer?.trim()) {
    parsed.ok = false;
    parsed.error = parsed.error ?? 'empty answer';
  }
  return parsed;
}

/** Every attempt report in a client's output, in order. */
export function parseAttemptLines(output: string): AttemptLine[] {
  return output
    .split('\n')
    .map(parseAttemptLine)
    .filter((line): line is AttemptLine => line !== undefined);
}

/**
 * The attempts a client was asked for, with the ones it never reported (it was killed, timed
 * out, or could not start) as failures carrying `why`, so that a probe always has as many
 * attempts as it asked for and a missing one counts against it.
 */
export function completeAttempts(lines: AttemptLine[], wanted: number, why: string): AttemptLine[] {
  const byNumber = new Map(lines.map((line) => [line.attempt, line]));
  const all: AttemptLine[] = [];
  for (let n = 1; n <= wanted; n++) all.push(byNumber.get(n) ?? { attempt: n, ok: false, error: why });
  return all;
}
