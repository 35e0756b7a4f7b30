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
 * Ids of the labs on the engine now (a developer's kept lab, a sharpness run): tests compare
 * leftovers with these excluded, so that they neither blame nor remove labs they did not start.
 */
export async function existingLabIds(): Promise<string[]> {
  const { stdout } = await execa('docker', [
    'ps',
    '-a',
    '--filter',
    'label=egress-conformance.io/lab',
    '--format',
    '{{.Label "egress-conformance.io/lab"}}',
  ]);
  return [...new Set(stdout.split('\n').filter(Boolean))];
}
