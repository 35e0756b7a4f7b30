/** Just enough XML writing for the JUnit report: escaping, and characters XML 1.0 forbids. */
import { escapeUntrustedLines } from '../common/escape.js';

// XML 1.0 allows tab, newline, carriage return and everything from 0x20 on (less surrogates
// and U+FFFE/U+FFFF); tool output in failure messages can carry anything.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to remove
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return escapeUntrustedLines(text.replace(FORBIDDEN, '\uFFFD'))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}
