/**
 * The external peer of an existing cluster: either a stock FRR container the harness starts on
 * a docker network the nodes reach (the same configuration as the kind peers), or a host the
 * user names, where commands run through a template (default `ssh {ssh} {command}`): captures
 * stream the pcap back over the command's stdout (`tcpdump -w -`), ingress and BGP tables are
 * read the same way.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { IpFamily } from '../environment.js';
import type { CommandResult, CommandRunner } from '../shared/command-runner.js';
import type { EnvironmentLabel } from '../shared/docker-labels.js';
import type { FrrPeer } from '../shared/frr-peer-config.js';
import { type FrrStaticFiles, frrPeerContainerActions, PEER_IMAGES } from '../shared/frr-peer-container.js';
import type { CaptureHandle, CaptureSite } from '../shared/kubectl-probing.js';
import { formatArgv, type PlannedAction } from '../shared/planned-actions.js';
import type { ExistingSettings } from './settings.js';

/** The label on the docker objects this provider creates (the container peer and its sidecars). */
export const EXISTING_ENV_LABEL = 'egress-conformance.io/existing-env';

export function existingLabel(envId: string): EnvironmentLabel {
  return { key: EXISTING_ENV_LABEL, id: envId };
}

export function peerImages(s: ExistingSettings): { frr: string; agnhost: string; tools: string } {
  return { ...PEER_IMAGES, ...s.images };
}

/** The container peer, configured exactly as the kind provider's peers are. */
export function containerPeer(
  envId: string,
  s: ExistingSettings,
  workDir: string,
  families: IpFamily[],
): FrrPeer {
  const pick = (v: { ipv4?: string | undefined; ipv6?: string | undefined } | undefined) =>
    Object.fromEntries(families.filter((f) => v?.[f]).map((f) => [f, v?.[f] as string]));
  return {
    name: 'peer',
    container: `${envId}-peer`,
    probeContainer: `${envId}-peer-probe`,
    dockerNetwork: s.peer.dockerNetwork ?? '',
    asn: s.peer.asn,
    interfaceAddresses: pick(s.peer.addresses),
    probeAddresses: pick(s.peer.addresses),
    loopbackAddresses: {},
    listenRanges: pick(s.peer.nodeSubnets),
    configDir: join(workDir, 'peer'),
  };
}

export function containerPeerActions(
  envId: string,
  peer: FrrPeer,
  s: ExistingSettings,
  families: IpFamily[],
  files: FrrStaticFiles,
): PlannedAction[] {
  return frrPeerContainerActions(peer, {
    phase: 'peer',
    label: existingLabel(envId),
    images: peerImages(s),
    families,
    bgpAuth: s.peer.bgpPassword !== undefined,
    nodeAsn: s.nodeAsn,
    probePort: s.peer.probePort,
    files,
  });
}

/** A command on the peer host, through the user's template. */
export function hostCommand(s: ExistingSettings, argv: string[]): string {
  return s.peer.commandTemplate
    .replaceAll('{ssh}', s.peer.ssh ?? '')
    .replaceAll('{command}', formatArgv(argv));
}

export function runOnHost(
  runner: CommandRunner,
  s: ExistingSettings,
  argv: string[],
  timeoutMs: number,
): Promise<CommandResult> {
  return runner.run(['sh', '-c', hostCommand(s, argv)], { timeoutMs });
}

/** Captures on the peer host: tcpdump writes the pcap to stdout, which lands in a local file. */
export function hostCaptureSite(s: ExistingSettings, localDir: string): CaptureSite {
  const running = new Map<string, { child: ResultPromise; path: string }>();
  return {
    async start(name, filter) {
      await mkdir(localDir, { recursive: true });
      const path = join(localDir, `${name.replace(/[^A-Za-z0-9_.-]/g, '-')}.pcap`);
      const command = hostCommand(s, ['tcpdump', '-i', 'any', '-n', '-U', '-w', '-', filter]);
      const child = execa('sh', ['-c', command], { stdout: { file: path }, stderr: 'pipe', reject: false });
      // Armed when tcpdump says so on stderr (or give up after 15 s).
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        const timer = setTimeout(
          () => reject(new Error(`capture on the peer host did not start: ${seen.trim()}`)),
          15_000,
        );
        child.stderr?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (/listening on /.test(seen)) {
            clearTimeout(timer);
            resolve();
          }
        });
        void child.then((r) => {
          clearTimeout(timer);
          reject(new Error(`capture command ended (exit ${r.exitCode}): ${seen.trim()}`));
        });
      });
      running.set(name, { child, path });
      const handle: CaptureHandle = { name };
      return handle;
    },
    async stop(handle) {
      const capture = running.get(handle.name);
      if (!capture) throw new Error(`no capture named ${handle.name}`);
      running.delete(handle.name);
      await new Promise((r) => setTimeout(r, 200));
      capture.child.kill('SIGINT');
      await capture.child;
      return capture.path;
    },
  };
}
