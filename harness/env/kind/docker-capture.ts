/** A CaptureSite in a container's network namespace, through a tcpdump sidecar (capture.ts). */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { captureListening, captureStartArgv } from './capture.js';
import { type CommandRunner, runChecked } from './command-runner.js';
import type { CaptureHandle, CaptureSite } from './probing.js';

export interface DockerCaptureOptions {
  envId: string;
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
      const container = `${options.envId}-cap-${safe}`;
      const file = `${safe}.pcap`;
      await mkdir(options.hostDir, { recursive: true });
      await runner.run(['docker', 'rm', '--force', container]);
      await runChecked(
        runner,
        captureStartArgv({
          envId: options.envId,
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
