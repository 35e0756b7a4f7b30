/**
 * A step's detail, and a test's failure message, read in ten seconds: one first line (what was
 * expected, what was seen), then indented lines with the rest (where, the capture, packets).
 */
export function splitDetail(text: string): { head: string; rest: string } {
  const newline = text.indexOf('\n');
  return newline < 0 ? { head: text, rest: '' } : { head: text.slice(0, newline), rest: text.slice(newline) };
}
