/**
 * The examples every command's `--help` ends with (issue #23: people arrive from Playwright Test
 * and ginkgo, whose help shows how a command is typed). Keyed by the command's path; a test holds
 * every command, subcommand included, to having examples, and every flag an example uses to be
 * one the command defines.
 */
import type { Command } from 'commander';

export const EXAMPLES: Readonly<Record<string, ReadonlyArray<readonly [command: string, meaning: string]>>> =
  {
    list: [
      ['egress-conformance list', 'the catalogue: id, title, profile, features, statements'],
      ['egress-conformance list --json', 'the same as a JSON array'],
    ],
    validate: [
      ['egress-conformance validate', 'every spec of the shipped suites/'],
      ['egress-conformance validate my-suite/snat.yaml', 'one file: FILE:LINE: field: what was expected'],
    ],
    run: [
      ['egress-conformance run', 'the core profile on kind if this host can run it, else the lab'],
      ['egress-conformance run --provider lab --run-test snat-loadbalancer-ip --family ipv4', 'one test'],
      ['egress-conformance run --provider lab --keep', 'leave the lab up: the next run starts at once'],
      [
        'egress-conformance run --provider existing --options-file options.yaml --dry-run',
        'what would be applied',
      ],
      [
        'egress-conformance run --shard 1/3 --report-dir shard-1',
        'one of three slices (merge-reports joins them)',
      ],
    ],
    up: [
      ['egress-conformance up', 'the environment run would choose, kept up for later runs'],
      [
        'egress-conformance up --provider kind --family ipv4 --dry-run',
        "kind's whole bring-up plan, nothing made",
      ],
    ],
    down: [
      ['egress-conformance down --provider lab', 'remove the kept labs'],
      ['egress-conformance down --provider lab --id eclab-1a2b3c', 'remove one, by the id status prints'],
    ],
    status: [
      ['egress-conformance status', 'the labs this tool made and their state'],
      ['egress-conformance status --provider kind', 'the kind environments'],
    ],
    pcap: [
      [
        'egress-conformance pcap summary capture.pcap',
        "the flows of a capture, read by the suite's own reader",
      ],
    ],
    'pcap summary': [
      ['egress-conformance pcap summary capture.pcap', 'the flows of a capture'],
      ['egress-conformance pcap summary capture.pcapng --json', 'as one JSON object'],
    ],
    doctor: [
      ['egress-conformance doctor --provider kind', 'what this host lacks to run kind, each with its fix'],
      [
        'egress-conformance doctor --provider kind --family dual --options-file kind.yaml',
        'for one combination',
      ],
    ],
    lab: [['egress-conformance lab faults', "the reference lab's known faults"]],
    'lab faults': [
      ['egress-conformance lab faults', 'the known faults and the statements that must catch each'],
      ['egress-conformance run --provider lab --lab-fault no-snat', 'a run that must fail ES-SNAT-1'],
    ],
    'merge-reports': [
      [
        'egress-conformance merge-reports shard-1 shard-2 shard-3 --report-dir merged',
        'one report of three shards',
      ],
    ],
    report: [['egress-conformance report open', 'serve the newest report on 127.0.0.1']],
    'report open': [
      ['egress-conformance report open', 'the newest report under test-results/, on 127.0.0.1'],
      ['egress-conformance report open merged --port 9323', 'one directory, on a fixed port'],
    ],
  };

/** The command's path below the program: `run`, `pcap summary`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The "Examples:" block: each example's meaning as a shell comment above it, so it can be pasted. */
export function examplesText(path: string): string | undefined {
  const examples = EXAMPLES[path];
  if (!examples) return undefined;
  const lines = examples.map(([command, meaning]) => `  # ${meaning}\n  $ ${command}`);
  return `\nExamples:\n${lines.join('\n')}\n`;
}

/** Adds its examples to the help of every command that has some, subcommands included. */
export function addExamples(command: Command): void {
  const text = examplesText(commandPath(command));
  if (text) command.addHelpText('after', text);
  command.commands.forEach(addExamples);
}
