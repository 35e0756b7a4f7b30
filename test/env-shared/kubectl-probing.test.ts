/** Ingress checks from a peer: what the client runs and how answers are counted. */
import { describe, expect, it } from 'vitest';
import { runIngress } from '../../harness/env/shared/kubectl-probing.js';

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
