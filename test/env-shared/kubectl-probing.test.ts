/** Ingress checks from a peer and probes from pods: what the client runs and how answers are counted. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterApi, KubeObject } from '../../harness/env/environment.js';
import {
  type CaptureSite,
  type ProbeDeps,
  runIngress,
  runProbe,
} from '../../harness/env/shared/kubectl-probing.js';
import { captureFilter } from '../../harness/env/shared/tcpdump.js';

describe('ingress checks from a peer', () => {
  const request = {
    peer: 'peer2',
    source: '198.51.100.20',
    address: '203.0.113.7',
    port: 8080,
    attempts: 5,
    timeoutMs: 3000,
  };

  const answered = (n: number, name = 'web-1') => `{"attempt":${n},"ok":true,"answer":"${name}"}`;

  it("makes every attempt in one command, bound to the peer's own address, so replies must route back to it", async () => {
    const calls: string[][] = [];
    const result = await runIngress({ ...request, protocol: 'tcp' }, async (argv) => {
      calls.push(argv);
      return {
        exitCode: 0,
        stdout: [1, 2, 3, 4, 5].map((n) => answered(n)).join('\n'),
        stderr: '',
        timedOut: false,
      };
    });
    expect(result).toMatchObject({ attempts: 5, succeeded: 5, answeredBy: { 'web-1': 5 } });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.slice(0, 2)).toEqual(['sh', '-c']);
    expect(calls[0]?.[2]).toContain(
      `curl -s --max-time 3 --interface '198.51.100.20' -w '|%{time_total}' 'http://203.0.113.7:8080/hostname'`,
    );
    expect(calls[0]?.[2]).toContain('while [ "$n" -lt 5 ]');
    await runIngress({ ...request, protocol: 'udp' }, async (argv) => {
      calls.push(argv);
      return { exitCode: 0, stdout: answered(1), stderr: '', timedOut: false };
    });
    expect(calls.at(-1)?.[2]).toContain(`echo hostname | nc -u -w 1 -s '198.51.100.20' '203.0.113.7' 8080`);
  });

  it('stops at the first unanswered attempt and says why', async () => {
    const result = await runIngress({ ...request, protocol: 'tcp' }, async () => ({
      exitCode: 0,
      stdout: `${answered(1)}\n{"attempt":2,"ok":false,"error":"curl exit 28"}\n`,
      stderr: '',
      timedOut: false,
    }));
    expect(result).toMatchObject({ attempts: 2, succeeded: 1 });
    expect(result.errors).toEqual(['attempt 2: curl exit 28']);
  });

  it('counts a client that died before it reported as an unanswered attempt', async () => {
    const result = await runIngress({ ...request, protocol: 'tcp' }, async () => ({
      exitCode: 137,
      stdout: answered(1),
      stderr: 'command terminated with exit code 137',
      timedOut: false,
    }));
    expect(result).toMatchObject({ attempts: 2, succeeded: 1 });
    expect(result.errors).toEqual([
      'attempt 2: client on peer2: exit 137: command terminated with exit code 137',
    ]);
  });
});

describe('an icmp probe from pods', () => {
  it('captures the echo flow, pings from each pod in one exec, and keeps no echoed client', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ec-icmp-probe-'));
    try {
      const captured = join(dir, 'captured.pcap');
      await writeFile(captured, '');
      const filters: string[] = [];
      const execs: string[][] = [];
      const budgets: number[] = [];
      const site: CaptureSite = {
        start: async (name, filter) => {
          filters.push(filter);
          return { name };
        },
        stop: async () => captured,
      };
      const pod: KubeObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web-0', namespace: 'ns' },
        spec: { nodeName: 'worker' },
        status: { podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00:10:244:1::5' }] },
      };
      const deps: ProbeDeps = {
        cluster: { get: async () => pod } as unknown as ClusterApi,
        podExec: async (_namespace, _pod, argv, timeoutMs) => {
          execs.push(argv);
          budgets.push(timeoutMs);
          return {
            exitCode: 0,
            stdout:
              '{"attempt":1,"ok":true,"answer":"reply"}\n{"attempt":2,"ok":false,"error":"ping exit 1"}\n',
            stderr: '',
            timedOut: false,
          };
        },
        target: async () => ({ address: '2001:db8:5100::10', site }),
        filter: captureFilter,
      };
      const evidence = await runProbe(
        {
          id: 'ping-ipv6-0',
          family: 'ipv6',
          sources: [{ namespace: 'ns', pod: 'web-0' }],
          target: { kind: 'peer', peer: 'peer' },
          protocol: 'icmp',
          port: 8080,
          attempts: 2,
          artifactDir: join(dir, 'artifacts'),
          timeoutMs: 1500,
        },
        deps,
      );
      expect(filters).toEqual(['host 2001:db8:5100::10 and ip6 protochain 58']);
      // ping waits whole seconds (-W 2 for 1.5 s): the exec's budget counts what it really waits.
      expect(budgets).toEqual([2 * 2000 + 30_000]);
      expect(execs).toHaveLength(1);
      expect(execs[0]?.[2]).toContain(`ping6 -c 1 -W 2 '2001:db8:5100::10'`);
      expect(execs[0]?.[2]).not.toMatch(/curl|nc -u/);
      expect(evidence.attempts).toEqual([
        { source: { namespace: 'ns', pod: 'web-0' }, node: 'worker', podIP: 'fd00:10:244:1::5', ok: true },
        {
          source: { namespace: 'ns', pod: 'web-0' },
          node: 'worker',
          podIP: 'fd00:10:244:1::5',
          ok: false,
          error: 'ping exit 1',
        },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
