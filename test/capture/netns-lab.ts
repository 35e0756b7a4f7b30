/**
 * A two-namespace lab for real captures: namespaces A and B joined by a veth pair, with documentation
 * addresses (198.51.100.0/24, 2001:db8::/64). Traffic only ever goes between the two ends.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const A4 = '198.51.100.1';
export const B4 = '198.51.100.2';
export const A6 = '2001:db8::1';
export const B6 = '2001:db8::2';
export const TCP_PORT = 8080;
export const UDP_PORT = 5353;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export class NetnsLab {
  readonly nsA: string;
  readonly nsB: string;
  readonly vethA: string;
  readonly vethB: string;
  private readonly children: ChildProcess[] = [];

  constructor(runId: string) {
    this.nsA = `ec-a-${runId}`;
    this.nsB = `ec-b-${runId}`;
    // Interface names are limited to 15 characters.
    this.vethA = `eca${runId}`.slice(0, 15);
    this.vethB = `ecb${runId}`.slice(0, 15);
  }

  up(): void {
    ip('netns', 'add', this.nsA);
    ip('netns', 'add', this.nsB);
    ip('link', 'add', this.vethA, 'type', 'veth', 'peer', 'name', this.vethB);
    ip('link', 'set', this.vethA, 'netns', this.nsA);
    ip('link', 'set', this.vethB, 'netns', this.nsB);
    for (const [ns, dev, v4, v6] of [
      [this.nsA, this.vethA, A4, A6],
      [this.nsB, this.vethB, B4, B6],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', dev);
      ip('-n', ns, 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
  }

  /**
   * Starts a process in a namespace and resolves once `ready` matches its output (stdout or stderr),
   * e.g. tcpdump's "listening on".
   */
  start(ns: string, command: string[], ready: RegExp, timeoutMs = 15_000): Promise<ChildProcess> {
    const child = spawn('ip', ['netns', 'exec', ns, ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`${command[0]} not ready: ${output}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (ready.test(output)) {
          clearTimeout(timer);
          resolve(child);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (!ready.test(output)) reject(new Error(`${command[0]} exited (${code}) before ready: ${output}`));
      });
    });
  }

  /** Runs a process in a namespace to completion. */
  run(ns: string, command: string[], timeoutMs = 30_000): string {
    return execFileSync('ip', ['netns', 'exec', ns, ...command], { timeout: timeoutMs, encoding: 'utf8' });
  }

  /** Sends SIGINT (capture tools flush and exit on it) and waits for the exit. */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Stops whatever this lab started and deletes the namespaces (and with them the veth pair). */
  async down(): Promise<void> {
    for (const child of this.children) await this.stop(child);
    for (const ns of [this.nsA, this.nsB]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // Already gone, or never made: nothing to clean.
      }
    }
  }
}

/** Echo servers for TCP and UDP on B's addresses; prints "ready" once all listen. Lives at most 60 s. */
const SERVER = `
import net from 'node:net';
import dgram from 'node:dgram';
let pending = 4;
const listening = () => { if (--pending === 0) console.log('ready'); };
for (const host of ['${B4}', '${B6}']) {
  net.createServer((c) => {
    c.on('data', (d) => c.write(d));
    c.on('end', () => c.end());
    c.on('error', () => {});
  }).listen(${TCP_PORT}, host, listening);
  const u = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  u.on('message', (m, r) => u.send(m, r.port, r.address));
  u.bind(${UDP_PORT}, host, listening);
}
setTimeout(() => process.exit(0), 60_000);
`;

/**
 * The client's traffic, from A to B: TCP connections with a payload echoed back, UDP datagrams echoed
 * back, UDP to a closed port (ICMP / ICMPv6 port unreachable), and datagrams larger than the MTU
 * (IPv4 fragments, IPv6 fragment headers). Every wait is bounded.
 */
const CLIENT = `
import net from 'node:net';
import dgram from 'node:dgram';
const within = (ms, p) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), ms))]);
async function tcp(host, count) {
  for (let i = 0; i < count; i++) {
    await within(5000, new Promise((resolve, reject) => {
      const c = net.connect({ host, port: ${TCP_PORT} }, () => c.write('hello ' + i));
      c.on('data', () => c.end());
      c.on('close', resolve);
      c.on('error', reject);
    }));
  }
}
async function udp(host, port, count, size, expectReply) {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  s.on('error', () => {});
  for (let i = 0; i < count; i++) {
    const reply = new Promise((resolve) => s.once('message', resolve));
    s.send(Buffer.alloc(size, 65 + i), port, host);
    await (expectReply ? within(3000, reply) : new Promise((r) => setTimeout(r, 200)));
  }
  s.close();
}
await tcp('${B4}', 5);
await tcp('${B6}', 3);
await udp('${B4}', ${UDP_PORT}, 4, 32, true);
await udp('${B6}', ${UDP_PORT}, 3, 32, true);
await udp('${B4}', 9, 1, 8, false);
await udp('${B6}', 9, 1, 8, false);
await udp('${B4}', ${UDP_PORT}, 1, 3000, true);
await udp('${B6}', ${UDP_PORT}, 1, 3000, true);
console.log('done');
`;

/** Writes the traffic scripts into `dir`; returns their paths. */
export function writeTrafficScripts(dir: string): { server: string; client: string } {
  const server = join(dir, 'server.mjs');
  const client = join(dir, 'client.mjs');
  writeFileSync(server, SERVER);
  writeFileSync(client, CLIENT);
  return { server, client };
}
