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
import { formatArgv, type PlannedAction, shellQuote } from '../kind/actions.js';
import type { FrrStaticFiles } from '../kind/bring-up.js';
import type { CommandResult, CommandRunner } from '../kind/command-runner.js';
import { frrPeerAttachArgs, renderPeerFrrConfig } from '../kind/frr-peer.js';
import type { CaptureHandle, CaptureSite } from '../kind/probing.js';
import { ENV_LABEL, type KindPeer, ROLE_LABEL } from '../kind/topology.js';
import type { ExistingSettings } from './settings.js';

export const EXISTING_DEFAULT_IMAGES = {
  agnhost: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
  tools: 'docker.io/nicolaka/netshoot:v0.13',
  frr: 'quay.io/frrouting/frr:9.1.0',
} as const;

/** The container peer as a KindPeer, so that it gets exactly the kind peers' FRR config. */
export function containerPeer(
  envId: string,
  s: ExistingSettings,
  workDir: string,
  families: IpFamily[],
): KindPeer {
  const pick = (v: { ipv4?: string | undefined; ipv6?: string | undefined } | undefined) =>
    Object.fromEntries(families.filter((f) => v?.[f]).map((f) => [f, v?.[f] as string]));
  return {
    name: 'peer',
    container: `${envId}-peer`,
    probeContainer: `${envId}-peer-probe`,
    network: 'default',
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
  peer: KindPeer,
  s: ExistingSettings,
  families: IpFamily[],
  files: FrrStaticFiles,
): PlannedAction[] {
  const images = { ...EXISTING_DEFAULT_IMAGES, ...s.images };
  const labels = (role: string) => ['--label', `${ENV_LABEL}=${envId}`, '--label', `${ROLE_LABEL}=${role}`];
  const nodeAsnConfig = renderPeerFrrConfig(peer, {
    families,
    bgpAuth: s.peer.bgpPassword !== undefined,
    nodeAsn: s.nodeAsn,
  });
  return [
    {
      type: 'write',
      phase: 'peer',
      title: 'FRR config of the peer',
      path: join(peer.configDir, 'frr.conf'),
      content: nodeAsnConfig,
    },
    {
      type: 'write',
      phase: 'peer',
      title: 'FRR daemons of the peer',
      path: join(peer.configDir, 'daemons'),
      content: files.daemons,
    },
    {
      type: 'write',
      phase: 'peer',
      title: 'vtysh.conf of the peer',
      path: join(peer.configDir, 'vtysh.conf'),
      content: files.vtysh,
    },
    {
      type: 'run',
      phase: 'peer',
      title: `start the peer (stock FRR image) on ${peer.dockerNetwork}`,
      argv: [
        'docker',
        'run',
        '--detach',
        '--name',
        peer.container,
        ...labels('peer'),
        ...frrPeerAttachArgs(peer),
        '--volume',
        `${peer.configDir}:/etc/frr`,
        images.frr,
      ],
    },
    {
      type: 'run',
      phase: 'peer',
      title: "start the probe server in the peer's network namespace",
      argv: [
        'docker',
        'run',
        '--detach',
        '--name',
        peer.probeContainer,
        ...labels('peer-probe'),
        '--network',
        `container:${peer.container}`,
        images.agnhost,
        'netexec',
        `--http-port=${s.peer.probePort}`,
        `--udp-port=${s.peer.probePort}`,
      ],
    },
  ];
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

export { shellQuote };
