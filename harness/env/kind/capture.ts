/**
 * Packet capture in a network namespace by a sidecar container: tcpdump from the tools image in
 * `--network container:<target>` (the peer, or a node), writing the pcap into a host directory.
 * The FRR image stays stock; nothing is installed into the peer.
 */
import type { ProbeProtocol } from '../environment.js';
import { ENV_LABEL, ROLE_LABEL } from './topology.js';

export interface CaptureSpec {
  envId: string;
  /** Container whose network namespace is captured. */
  target: string;
  container: string;
  hostDir: string;
  file: string;
  filter: string;
  toolsImage: string;
}

export function captureFilter(address: string, port: number, protocol: ProbeProtocol): string {
  return `host ${address} and ${protocol} port ${port}`;
}

export function captureStartArgv(spec: CaptureSpec): string[] {
  return [
    'docker',
    'run',
    '--detach',
    '--name',
    spec.container,
    '--label',
    `${ENV_LABEL}=${spec.envId}`,
    '--label',
    `${ROLE_LABEL}=capture`,
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

/** tcpdump prints "listening on ..." to stderr once the capture is armed. */
export function captureListening(logs: string): boolean {
  return /listening on /.test(logs);
}

export interface TcpdumpCounters {
  captured?: number;
  receivedByFilter?: number;
  droppedByKernel?: number;
}

export function parseTcpdumpCounters(logs: string): TcpdumpCounters {
  const value = (label: string) => {
    const match = new RegExp(`(\\d+) packets? ${label}`).exec(logs);
    return match ? Number(match[1]) : undefined;
  };
  const counters: TcpdumpCounters = {};
  const captured = value('captured');
  const received = value('received by filter');
  const dropped = value('dropped by kernel');
  if (captured !== undefined) counters.captured = captured;
  if (received !== undefined) counters.receivedByFilter = received;
  if (dropped !== undefined) counters.droppedByKernel = dropped;
  return counters;
}
