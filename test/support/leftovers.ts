/** What a run may leave behind on the Docker engine and in the temp folder, found by label and name. */
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execa } from 'execa';

export interface Leftovers {
  containers: string[];
  networks: string[];
  tempDirs: string[];
}

/** Containers, networks and temp dirs of labs, except those of labs named in `except`. */
export async function labLeftovers(except: string[] = []): Promise<Leftovers> {
  const list = async (args: string[]) =>
    (await execa('docker', args)).stdout
      .split('\n')
      .filter(Boolean)
      .filter((name) => !except.some((id) => name.includes(id)));
  // Labs' own temp dirs (egress-conformance-<lab id>); scripts' work dirs are theirs to clean.
  const tempDirs = (await readdir(tmpdir())).filter(
    (name) => name.startsWith('egress-conformance-eclab-') && !except.some((id) => name.includes(id)),
  );
  return {
    containers: await list([
      'ps',
      '-a',
      '--filter',
      'label=egress-conformance.io/lab',
      '--format',
      '{{.Names}}',
    ]),
    networks: await list([
      'network',
      'ls',
      '--filter',
      'label=egress-conformance.io/lab',
      '--format',
      '{{.Name}}',
    ]),
    tempDirs,
  };
}

export const NOTHING_LEFT: Leftovers = { containers: [], networks: [], tempDirs: [] };

/**
 * What one lab left on the engine and in the temp folder. Tests count only their own lab: other
 * runs (a developer's, another checkout's tests) may start and end labs on the engine meanwhile.
 */
export async function leftBy(lab: string): Promise<Leftovers> {
  const all = await labLeftovers();
  const mine = (names: string[]) => names.filter((name) => name.includes(lab));
  return { containers: mine(all.containers), networks: mine(all.networks), tempDirs: mine(all.tempDirs) };
}

/** The id of the lab a run brought up, from its output (`lab eclab-…: up in`). */
export function labUpIn(output: string): string {
  const lab = /lab (eclab-[0-9a-f]+): up in/.exec(output)?.[1];
  if (!lab) throw new Error(`no lab came up in this output:\n${output}`);
  return lab;
}

/** The id of the lab `up` made (never one it reused: a kept lab may be someone else's). */
export function labMadeByUp(output: string): string {
  const lab = /^up: lab environment (eclab-[0-9a-f]+)/m.exec(output)?.[1];
  if (!lab)
    throw new Error(`up made no lab of its own (a kept lab of the same shape was reused?):\n${output}`);
  return lab;
}
