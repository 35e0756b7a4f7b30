/**
 * What a failed bring-up keeps before it is torn down: kind's own logs (`kind export logs`, every
 * node's journal, containerd and pod logs, as upstream's contrib/export-kind-logs.sh collects
 * them in its CI) and the state of the cluster and its nodes, written into the diagnostics
 * directory. Every step tolerates failure: a cluster that never came up still has docker's view.
 */
import { join } from 'node:path';
import type { PlannedAction, RunAction } from '../shared/planned-actions.js';
import { kubectlBase } from './bring-up.js';
import type { KindTopology } from './topology.js';

export function failedBringUpEvidence(t: KindTopology, dir: string): PlannedAction[] {
  const kubectl = kubectlBase(t);
  const save = (title: string, file: string, command: string[]): RunAction => ({
    type: 'run',
    phase: 'evidence',
    title,
    // The output goes to a file in the diagnostics directory (argv quoted for sh).
    argv: ['sh', '-c', `${command.map(shellQuote).join(' ')} > ${shellQuote(join(dir, file))} 2>&1`],
    allowFailure: true,
    timeoutMs: 300_000,
  });
  return [
    {
      type: 'run',
      phase: 'evidence',
      title: `kind export logs of ${t.clusterName}`,
      argv: ['kind', 'export', 'logs', join(dir, 'kind-logs'), '--name', t.clusterName],
      allowFailure: true,
      timeoutMs: 600_000,
    },
    save('every object of the cluster', 'cluster-objects.txt', [
      ...kubectl,
      'get',
      'all',
      '-A',
      '-o',
      'wide',
    ]),
    save('the nodes', 'nodes.yaml', [...kubectl, 'get', 'nodes', '-o', 'yaml']),
    save('the events', 'events.txt', [...kubectl, 'get', 'events', '-A', '--sort-by=.lastTimestamp']),
    save("the pods' descriptions", 'pods-described.txt', [...kubectl, 'describe', 'pods', '-A']),
    save("docker's containers and networks", 'docker.txt', [
      'docker',
      'ps',
      '-a',
      '--filter',
      `label=${t.label.key}=${t.label.id}`,
    ]),
  ];
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
