/**
 * The probe clients that make all the attempts of a probe in one process, on a real lab: the
 * lab's client (`lab-probe-client --attempts`), the kind and existing providers' shell loop
 * (run here with busybox sh, curl and netcat-openbsd, the tools agnhost carries), and the
 * containers' command agent they run through. Packets are counted by tshark, independent of
 * our reader: a probe must put on the wire exactly what one request per exec did before.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeProtocol } from '../../harness/env/environment.js';
import { execIn } from '../../harness/env/lab/infra/docker.js';
import { destroyLab, Lab, newLabId } from '../../harness/env/lab/infra/index.js';
import { parseAttemptLines } from '../../harness/env/shared/attempt-lines.js';
import { clientLoopScript } from '../../harness/env/shared/client-loop.js';
import { attemptsOfRun } from '../../harness/env/shared/kubectl-probing.js';

const labId = newLabId();
let lab: Lab;
let artifacts: string;
const PODS = ['control-plane', 'worker', 'worker2'].map((node) => ({ node, pod: `client-${node}` }));

beforeAll(async () => {
  artifacts = await mkdtemp(path.join(os.tmpdir(), `egress-conformance-test-${labId}-`));
  lab = await Lab.create({ id: labId, secondaryNetwork: false });
  await Promise.all(PODS.map(({ node, pod }) => lab.createPod(node, pod)));
}, 600_000);

afterAll(async () => {
  await destroyLab(labId);
  await rm(artifacts, { recursive: true, force: true });
}, 120_000);

/** Packets toward `address:port` in a capture, by client port (one TCP connection or UDP socket each). */
async function packetsByClientPort(
  file: string,
  address: string,
  port: number,
): Promise<Map<string, number>> {
  const { stdout } = await execa('tshark', [
    '-r',
    file,
    '-Y',
    `${address.includes(':') ? 'ipv6' : 'ip'}.dst == ${address} && (tcp.dstport == ${port} || udp.dstport == ${port})`,
    '-T',
    'fields',
    '-e',
    'tcp.srcport',
    '-e',
    'udp.srcport',
  ]);
  const byPort = new Map<string, number>();
  for (const line of stdout.split('\n').filter((l) => l.trim())) {
    const key = line.replace(/\s+/g, '');
    byPort.set(key, (byPort.get(key) ?? 0) + 1);
  }
  return byPort;
}

/** One probe from every pod to the peer, captured there: each pod runs `send`. */
async function captured(
  name: string,
  protocol: ProbeProtocol,
  send: (node: string, pod: string, address: string, port: number) => Promise<unknown>,
): Promise<{ perConnection: number[]; attempts: unknown[] }> {
  const peer = lab.peer('peer');
  const address = peer.serviceAddresses.ipv4 as string;
  const capture = await lab.startCapture(
    'peer',
    `${name}-${labId}`,
    `${protocol} and port ${peer.probePort}`,
  );
  const attempts = await Promise.all(PODS.map(({ node, pod }) => send(node, pod, address, peer.probePort)));
  const result = await lab.stopCapture(capture, artifacts);
  expect(result.packetsDroppedByKernel).toBe(0);
  const byPort = await packetsByClientPort(result.path, address, peer.probePort);
  return { perConnection: [...byPort.values()].sort(), attempts };
}

describe('a probe in one client process per source', () => {
  for (const protocol of ['tcp', 'udp'] as const) {
    it(`puts on the wire what one exec per attempt did: ${protocol}, attempts x sources connections, the same packets each`, async () => {
      const attempts = 4;
      const before = await captured(`single-${protocol}`, protocol, async (node, pod, address, port) => {
        for (let i = 0; i < attempts; i++) await lab.podConnect(node, pod, address, port, protocol);
      });
      const after = await captured(`loop-${protocol}`, protocol, (node, pod, address, port) =>
        lab.podProbe(node, pod, address, port, protocol, { attempts }),
      );
      expect(before.perConnection).toHaveLength(attempts * PODS.length);
      expect(after.perConnection).toHaveLength(attempts * PODS.length);
      // Packets per connection toward the target: the same as before, connection by connection.
      expect(after.perConnection).toEqual(before.perConnection);
      expect(after.perConnection.every((n) => n === (protocol === 'tcp' ? 6 : 1))).toBe(true);
      const lines = (after.attempts as Array<Awaited<ReturnType<Lab['podProbe']>>>).flat();
      expect(lines).toHaveLength(attempts * PODS.length);
      expect(lines.every((l) => l.ok && l.answer && l.durationMs !== undefined && l.startedAtMs)).toBe(true);
    });
  }

  it('reports a refused attempt as a failure, and stops there when asked', async () => {
    const { node, pod } = PODS[0] as (typeof PODS)[number];
    const address = lab.peer('peer').serviceAddresses.ipv4 as string;
    const all = await lab.podProbe(node, pod, address, 9, 'tcp', { attempts: 3, timeoutMs: 1000 });
    expect(all.map((l) => [l.attempt, l.ok])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(all[0]?.error).toMatch(/refused/);
    const first = await lab.podProbe(node, pod, address, 9, 'tcp', { attempts: 3, stopOnFailure: true });
    expect(first.map((l) => l.attempt)).toEqual([1]);
  });

  it('runs background traffic until its stdin is closed', async () => {
    const { node, pod } = PODS[1] as (typeof PODS)[number];
    const address = lab.peer('peer').serviceAddresses.ipv6 as string;
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1000);
    const started = performance.now();
    const lines = await lab.podProbe(node, pod, address, 8080, 'udp', {
      attempts: 1000,
      intervalMs: 100,
      until: stop.signal,
    });
    const took = performance.now() - started;
    // About ten: one every 100 ms for a second, then it stopped (far from its bound of 1000).
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(took).toBeLessThan(5000);
    expect(lines.every((l) => l.ok)).toBe(true);
  });
});

