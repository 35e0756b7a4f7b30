/**
 * A scan of YAML text for nesting deeper than YAML_MAX_DEPTH, before the parser sees it. The
 * parser's cost grows with nesting: a 1 MiB spec of nested `[` took 27 s and 650 MB before the
 * depth check on the parsed document refused it (hostile round 5, F12), and 10,000 nested `[`
 * ran Node out of memory in a regular expression. This scan is one pass over the characters:
 *
 * - flow collections: every `[` or `{` opens a level and every `]` or `}` closes one, wherever
 *   they stand (inside quotes and comments too). The count is never less than the parser's flow
 *   depth, so nothing deeper gets past it; it refuses a valid file only if that file has more than
 *   YAML_MAX_DEPTH brackets open at once in its text;
 * - block sequences written on one line (`- - - x`, `? - x`): each indicator opens a level.
 *
 * Nesting by indentation needs one more column a level, so a 1 MiB file reaches about 1,400
 * levels that way; the parser handles that in well under a second, and the check on the parsed
 * document (source.ts) refuses it. That check still gives the exact answer for what passes here.
 */
import { YAML_MAX_DEPTH, YAML_MAX_NODES } from '../common/limits.js';

const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }
const isBlank = (c: number) => c === 0x20 || c === 0x09;

/** How many block indicators (`-` or `?` and a blank) open levels on the line starting at `i`. */
function chainedIndicators(text: string, i: number): number {
  let j = i;
  const skipBlanks = () => {
    while (j < text.length && isBlank(text.charCodeAt(j))) j++;
  };
  skipBlanks();
  let chained = 0;
  while (j + 1 < text.length && (text[j] === '-' || text[j] === '?') && isBlank(text.charCodeAt(j + 1))) {
    chained++;
    j += 2;
    skipBlanks();
  }
  return chained;
}

/**
 * The line (1-based) at which `text` nests deeper than YAML_MAX_DEPTH; undefined: it does not.
 * The document itself (the spec's mapping) is the first level, so a level of brackets fewer is
 * the most a line can hold.
 */
export function tooDeepAt(text: string): number | undefined {
  let flow = 1;
  let line = 1;
  if (chainedIndicators(text, 0) > YAML_MAX_DEPTH) return line;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      if (chainedIndicators(text, i + 1) > YAML_MAX_DEPTH) return line;
    } else if (OPEN.has(c)) {
      flow++;
      if (flow > YAML_MAX_DEPTH) return line;
    } else if (CLOSE.has(c) && flow > 1) flow--;
  }
  return undefined;
}

const COUNTED = new Set([0x5b, 0x7b, 0x2c, 0x0a]); // [ { , and newline

/**
 * The line (1-based) at which `text` holds more than YAML_MAX_NODES nodes, counting every `[`,
 * `{`, `,` and line (quotes and comments too, so never fewer than the parser makes of flow
 * items and block entries); undefined: it does not. Flat is not cheap: 250,000 items of `[]`
 * in one flow sequence overflowed the stack after the parse (hostile round 5).
 */
export function tooManyNodesAt(text: string): number | undefined {
  let nodes = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!COUNTED.has(c)) continue;
    if (++nodes > YAML_MAX_NODES) return line;
    if (c === 0x0a) line++;
  }
  return undefined;
}
