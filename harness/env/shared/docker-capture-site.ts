/**
 * Packet capture in a container's network namespace (a peer, or a node) by a sidecar: tcpdump
 * from the tools image in `--network container:<target>`, writing the pcap into a host
 * directory. Nothing is installed into the target.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CommandRunner, runChecked } from './command-runner.js';
import { dockerLabelArgs, type EnvironmentLabel } from './docker-labels.js';
import type { CaptureHandle, CaptureSite } from './kubectl-probing.js';
import { captureListening } from './tcpdump.js';

export interface CaptureSpec {
  label: EnvironmentLabel;
  /** Container whose network namespace is captured. */
  target: string;
  container: string;
  hostDir: string;
  file: string;
  filter: string;
  toolsImage: string;
}

export function captureStartArgv(spec: CaptureSpec): string[] {
  return [
    'docker',
    'run',
    '--detach',
    '--name',
    spec.container,
    ...dockerLabelArgs(spec.label, 'capture'),
    '--network',
    `container:${spec.target}`,
    '--cap-add',
    'NET_ADMIN',
    '--cap-add',
    'NET_RAW',
    '--volume',
    `${spec.hostDir}:/captures`,
    spec.toolsImage,
    'tcpdump',
    '-i',
    'any',
    '-n',
    '-U',
    '--immediate-mode',
    '-w',
    `/captures/${spec.file}`,
    spec.filter,
  ];
}

export interface DockerCaptureOptions {
  label: EnvironmentLabel;
  /** Container whose network namespace is captured (a peer or a node). */
  target: string;
  toolsImage: string;
  hostDir: string;
  sleep?: (ms: number) => Promise<void>;
}

interface DockerHandle extends CaptureHandle {
  container: string;
  file: string;
}

export function dockerCaptureSite(runner: CommandRunner, options: DockerCaptureOptions): CaptureSite {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    async start(name, filter) {
      const safe = name.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 60);
      const container = `${options.label.id}-cap-${safe}`;
      const file = `${safe}.pcap`;
      await mkdir(options.hostDir, { recursive: true });
      await runner.run(['docker', 'rm', '--force', container]);
      await runChecked(
        runner,
        captureStartArgv({
          label: options.label,
          target: options.target,
          container,
          hostDir: options.hostDir,
          file,
          filter,
          toolsImage: options.toolsImage,
        }),
      );
      for (let waited = 0; ; waited += 100) {
        const logs = await runner.run(['docker', 'logs', container]);
        if (captureListening(`${logs.stdout}\n${logs.stderr}`)) break;
        const state = await runner.run(['docker', 'inspect', '--format', '{{.State.Running}}', container]);
        if (state.stdout.trim() === 'false' || waited >= 10_000) {
          await runner.run(['docker', 'rm', '--force', container]);
          throw new Error(
            `tcpdump in ${options.target}'s namespace did not start: ${(logs.stderr || logs.stdout).trim()}`,
          );
        }
        await sleep(100);
      }
      const handle: DockerHandle = { name, container, file };
      return handle;
    },
    async stop(handle) {
      const { container, file } = handle as DockerHandle;
      // Packets in flight reach the capture before it stops.
      await sleep(200);
      await runner.run(['docker', 'kill', '--signal', 'INT', container]);
      await runner.run(['docker', 'wait', container], { timeoutMs: 15_000 });
      await runner.run(['docker', 'rm', '--force', container]);
      return join(options.hostDir, file);
    },
  };
}
