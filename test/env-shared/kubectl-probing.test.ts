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

  it("binds the client to the peer's own address, so replies must route back to it", async () => {
    const calls: string[][] = [];
    const result = await runIngress({ ...request, protocol: 'tcp' }, async (argv) => {
      calls.push(argv);
      return { exitCode: 0, stdout: 'web-1\n', stderr: '', timedOut: false };
    });
    expect(result).toMatchObject({ attempts: 5, succeeded: 5, answeredBy: { 'web-1': 5 } });
    expect(calls[0]).toEqual([
      'curl',
      '-s',
      '--max-time',
      '3',
      '--interface',
      '198.51.100.20',
      'http://203.0.113.7:8080/hostname',
    ]);
    await runIngress({ ...request, protocol: 'udp' }, async (argv) => {
      calls.push(argv);
      return { exitCode: 0, stdout: 'web-1', stderr: '', timedOut: false };
    });
    expect(calls.at(-1)?.at(-1)).toBe('echo hostname | nc -u -w 3 -s 198.51.100.20 203.0.113.7 8080');
  });

  it('stops at the first unanswered attempt and says why', async () => {
    let made = 0;
    const result = await runIngress({ ...request, protocol: 'tcp' }, async () => {
      made++;
      return made === 2
        ? { exitCode: 28, stdout: '', stderr: 'Connection timed out', timedOut: false }
        : { exitCode: 0, stdout: 'web-1', stderr: '', timedOut: false };
    });
    expect(made).toBe(2);
    expect(result).toMatchObject({ attempts: 2, succeeded: 1 });
    expect(result.errors).toEqual(['attempt 2: exit 28 Connection timed out']);
  });
});
