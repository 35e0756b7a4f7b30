/**
 * `egress-conformance pcap summary`: run as a real process (exit code, stdout, stderr) and in-process
 * through commander.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { summariseCapture } from '../../harness/capture/summary.js';
import { registerPcapCommand } from '../../harness/cli/commands/pcap.js';
import { fileCases } from './cases.js';
import { writeFlowCapture } from './flow-capture.js';
import { scratchDir } from './helpers.js';

const run = promisify(execFile);
const dir = scratchDir('cli');
afterAll(() => dir.remove());

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function fifo(): string {
  const path = `${dir.path}/capture.fifo`;
  if (!existsSync(path)) execFileSync('mkfifo', [path]);
  return path;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', ENTRY, 'pcap', 'summary', ...args], {
      cwd: ROOT,
      // A guard against a hang (the FIFO defect), not a measurement.
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const capture = fileCases().find((c) => c.name.startsWith('pcapng LE'))!;

describe('pcap summary as a process', () => {
  it('prints one JSON object with --json and exits 0', async () => {
    const file = dir.write('ok.pcapng', capture.bytes);
    const { code, stdout, stderr } = await cli(file, '--json');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const parsed = JSON.parse(stdout);
    expect(Object.keys(parsed)).toEqual(['packets', 'truncated', 'flows']);
    expect(Object.keys(parsed.flows[0])).toEqual(['src', 'dst', 'protocol', 'srcPort', 'dstPort', 'packets']);
    expect(parsed).toEqual(await summariseCapture(file));
  });

  it('exits 0 for a truncated capture and says so', async () => {
    const file = dir.write('cut.pcapng', capture.bytes.subarray(0, capture.bytes.length - 10));
    const { code, stdout } = await cli(file, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).truncated).toBe(true);
  });

  // Hostile round 3: an empty or text file was exit 1, a failed check, though it is the wrong input.
  it('exits 2 with one line on stderr for a file that is not a capture (text, empty)', async () => {
    const empty = dir.write('empty.pcap', new Uint8Array(0));
    const none = await cli(empty, '--json');
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`egress-conformance: ${empty}: not a pcap or pcapng capture (empty file)\n`);
    const file = dir.write('notes.txt', new TextEncoder().encode('hello world, not a capture\n'));
    const { code, stdout, stderr } = await cli(file, '--json');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`egress-conformance: ${file}: not a pcap or pcapng capture (magic 0x68656c6c)\n`);
  });

  it('exits 2 (an input error) with one line on stderr for a missing file', async () => {
    const file = `${dir.path}/missing.pcap`;
    const { code, stdout, stderr } = await cli(file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`egress-conformance: ${file}: no such file\n`);
  });

  // Before the fix a FIFO blocked in open() forever (the process timeout below would kill it) and
  // /dev/zero was read as "not a capture"; now each is refused before a byte is read.
  it.each([
    ['a FIFO', () => fifo(), 'is a FIFO (named pipe), not a regular file'],
    ['a character device', () => '/dev/zero', 'is a character device, not a regular file'],
    ['a directory', () => dir.path, 'is a directory, not a regular file'],
  ])('refuses %s with exit 2 and one line naming it', async (_kind, path, reason) => {
    const file = path();
    const { code, stdout, stderr } = await cli(file, '--json');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`egress-conformance: ${file}: ${reason}\n`);
  });

  it('escapes control characters in the file name it echoes', async () => {
    const file = dir.write(
      'x.pcap\nforged.yaml:1: bad \u001b[31mred',
      new TextEncoder().encode('not a capture'),
    );
    const { code, stderr } = await cli(file, '--json');
    expect(code).toBe(2);
    expect(stderr).toBe(
      `egress-conformance: ${dir.path}/x.pcap\\nforged.yaml:1: bad \\x1b[31mred: not a pcap or pcapng capture (magic 0x6e6f7420)\n`,
    );
    const missing = await cli(`${dir.path}/gone\u001b]0;title\u0007.pcap`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `egress-conformance: ${dir.path}/gone\\x1b]0;title\\x07.pcap: no such file\n`,
    );
  });
});

describe('pcap summary in-process', () => {
  function program(): Command {
    const p = new Command('egress-conformance').exitOverride();
    registerPcapCommand(p);
    return p;
  }

  it('prints a readable table without --json', async () => {
    const file = dir.write('table.pcapng', capture.bytes);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program().parseAsync(['pcap', 'summary', file], { from: 'user' });
      const text = out.mock.calls.map((c) => String(c[0])).join('');
      const summary = await summariseCapture(file);
      const lines = text.trimEnd().split('\n');
      expect(lines[0]).toBe(`${summary.packets} packets, ${summary.flows.length} IP flows`);
      expect(lines[1]).toMatch(/^SRC\s+DST\s+PROTO\s+SPORT\s+DPORT\s+PACKETS$/);
      expect(lines).toHaveLength(2 + summary.flows.length);
      expect(lines[2]).toMatch(/^\S+\s+\S+\s+\S+\s+(\d+|-)\s+(\d+|-)\s+\d+$/);
    } finally {
      out.mockRestore();
    }
  });

  // Regression: the column widths were Math.max(...column), one argument per flow, which overflowed
  // the stack at about 125,000 flows (--json was fine).
  it('prints the table of a capture with 130,000 flows', async () => {
    const file = `${dir.path}/many-flows.pcap`;
    writeFlowCapture(file, { packets: 130_000, flows: 130_000, small: true });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program().parseAsync(['pcap', 'summary', file], { from: 'user' });
      const lines = out.mock.calls
        .map((c) => String(c[0]))
        .join('')
        .trimEnd()
        .split('\n');
      expect(lines[0]).toBe('130000 packets, 130000 IP flows');
      expect(lines).toHaveLength(2 + 130_000);
      expect(lines[2]).toMatch(/^198\.51\.100\.0\s+203\.0\.113\.0\s+tcp\s+32768\s+443\s+1$/);
      expect(lines.at(-1)).toMatch(/^192\.0\.2\.\d+\s+203\.0\.113\.\d+\s+\S+\s+(\d+|-)\s+(\d+|-)\s+1$/);
    } finally {
      out.mockRestore();
    }
  });

  it('sets process.exitCode instead of exiting', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    try {
      await program().parseAsync(['pcap', 'summary', `${dir.path}/none.pcap`, '--json'], { from: 'user' });
      expect(process.exitCode).toBe(2);
      expect(err).toHaveBeenCalledTimes(1);
    } finally {
      process.exitCode = before;
      err.mockRestore();
    }
  });
});
