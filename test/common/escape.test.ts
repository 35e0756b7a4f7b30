import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../harness/common/escape.js';

describe('escapeControl', () => {
  it('writes newlines, returns and tabs as \\n, \\r, \\t so a value cannot start a line', () => {
    expect(escapeControl('a.yaml\nb.yaml:1: forged')).toBe('a.yaml\\nb.yaml:1: forged');
    expect(escapeControl('x\r\ty')).toBe('x\\r\\ty');
  });

  it('writes ESC, DEL and the other C0 controls as \\xHH, so no ANSI sequence reaches a terminal', () => {
    expect(escapeControl('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(escapeControl('\u0000\u0007\u007f')).toBe('\\x00\\x07\\x7f');
  });

  it('escapes C1 controls (0x9b is a one-byte CSI) and the Unicode line separators', () => {
    expect(escapeControl('\u009b31m')).toBe('\\x9b31m');
    expect(escapeControl('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
  });

  it('leaves printable text of any script, spaces and backslashes as they are', () => {
    const text = 'C:\\captures\\probe 1.pcap — ünïcode 日本 🙂';
    expect(escapeControl(text)).toBe(text);
  });

  it('never leaves a control character in its output', () => {
    const all = Array.from({ length: 0x3000 }, (_, i) => String.fromCharCode(i)).join('');
    const isControl = (code: number) =>
      code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    const left = [...escapeControl(all)].map((c) => c.charCodeAt(0)).filter(isControl);
    expect(left).toEqual([]);
  });
});
