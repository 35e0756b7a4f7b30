/**
 * `egress-conformance pcap summary`: run as a real process (exit code, stdout, stderr) and in-process
 * through commander.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { summariseCapture } from '../../harness/capture/summary.js';
import { registerPcapCommand } from '../../harness/cli/commands/pcap.js';
import { fileCases } from './cases.js';
import { scratchDir } from './helpers.js';

const run = promisify(execFile);
const dir = scratchDir('cli');
afterAll(() => dir.remove());

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', ENTRY, 'pcap', 'summary', ...args], {
      cwd: ROOT,
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

  it('exits 1 with one line on stderr for a file that is not a capture', async () => {
    const file = dir.write('notes.txt', new TextEncoder().encode('hello world, not a capture\n'));
    const { code, stdout, stderr } = await cli(file, '--json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`egress-conformance: ${file}: not a pcap or pcapng capture (magic 0x68656c6c)\n`);
  });

  it('exits 1 with one line on stderr for a missing file', async () => {
    const file = `${dir.path}/missing.pcap`;
    const { code, stderr } = await cli(file);
    expect(code).toBe(1);
    expect(stderr).toBe(`egress-conformance: ${file}: no such file\n`);
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

  it('sets process.exitCode instead of exiting', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    try {
      await program().parseAsync(['pcap', 'summary', `${dir.path}/none.pcap`, '--json'], { from: 'user' });
      expect(process.exitCode).toBe(1);
      expect(err).toHaveBeenCalledTimes(1);
    } finally {
      process.exitCode = before;
      err.mockRestore();
    }
  });
});
