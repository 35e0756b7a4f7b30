/**
 * Durations as people write them in specs, the options file and `--timeout`: `500ms`, `30s`, `2m`,
 * `1m30s`, `1h`, `1.5s`. One grammar (docs/commands.md, "Named timeouts"): one or more parts
 * `NUMBER UNIT`, the units `h`, `m`, `s`, `ms` each at most once and in that order; a NUMBER is a
 * whole number as common/numbers.ts writes it (no sign, space or leading zero), optionally with a
 * fraction of up to 3 digits. `1m1m`, `30s1m`, `01s`, ` 30s` and `1e3ms` are not durations: a
 * repeated or reordered unit reads as a typo, and the run would wait another time than intended.
 */

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const NUMBER = '(?:0|[1-9][0-9]{0,8})(?:\\.[0-9]{1,3})?';
const DURATION = new RegExp(`^(?:(${NUMBER})h)?(?:(${NUMBER})m)?(?:(${NUMBER})s)?(?:(${NUMBER})ms)?$`);

/** What a duration must look like, for one-line errors. */
export const DURATION_EXPECTED =
  'expected a duration such as 500ms, 30s, 2m or 1m30s (units h, m, s, ms, each at most once and in that order)';

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === '') return undefined;
  let total = 0;
  for (const [i, unit] of ['h', 'm', 's', 'ms'].entries()) {
    const value = match[i + 1];
    if (value !== undefined) total += Number(value) * (UNIT_MS[unit] as number);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
}
