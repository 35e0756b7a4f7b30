/**
 * Commands against a peer container: run a client in its network namespace (a tools sidecar,
 * so the FRR image stays stock), and read its BGP table through vtysh.
 */
import type { BgpRoute, IpFamily } from '../environment.js';
import { bgpShowCommand, parseBgpRoutes } from './bgp-table.js';
import { type CommandResult, type CommandRunner, runChecked } from './command-runner.js';

/** Runs argv from the tools image inside `container`'s network namespace. */
export function runInPeerNamespace(
  runner: CommandRunner,
  container: string,
  toolsImage: string,
): (argv: string[], timeoutMs: number) => Promise<CommandResult> {
  return (argv, timeoutMs) =>
    runner.run(['docker', 'run', '--rm', '--network', `container:${container}`, toolsImage, ...argv], {
      // Room for the sidecar to start and exit around the client's own timeout.
      timeoutMs: timeoutMs + 30_000,
    });
}

export async function peerContainerBgpRoutes(
  runner: CommandRunner,
  container: string,
  family: IpFamily,
): Promise<BgpRoute[]> {
  const result = await runChecked(runner, [
    'docker',
    'exec',
    container,
    'vtysh',
    '-c',
    bgpShowCommand(family),
  ]);
  return parseBgpRoutes(result.stdout);
}
