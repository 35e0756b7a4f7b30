/**
 * The one grammar of whole numbers a user writes: flags (`--parallel`, `--retries`,
 * `--max-failures`, `--shard`, `--port`) and the options file's numbers (`parallel: 4`,
 * `kind.workers`, `existing.asn`). A number is decimal digits with no sign, space, leading zero,
 * fraction, exponent or base prefix: `4`, `0`, `16`. JavaScript's Number() reads ` 4`, `0x10`,
 * `1e1` and `+4` as numbers, and YAML reads `01`, `+4`, `0x10`, `0o7`, `1e1` and `4.0` as
 * integers: each is refused, so what a flag or field says is what the run does.
 */

/** At most 15 digits: every such number is exact as a JavaScript number. */
const DECIMAL_WHOLE = /^(?:0|[1-9][0-9]{0,14})$/;

/** Whether `text` is a whole number as this grammar writes it. */
export function isDecimalWhole(text: string): boolean {
  return DECIMAL_WHOLE.test(text);
}

/** What a whole number from `min` to `max` must look like, for one-line errors. */
export function expectedWholeNumber(min: number, max: number): string {
  return `expected a whole number from ${min} to ${max} in decimal digits (no sign, space or leading zero)`;
}

/** The number `text` writes, when it is a whole number from `min` to `max`; else undefined. */
export function parseWholeNumber(text: string, min: number, max: number): number | undefined {
  if (!isDecimalWhole(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** A value as an error line shows it: quoted when empty or holding a space, so ` 4` is seen. */
export function shownValue(text: string): string {
  return /^[\w./:=+-]+$/.test(text) ? text : `'${text}'`;
}
