/**
 * Finding kind environments by their labels: the peers, sidecars and networks carry
 * `egress-conformance.io/kind-env=<id>`; kind labels its node containers
 * `io.x-k8s.kind.cluster=<cluster>`, and the cluster is named after the environment id.
 */
import type { CommandRunner } from '../shared/command-runner.js';
import { ROLE_LABEL } from '../shared/docker-labels.js';
import { ENV_LABEL, KIND_CLUSTER_LABEL } from './topology.js';

export interface ContainerState {
  name: string;
  state: string;
  role: string;
}

export interface KindInventoryEntry {
  id: string;
  containers: ContainerState[];
  networks: string[];
  nodes: ContainerState[];
}

const SEP = '\t';

export function parseContainerLines(text: string): Array<ContainerState & { id: string }> {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = '', state = '', id = '', role = ''] = line.split(SEP);
      return { name, state, id, role };
    });
}

export function parseNetworkLines(text: string): Array<{ name: string; id: string }> {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = '', id = ''] = line.split(SEP);
      return { name, id };
    });
}

export async function listKindEnvironments(runner: CommandRunner): Promise<Map<string, KindInventoryEntry>> {
  const entries = new Map<string, KindInventoryEntry>();
  const entry = (id: string) => {
    let e = entries.get(id);
    if (!e) {
      e = { id, containers: [], networks: [], nodes: [] };
      entries.set(id, e);
    }
    return e;
  };
  const containers = await runner.run([
    'docker',
    'ps',
    '--all',
    '--filter',
    `label=${ENV_LABEL}`,
    '--format',
    `{{.Names}}${SEP}{{.State}}${SEP}{{.Label "${ENV_LABEL}"}}${SEP}{{.Label "${ROLE_LABEL}"}}`,
  ]);
  if (containers.exitCode !== 0) throw new Error(`docker ps failed: ${containers.stderr.trim()}`);
  for (const c of parseContainerLines(containers.stdout)) entry(c.id).containers.push(c);
  const networks = await runner.run([
    'docker',
    'network',
    'ls',
    '--filter',
    `label=${ENV_LABEL}`,
    '--format',
    `{{.Name}}${SEP}{{.Label "${ENV_LABEL}"}}`,
  ]);
  for (const n of parseNetworkLines(networks.stdout)) entry(n.id).networks.push(n.name);
  for (const e of entries.values()) {
    const nodes = await runner.run([
      'docker',
      'ps',
      '--all',
      '--filter',
      `label=${KIND_CLUSTER_LABEL}=${e.id}`,
      '--format',
      `{{.Names}}${SEP}{{.State}}${SEP}${e.id}${SEP}{{.Label "io.x-k8s.kind.role"}}`,
    ]);
    e.nodes = parseContainerLines(nodes.stdout).map(({ name, state, role }) => ({ name, state, role }));
  }
  return entries;
}

export function isComplete(
  entry: KindInventoryEntry,
  expectedContainers: string[],
  expectedNodes: string[],
): boolean {
  const running = (list: ContainerState[], name: string) =>
    list.some((c) => c.name === name && c.state === 'running');
  return (
    expectedContainers.every((name) => running(entry.containers, name)) &&
    expectedNodes.every((name) => running(entry.nodes, name))
  );
}
