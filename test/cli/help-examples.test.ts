/** Every command's `--help` ends with examples that use only what the command accepts (issue #23). */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandPath, EXAMPLES } from '../../harness/cli/examples.js';
import { buildProgram } from '../../harness/cli/main.js';
import { cli } from '../support/cli.js';

function everyCommand(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...everyCommand(c)]);
}

/** The help text a user sees, with what addHelpText adds after it. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

/** The command an example invokes (the longest command path its words start with) and its words after it. */
function invoked(program: Command, example: string): { command: Command; rest: string[] } {
  const words = example.split(/\s+/).slice(1);
  let command = program;
  while (words.length > 0) {
    const next = command.commands.find((c) => c.name() === words[0]);
    if (!next) break;
    command = next;
    words.shift();
  }
  return { command, rest: words };
}

describe('the examples in --help', () => {
  it('are shown by every command, subcommands included', async () => {
    const program = await buildProgram();
    const commands = everyCommand(program);
    expect(commands.length).toBeGreaterThanOrEqual(14);
    for (const command of commands) {
      const path = commandPath(command);
      expect(EXAMPLES[path]?.length, `examples for ${path}`).toBeGreaterThan(0);
      const help = helpOf(command);
      expect(help, path).toContain('\nExamples:\n');
      for (const [example] of EXAMPLES[path] ?? []) expect(help).toContain(`  $ ${example}\n`);
    }
    // No examples for a command that does not exist.
    expect(Object.keys(EXAMPLES).sort()).toEqual(commands.map(commandPath).sort());
  });

  it('use only the flags, and choices, of the command they invoke', async () => {
    const program = await buildProgram();
    for (const [path, examples] of Object.entries(EXAMPLES)) {
      for (const [example] of examples) {
        expect(example, path).toMatch(/^egress-conformance /);
        const { command, rest } = invoked(program, example);
        expect(command.commands, `${example}: invokes a command that runs`).toEqual([]);
        rest.forEach((word, i) => {
          if (!word.startsWith('--')) return;
          const option = command.options.find((o) => o.long === word);
          expect(option, `${example}: ${word} is not an option of ${commandPath(command)}`).toBeDefined();
          const value = rest[i + 1];
          if (option?.argChoices && value) expect(option.argChoices, example).toContain(value);
        });
      }
    }
  });

  it('reach a user of the binary', async () => {
    const { code, stdout } = await cli(['run', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'Examples:\n  # the core profile on kind if this host can run it, else the lab\n  $ egress-conformance run\n',
    );
  });
});
