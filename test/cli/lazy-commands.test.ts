/**
 * The CLI loads only the invoked command's module (issue #15: start-up). Checked two ways: the help
 * of every command is the same whether the program was built for that command alone or with all of
 * them; and a real process, with an import hook recording every module resolved, loads neither the
 * other commands nor their heavy dependencies.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, escapeCommanderText, invokedCommand } from '../../harness/cli/main.js';
import { cli } from '../support/cli.js';
import { modulesLoadedBy as loadedBy } from '../support/loaded-modules.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-lazy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every command path (`pcap summary`, `up`, ...) with its help text. */
function helpTexts(program: Command, prefix: string[] = []): Map<string, string> {
  const texts = new Map<string, string>();
  for (const command of program.commands) {
    const path = [...prefix, command.name()];
    texts.set(path.join(' '), command.helpInformation());
    for (const [sub, text] of helpTexts(command, path)) texts.set(sub, text);
  }
  return texts;
}

describe('lazy command loading', () => {
  it('finds the invoked command, and the command whose help `help NAME` shows', () => {
    expect(invokedCommand(['pcap', 'summary', 'x.pcap', '--json'])).toBe('pcap');
    expect(invokedCommand(['--debug', 'run', '--provider', 'lab'])).toBe('run');
    expect(invokedCommand(['help', 'validate'])).toBe('validate');
    expect(invokedCommand(['--version'])).toBeUndefined();
  });

  it('gives every command the same help as the program with all commands', async () => {
    const all = await buildProgram();
    const expected = helpTexts(all);
    expect([...expected.keys()]).toEqual(
      expect.arrayContaining([
        'list',
        'validate',
        'run',
        'up',
        'down',
        'status',
        'pcap summary',
        'doctor',
        'lab faults',
      ]),
    );
    for (const [path, text] of expected) {
      const alone = await buildProgram([...path.split(' '), '--help']);
      expect(helpTexts(alone).get(path), path).toBe(text);
    }
  });

  it('lists every command in the top-level help, and for an unknown command (to suggest one)', async () => {
    const all = (await buildProgram()).helpInformation();
    expect((await buildProgram(['--help'])).helpInformation()).toBe(all);
    expect((await buildProgram([])).helpInformation()).toBe(all);
    expect((await buildProgram(['lsit'])).commands.map((c) => c.name())).toContain('list');
  });

  it('loads no command for --version', async () => {
    expect((await buildProgram(['--version'])).commands).toHaveLength(0);
  });

  async function modulesLoadedBy(args: string[]): Promise<string[]> {
    const result = await loadedBy(args);
    expect(result.code, result.stderr).toBe(0);
    return result.modules;
  }

  const HEAVY = /node_modules\/(zod|yaml|execa|testcontainers|@kubernetes)\//;

  it('starts --version and pcap summary without any other command or heavy dependency', async () => {
    const version = await modulesLoadedBy(['--version']);
    expect(version.filter((url) => url.includes('/dist/cli/commands/'))).toEqual([]);
    expect(version.filter((url) => HEAVY.test(url))).toEqual([]);

    const capture = join(dir, 'empty.pcap');
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(1, 20);
    await writeFile(capture, header);
    const pcap = await modulesLoadedBy(['pcap', 'summary', capture, '--json']);
    expect(
      new Set(pcap.filter((url) => url.includes('/dist/cli/commands/')).map((u) => u.split('/').pop())),
    ).toEqual(new Set(['pcap.js']));
    expect(pcap.filter((url) => HEAVY.test(url))).toEqual([]);
  });

  it('starts list without the run, environment or provider code', async () => {
    const list = await modulesLoadedBy(['list', '--json']);
    expect(
      new Set(list.filter((url) => url.includes('/dist/cli/commands/')).map((u) => u.split('/').pop())),
    ).toEqual(new Set(['list.js']));
    expect(list.filter((url) => /node_modules\/(execa|testcontainers|@kubernetes)\//.test(url))).toEqual([]);
  });
});

describe("commander's error text", () => {
  it('escapes control characters in what the user typed, keeping its own suggestion line', () => {
    expect(escapeCommanderText("error: unknown option '--x\u001b[2J\nFILE:1: forged'\n")).toBe(
      "error: unknown option '--x\\x1b[2J\\nFILE:1: forged'\n",
    );
    expect(escapeCommanderText("error: unknown command 'lsit'\n(Did you mean list?)\n")).toBe(
      "error: unknown command 'lsit'\n(Did you mean list?)\n",
    );
  });

  it('reaches the terminal escaped from a real process', async () => {
    const { code, stderr } = await cli(['list', '--x\u001b[2J\nFILE:1: forged']);
    expect(code).toBe(2);
    expect(stderr).toBe("error: unknown option '--x\\x1b[2J\\nFILE:1: forged'\n(add --help for usage)");
  });
});
