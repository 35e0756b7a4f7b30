/**
 * The composite action (action.yml) passes its inputs to `run` as the flags of the same names:
 * read from the CLI's commander definitions, so a flag renamed, removed or given other choices
 * fails here rather than in someone's pipeline. actionlint is not packaged by Debian, so the
 * structure is asserted.
 */
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../harness/cli/main.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  runs: { using: string; steps: Step[] };
};
const steps = action.runs.steps;

/** Inputs that are the action's own, not `run` flags. */
const ACTION_ONLY = ['artifact-name', 'node-version'];
/** Inputs named otherwise than their flag. */
const FLAG_OF: Record<string, string> = { reporters: '--reporter' };
const flagOf = (input: string) => FLAG_OF[input] ?? `--${input}`;

async function runCommand(): Promise<Command> {
  const program = await buildProgram(['run']);
  const run = program.commands.find((c) => c.name() === 'run');
  if (!run) throw new Error('no run command');
  return run;
}

describe('the GitHub Action', () => {
  it('is a composite action with the inputs the issue names', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        'provider',
        'options-file',
        'profile',
        'family',
        'shard',
        'reporters',
        'node-version',
      ]),
    );
    for (const input of Object.values(action.inputs)) expect(input.required ?? false).toBe(false);
  });

  it("has an input for run's flags, each a flag run defines, with run's choices", async () => {
    const run = await runCommand();
    const options = new Map<string, Option>(run.options.map((o) => [o.long ?? '', o]));
    for (const [input, spec] of Object.entries(action.inputs)) {
      if (ACTION_ONLY.includes(input)) continue;
      const option = options.get(flagOf(input));
      expect(option, `input ${input}: run has no ${flagOf(input)}`).toBeDefined();
      expect(option?.required || option?.optional, `${flagOf(input)} takes a value`).toBe(true);
      // The description names the flag, and every choice the CLI accepts, and no other.
      expect(spec.description).toContain(`run ${flagOf(input)}`);
      if (option?.argChoices) {
        for (const choice of option.argChoices)
          expect(spec.description, input).toMatch(new RegExp(`\\b${choice}\\b`));
        if (spec.default) expect(option.argChoices, `default of ${input}`).toContain(spec.default);
      }
    }
    // ACTION_ONLY lists only inputs that exist, and none of them is a run flag.
    for (const input of ACTION_ONLY) {
      expect(action.inputs[input]).toBeDefined();
      expect(options.has(`--${input}`)).toBe(false);
    }
  });

  it('passes every run input as its flag, only when set', () => {
    const run = steps.find((s) => (s.run ?? '').includes('egress-conformance.js'));
    const script = run?.run ?? '';
    for (const input of Object.keys(action.inputs).filter((i) => !ACTION_ONLY.includes(i))) {
      const variable = Object.entries(run?.env ?? {}).find(([, v]) => v === `\${{ inputs.${input} }}`)?.[0];
      expect(variable, `input ${input} reaches the run step`).toBeDefined();
      expect(script).toMatch(new RegExp(`${flagOf(input)} "\\$${variable}"`));
    }
    // Inputs reach the shell through env, never pasted into the script (no injection).
    expect(script).not.toContain('${{');
  });

  it('installs the host tools, runs, writes the step summary and uploads the reports whatever the run did', () => {
    const index = (p: (s: Step) => boolean) => steps.findIndex(p);
    const node = index((s) => s.uses?.startsWith('actions/setup-node@') ?? false);
    const host = index((s) => (s.run ?? '').includes('scripts/install-host.sh" --run'));
    const ci = index((s) => (s.run ?? '').startsWith('npm ci'));
    const run = index((s) => (s.run ?? '').includes('egress-conformance.js'));
    const summary = index((s) => (s.run ?? '').includes('$GITHUB_STEP_SUMMARY'));
    const upload = index((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);
    expect([node, host, ci, run, summary, upload].every((i) => i >= 0)).toBe(true);
    expect(node < host && host < ci && ci < run && run < summary && summary < upload).toBe(true);
    expect(steps[node]?.with?.['node-version']).toBe('${{ inputs.node-version }}');
    expect(steps[summary]?.if).toBe('always()');
    expect(steps[upload]?.if).toBe('always()');
    expect(steps[upload]?.with).toMatchObject({
      name: '${{ inputs.artifact-name }}',
      path: '${{ inputs.report-dir }}',
    });
    for (const step of steps.filter((s) => s.run)) expect(step.shell).toBe('bash');
  });

  it('has shell steps bash can parse', async () => {
    for (const step of steps.filter((s) => s.run)) {
      const parsed = await execa('bash', ['-n'], { input: step.run, reject: false });
      expect(parsed.exitCode, `${step.name}: ${parsed.stderr}`).toBe(0);
    }
  });

  it.each([
    ['lab-shards.yml', 'conformance', { provider: 'lab', profile: 'all' }],
    ['kind-conformance.yml', 'kind', { provider: 'kind', profile: 'all' }],
  ])("is what the repository's own workflow %s runs, with inputs it has", (file, job, expected) => {
    const workflow = parse(readFileSync(`.github/workflows/${file}`, 'utf8')) as {
      jobs: Record<string, { steps: Step[] }>;
    };
    const step = workflow.jobs[job]?.steps.find((s) => s.uses === './');
    expect(step?.with).toMatchObject(expected);
    for (const input of Object.keys(step?.with ?? {})) expect(action.inputs[input], input).toBeDefined();
  });
});
