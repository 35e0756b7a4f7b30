/**
 * What a failed test's diagnostics bundle holds, as commands and the file each one's output goes
 * to: the test namespace's objects and events, the EgressServices with their status, node
 * labels, MetalLB's configuration, ovnkube and MetalLB logs, and a container peer's BGP table and
 * FRR log. Providers add what only they can reach (the kind nodes' `ip rule`, routes, nft).
 * No Secrets are read.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redact } from '../../common/secrets.js';
import type { IpFamily } from '../environment.js';
import type { CommandRunner } from './command-runner.js';

export interface DiagnosticCommand {
  file: string;
  argv: string[];
}

export interface ClusterNamespaces {
  /** The test's namespace. */
  namespace: string;
  metallb: string;
  ovnKubernetes: string;
}

export function clusterDiagnosticCommands(kubectl: string[], ns: ClusterNamespaces): DiagnosticCommand[] {
  const logs = (namespace: string, selector: string) => [
    ...kubectl,
    'logs',
    '-n',
    namespace,
    '-l',
    selector,
    '--all-containers',
    '--prefix',
    '--tail=5000',
    '--max-log-requests=20',
  ];
  return [
    {
      file: 'namespace-objects.yaml',
      argv: [...kubectl, 'get', 'all,endpointslices,egressservices', '-n', ns.namespace, '-o', 'yaml'],
    },
    {
      file: 'namespace-events.txt',
      argv: [...kubectl, 'get', 'events', '-n', ns.namespace, '--sort-by=.lastTimestamp', '-o', 'wide'],
    },
    {
      file: 'egressservices.yaml',
      argv: [...kubectl, 'get', 'egressservices.k8s.ovn.org', '--all-namespaces', '-o', 'yaml'],
    },
    { file: 'nodes.txt', argv: [...kubectl, 'get', 'nodes', '-o', 'wide', '--show-labels'] },
    { file: 'nodes.yaml', argv: [...kubectl, 'get', 'nodes', '-o', 'yaml'] },
    {
      file: 'metallb-config.yaml',
      argv: [...kubectl, 'get', 'ipaddresspools,bgppeers,bgpadvertisements', '-n', ns.metallb, '-o', 'yaml'],
    },
    { file: 'ovn-pods.txt', argv: [...kubectl, 'get', 'pods', '-n', ns.ovnKubernetes, '-o', 'wide'] },
    { file: 'ovnkube-node.log', argv: logs(ns.ovnKubernetes, 'name=ovnkube-node') },
    // Interconnect clusters run ovnkube-control-plane, the others ovnkube-master: one of the two is empty.
    { file: 'ovnkube-control-plane.log', argv: logs(ns.ovnKubernetes, 'name=ovnkube-control-plane') },
    { file: 'ovnkube-master.log', argv: logs(ns.ovnKubernetes, 'name=ovnkube-master') },
    { file: 'metallb-pods.txt', argv: [...kubectl, 'get', 'pods', '-n', ns.metallb, '-o', 'wide'] },
    { file: 'metallb.log', argv: logs(ns.metallb, 'app.kubernetes.io/name=metallb') },
    { file: 'frr-k8s.log', argv: logs(ns.metallb, 'app.kubernetes.io/name=frr-k8s') },
  ];
}

/** A container peer's BGP state and FRR log. */
export function peerDiagnosticCommands(
  peer: { name: string; container: string },
  families: IpFamily[],
): DiagnosticCommand[] {
  return [
    {
      file: `${peer.name}-bgp.txt`,
      argv: [
        'docker',
        'exec',
        peer.container,
        'vtysh',
        '-c',
        'show bgp summary',
        ...families.flatMap((f) => ['-c', `show bgp ${f} unicast`]),
        '-c',
        'show running-config',
      ],
    },
    { file: `${peer.name}-frr.log`, argv: ['docker', 'logs', '--tail', '5000', peer.container] },
  ];
}

/**
 * Runs every command (a failing one is recorded, not fatal) and writes its output and an index
 * (`indexFile`, so that collections sharing a directory keep their own).
 */
export async function writeDiagnostics(
  runner: CommandRunner,
  commands: DiagnosticCommand[],
  dir: string,
  indexFile = 'INDEX.txt',
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const index: string[] = [];
  for (const command of commands) {
    const result = await runner.run(command.argv, { timeoutMs: 60_000 }).catch((error: Error) => ({
      exitCode: -1,
      stdout: '',
      stderr: error.message,
      timedOut: false,
    }));
    const body =
      result.exitCode === 0 ? result.stdout : `${result.stdout}\n# exit ${result.exitCode}\n${result.stderr}`;
    await writeFile(join(dir, command.file), `${redact(body.trimEnd())}\n`);
    index.push(
      `${command.file}: ${command.argv.join(' ')}${result.exitCode === 0 ? '' : ` (exit ${result.exitCode})`}`,
    );
  }
  await writeFile(join(dir, indexFile), `${redact(index.join('\n'))}\n`);
}