describe("the kind and existing providers' client loop, under busybox sh with curl and netcat-openbsd", () => {
  const run = async (script: string, until?: AbortSignal) => {
    const { node, pod } = PODS[2] as (typeof PODS)[number];
    const result = await lab.podExec(node, pod, ['busybox', 'sh', '-c', script], {
      allowFailure: true,
      timeoutMs: 30_000,
      ...(until ? { stdinUntil: until } : {}),
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, timedOut: false };
  };

  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const protocol of ['tcp', 'udp'] as const) {
      it(`asks /clientip ${protocol} over ${family} and reports the address the server saw, per attempt`, async () => {
        const peer = lab.peer('peer');
        const loop = {
          address: peer.serviceAddresses[family] as string,
          port: peer.probePort,
          protocol,
          request: 'clientip',
          attempts: 3,
          timeoutMs: 2000,
        } as const;
        const result = await run(clientLoopScript(loop));
        expect(result.exitCode).toBe(0);
        const lines = attemptsOfRun(result, loop, 'loop');
        expect(lines.map((l) => l.attempt)).toEqual([1, 2, 3]);
        // Pods egress masqueraded to their node's address.
        const nodeAddress = lab.node('worker2').addresses[family] as string;
        for (const line of lines) {
          expect(line.ok).toBe(true);
          expect(line.answer).toMatch(
            new RegExp(
              `^${family === 'ipv6' ? `\\[${nodeAddress}\\]` : nodeAddress.replaceAll('.', '\\.')}:\\d+$`,
            ),
          );
          if (protocol === 'tcp') expect(line.durationMs).toBeGreaterThan(0);
        }
      });
    }
  }

  it("asks /hostname from the peer's own address and stops at the first unanswered attempt", async () => {
    const peer = lab.peer('peer');
    const refused = {
      address: peer.serviceAddresses.ipv4 as string,
      port: 9,
      protocol: 'tcp',
      request: 'hostname',
      attempts: 3,
      timeoutMs: 1000,
      stopOnFailure: true,
    } as const;
    const result = await run(clientLoopScript(refused));
    expect(parseAttemptLines(result.stdout)).toEqual([
      { attempt: 1, ok: false, error: 'curl exit 7', durationMs: expect.any(Number) },
    ]);
    const named = await run(clientLoopScript({ ...refused, port: peer.probePort }));
    expect(parseAttemptLines(named.stdout).map((l) => l.answer)).toEqual(['peer', 'peer', 'peer']);
  });

  it('runs until its stdin ends, one request per interval', async () => {
    const peer = lab.peer('peer');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1500);
    const loop = {
      address: peer.serviceAddresses.ipv4 as string,
      port: peer.probePort,
      protocol: 'tcp',
      request: 'clientip',
      attempts: 1000,
      timeoutMs: 1000,
      intervalMs: 200,
      untilStdinCloses: true,
    } as const;
    const result = await run(clientLoopScript(loop), stop.signal);
    expect(result.exitCode).toBe(0);
    const lines = attemptsOfRun(result, loop, 'loop');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(9);
    expect(lines.every((l) => l.ok)).toBe(true);
  });
});

describe('the command agent of a lab container', () => {
  const container = () => lab.node('worker').container;

  it('gives what docker exec gives: exit code, binary stdout, stderr, stdin, the timeout', async () => {
    const script = `printf '\\000\\001\\377'; head -c 3; echo to-stderr >&2; exit 3`;
    const viaAgent = await execIn(container(), ['sh', '-c', script], { input: 'abc', allowFailure: true });
    const previous = process.env.EC_LAB_EXEC;
    process.env.EC_LAB_EXEC = 'docker';
    try {
      const viaExec = await execIn(container(), ['sh', '-c', script], { input: 'abc', allowFailure: true });
      for (const result of [viaAgent, viaExec]) {
        expect(result.exitCode).toBe(3);
        expect([...result.stdoutBytes]).toEqual([0, 1, 255, 97, 98, 99]);
        expect(result.stderr).toBe('to-stderr\n');
      }
      const slow = await execIn(container(), ['sleep', '5'], { timeoutMs: 1000, allowFailure: true });
      expect(slow.exitCode).toBe(124);
    } finally {
      if (previous === undefined) delete process.env.EC_LAB_EXEC;
      else process.env.EC_LAB_EXEC = previous;
    }
    const slow = await execIn(container(), ['sleep', '5'], { timeoutMs: 1000, allowFailure: true });
    expect(slow.exitCode).toBe(124);
    await expect(execIn(container(), ['no-such-command'])).rejects.toThrow(/exit code 127/);
  });

  it('runs many commands at once, each with its own answer', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        execIn(container(), ['sh', '-c', `sleep 0.$((${i} % 3)); echo ${i}`]),
      ),
    );
    expect(results.map((r) => Number(r.stdout.trim()))).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
