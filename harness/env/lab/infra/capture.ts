/**
 * Packet capture on a peer with tcpdump. `startCapture` returns only once tcpdump reports
 * "listening on", so traffic sent afterwards is in the file; `stopCapture` waits a moment for
 * packets in flight, stops tcpdump with SIGINT (it then writes its counters), waits for it to
 * exit and copies the file out. `-U` writes every packet as it is captured and
 * `--immediate-mode` hands packets to tcpdump without buffering in the kernel.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execScript } from './docker.js';

const CAPTURE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;
const CAPTURE_DIR = '/run/lab/captures';

export interface CaptureHandle {
  peer: string;
  container: string;
  name: string;
  /** The pcap inside the peer container. */
  containerPath: string;
  filter: string;
  interface: string;
  pid: number;
}

export interface CaptureResult {
  /** Local copy of the pcap. */
  path: string;
  bytes: number;
  /** tcpdump's own counters (undefined when it printed none). */
  packetsCaptured?: number;
  packetsReceivedByFilter?: number;
  packetsDroppedByKernel?: number;
}

export interface StartCaptureOptions {
  /** Interface to capture on (default `any`: Linux cooked capture, all interfaces). */
  interface?: string;
  /** Capture inside this network namespace of the container (a pod's), not the container's own. */
  netns?: string;
  timeoutMs?: number;
}

export async function startCapture(
  peer: string,
  container: string,
  name: string,
  filter: string,
  options: StartCaptureOptions = {},
): Promise<CaptureHandle> {
  if (!CAPTURE_NAME.test(name)) throw new Error(`invalid capture name "${name}" (letters, digits, . _ -)`);
  const iface = options.interface ?? 'any';
  const file = `${CAPTURE_DIR}/${name}.pcap`;
  const log = `${CAPTURE_DIR}/${name}.log`;
  const tries = Math.ceil((options.timeoutMs ?? 10_000) / 10);
  // -Z root: Debian's tcpdump otherwise drops to its own user, which cannot write here.
  // -s/-B: in immediate mode libpcap uses a TPACKET_V2 ring of snaplen-sized slots; with the
  // default snaplen (256 KiB) and buffer (2 MiB) that is 8 packets, and a burst of a TCP
  // exchange overflows it ("dropped by kernel"). 64 KiB slots in 32 MiB hold about 480.
  const result = await execScript(
    container,
    `mkdir -p ${CAPTURE_DIR}
if [ -e ${file} ]; then echo "capture ${name} exists on ${peer}" >&2; exit 17; fi
set -- ${filter ? "'" + filter.replaceAll("'", `'\\''`) + "'" : ''}
setsid ${options.netns ? `ip netns exec '${options.netns}' ` : ''}tcpdump -i '${iface}' -n -U --immediate-mode -s 65535 -B 32768 -Z root -w ${file} "$@" >${log} 2>&1 </dev/null &
pid=$!
i=0
until grep -q 'listening on' ${log}; do
  if ! kill -0 $pid 2>/dev/null; then echo "tcpdump exited:" >&2; cat ${log} >&2; exit 1; fi
  i=$((i + 1)); if [ $i -gt ${tries} ]; then echo "tcpdump not listening:" >&2; cat ${log} >&2; kill $pid; exit 1; fi
  sleep 0.01
done
echo $pid`,
    { description: `start capture ${name} (${filter || 'no filter'})` },
  );
  return {
    peer,
    container,
    name,
    containerPath: file,
    filter,
    interface: iface,
    pid: Number(result.stdout.trim()),
  };
}

export interface StopCaptureOptions {
  /** Directory of the local copy (created if needed). */
  dir: string;
  /** Time given to packets in flight before tcpdump is stopped. Default 200 ms. */
  settleMs?: number;
  /** Keep the file in the container too (default: removed after copying). */
  keepInContainer?: boolean;
}

export async function stopCapture(
  handle: CaptureHandle,
  options: StopCaptureOptions,
): Promise<CaptureResult> {
  const settle = ((options.settleMs ?? 200) / 1000).toFixed(3);
  const log = `${CAPTURE_DIR}/${handle.name}.log`;
  // One exec: stop tcpdump, then its log (with the counters) on stderr and the file on stdout.
  const stopped = await execScript(
    handle.container,
    `sleep ${settle}
kill -INT ${handle.pid} 2>/dev/null || true
i=0
while kill -0 ${handle.pid} 2>/dev/null; do
  i=$((i + 1)); if [ $i -gt 500 ]; then kill -9 ${handle.pid}; echo "tcpdump did not stop" >&2; exit 1; fi
  sleep 0.01
done
cat ${log} >&2
cat ${handle.containerPath}
${options.keepInContainer ? '' : `rm -f ${handle.containerPath} ${log}`}`,
    { description: `stop capture ${handle.name}`, timeoutMs: 60_000 },
  );
  await mkdir(options.dir, { recursive: true });
  const local = path.join(options.dir, `${handle.name}.pcap`);
  await writeFile(local, stopped.stdoutBytes);
  return { path: local, bytes: stopped.stdoutBytes.length, ...parseTcpdumpCounters(stopped.stderr) };
}

/** tcpdump's exit summary: "N packets captured", "N packets received by filter", "N packets dropped by kernel". */
export function parseTcpdumpCounters(
  log: string,
): Pick<CaptureResult, 'packetsCaptured' | 'packetsReceivedByFilter' | 'packetsDroppedByKernel'> {
  const count = (label: string) => {
    const match = new RegExp(`(\\d+) packets? ${label}`).exec(log);
    return match ? Number(match[1]) : undefined;
  };
  const counters: Pick<
    CaptureResult,
    'packetsCaptured' | 'packetsReceivedByFilter' | 'packetsDroppedByKernel'
  > = {};
  const captured = count('captured');
  const received = count('received by filter');
  const dropped = count('dropped by kernel');
  if (captured !== undefined) counters.packetsCaptured = captured;
  if (received !== undefined) counters.packetsReceivedByFilter = received;
  if (dropped !== undefined) counters.packetsDroppedByKernel = dropped;
  return counters;
}
