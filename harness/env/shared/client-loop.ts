/**
 * The client of the kind and existing providers' probes and ingress checks: one POSIX shell
 * loop per source, run by one `kubectl exec` (or one sidecar, or one ssh), that makes every
 * attempt of the probe and reports each as a JSON line (attempt-lines.ts).
 *
 * It sends what upstream's e2e sends, with the tools upstream runs in agnhost pods: curl to
 * agnhost netexec's `/clientip` (OVN-Kubernetes' egress_services.go, `curl -s ... http://<dst>/clientip`)
 * and, over UDP, the datagram `clientip` with nc; the loop itself is upstream's own pattern for
 * several requests from one exec (service.go's `for i in $(seq 1 N); do ...; curl ...; done`
 * through `kubectl exec ... -- /bin/sh -c`). An ICMP probe pings as upstream's e2e pings from
 * agnhost pods (e2e.go's checkConnectivityPingToHost: `ping` for IPv4 and `ping6` for IPv6, with
 * `-c` and `-W`), one echo request per attempt. It needs only sh, curl, nc, ping, ping6, printf,
 * tr, tail, sleep, cat and kill, which busybox provides; the lab runs it in its containers with
 * Debian's curl and netcat-openbsd (as agnhost installs them) and busybox's ping under busybox sh.
 */
import type { ProbeProtocol } from '../environment.js';

export interface ClientLoop {
  address: string;
  port: number;
  protocol: ProbeProtocol;
  /** What to ask agnhost netexec: the client address the server saw, or its name. */
  request: 'clientip' | 'hostname';
  attempts: number;
  /**
   * Bound of one TCP attempt (curl's --max-time), or of one echo request's wait for its reply
   * (ping's -W, in whole seconds). A UDP attempt waits one second for its answer (`nc -u -w 1`,
   * as upstream's external gateway tests run it): nc waits its whole -w after the answer too, so
   * a longer bound would cost every attempt that long.
   */
  timeoutMs: number;
  /** Pause between the end of one attempt and the start of the next. */
  intervalMs?: number;
  /** End after the first failed attempt. */
  stopOnFailure?: boolean;
  /** The client's own address (curl --interface, nc -s, ping -I). */
  source?: string;
  /** Run until stdin reaches end of file (background traffic), at most `attempts` attempts. */
  untilStdinCloses?: boolean;
}

/** Single-quoted for sh. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3).replace(/\.?0+$/, '');
}

/**
 * How long one attempt may wait for its answer: `timeoutMs`, except for ICMP, whose ping waits
 * in whole seconds (`-W`), rounded up. The caller's exec budget is made of it.
 */
export function attemptBoundMs(loop: Pick<ClientLoop, 'protocol' | 'timeoutMs'>): number {
  return loop.protocol === 'icmp' ? Math.max(1, Math.ceil(loop.timeoutMs / 1000)) * 1000 : loop.timeoutMs;
}

const CLIENTS: Record<ProbeProtocol, string> = { tcp: 'curl', udp: 'nc', icmp: 'ping' };

/**
 * One echo request and the wait for its reply. ping prints the reply's statistics, not an
 * answer: `reply` stands for it (ping exits 0 only when the reply came). Its last line is kept
 * for a failed attempt's error: busybox's ping exits 1 both when no reply came ("100% packet
 * loss") and when the pod may not open an ICMP socket (no CAP_NET_RAW), which is the cluster's
 * doing, not the implementation's.
 */
function pingCommand(loop: ClientLoop): string {
  const ping = loop.address.includes(':') ? 'ping6' : 'ping';
  return [
    `said=$(${ping} -c 1 -W ${attemptBoundMs(loop) / 1000}`,
    ...(loop.source ? [`-I ${quote(loop.source)}`] : []),
    `${quote(loop.address)} 2>&1); rc=$?; out=reply`,
  ].join(' ');
}

/**
 * The loop as one `sh -c` script. An answer keeps only the characters an address or a pod name
 * has (so a line is always valid JSON); a failure reports the client's exit code.
 */
export function clientLoopScript(loop: ClientLoop): string {
  const attempts = Math.max(1, Math.floor(loop.attempts));
  const request =
    loop.protocol === 'icmp'
      ? pingCommand(loop)
      : loop.protocol === 'tcp'
        ? [
            'out=$(curl -s',
            `--max-time ${seconds(loop.timeoutMs)}`,
            ...(loop.source ? [`--interface ${quote(loop.source)}`] : []),
            `-w '|%{time_total}' ${quote(`http://${urlHost(loop.address)}:${loop.port}/${loop.request}`)}); rc=$?`,
          ].join(' ')
        : [
            `out=$(echo ${loop.request} | nc -u`,
            '-w 1',
            ...(loop.source ? [`-s ${quote(loop.source)}`] : []),
            `${quote(loop.address)} ${loop.port}); rc=$?`,
          ].join(' ');
  const client = CLIENTS[loop.protocol];
  const lines = [
    'n=0',
    `while [ "$n" -lt ${attempts} ]; do`,
    '  n=$((n + 1))',
    // Where sleep takes whole seconds only, a second.
    ...(loop.intervalMs
      ? [`  if [ "$n" -gt 1 ]; then sleep ${seconds(loop.intervalMs)} 2>/dev/null || sleep 1; fi`]
      : []),
    `  ${request}`,
    ...(loop.protocol === 'tcp'
      ? [
          `  case "$out" in *'|'*) took=\${out##*|}; out=\${out%|*} ;; *) took= ;; esac`,
          '  case "$took" in \'\' | *[!0-9.]*) took= ;; *) took=",\\"seconds\\":$took" ;; esac',
        ]
      : ['  took=']),
    "  answer=$(printf '%s' \"$out\" | tr -cd 'A-Za-z0-9.:_\\133\\135-')",
    '  if [ "$rc" -eq 0 ] && [ -n "$answer" ]; then',
    `    printf '{"attempt":%d,"ok":true,"answer":"%s"%s}\\n' "$n" "$answer" "$took"`,
    '  else',
    ...(loop.protocol === 'icmp'
      ? [
          `    said=$(printf '%s' "$said" | tail -n 1 | tr -cd 'A-Za-z0-9 .,:%()_-')`,
          `    printf '{"attempt":%d,"ok":false,"error":"${client} exit %d: %s"%s}\\n' "$n" "$rc" "$said" "$took"`,
        ]
      : [`    printf '{"attempt":%d,"ok":false,"error":"${client} exit %d"%s}\\n' "$n" "$rc" "$took"`]),
    ...(loop.stopOnFailure ? ['    break'] : []),
    '  fi',
    'done',
  ];
  if (!loop.untilStdinCloses) return `${lines.join('\n')}\n`;
  // Background traffic: the loop runs beside a `cat` of stdin; when stdin ends, it is stopped.
  return [
    '(',
    ...lines.map((line) => `  ${line}`),
    ') &',
    'loop=$!',
    'cat >/dev/null',
    'kill "$loop" 2>/dev/null',
    'wait "$loop" 2>/dev/null',
    'exit 0',
    '',
  ].join('\n');
}

/** argv that runs the loop: `sh -c SCRIPT`. */
export function clientLoopArgv(loop: ClientLoop): string[] {
  return ['sh', '-c', clientLoopScript(loop)];
}
