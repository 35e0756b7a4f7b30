/** Pure readers and command builders the kind and existing providers share: FRR's BGP JSON, tcpdump, the pod client. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBgpRoutes } from '../../harness/env/shared/bgp-table.js';
import { clientLoopScript } from '../../harness/env/shared/client-loop.js';
import { captureStartArgv } from '../../harness/env/shared/docker-capture-site.js';
import { podAddress } from '../../harness/env/shared/kubectl-probing.js';
import { captureFilter, captureListening, parseTcpdumpCounters } from '../../harness/env/shared/tcpdump.js';

describe('readers', () => {
  it('reads learnt routes with their global next hops from FRR JSON', () => {
    const v4 = parseBgpRoutes(readFileSync('test/fixtures/kind/show-bgp-ipv4.json', 'utf8'));
    expect(v4).toEqual([{ prefix: '203.0.113.1/32', nextHops: ['10.212.0.3'] }]);
    const v6 = parseBgpRoutes(readFileSync('test/fixtures/kind/show-bgp-ipv6.json', 'utf8'));
    expect(v6).toEqual([{ prefix: '2001:db8:113::1/128', nextHops: ['fd65:6563:1::3', 'fd65:6563:1::4'] }]);
    expect(() => parseBgpRoutes('% BGP instance not found')).toThrow(/not answer with JSON/);
  });

  it('reads tcpdump output', () => {
    expect(captureListening('tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2)')).toBe(true);
    expect(
      parseTcpdumpCounters('12 packets captured\n14 packets received by filter\n0 packets dropped by kernel'),
    ).toEqual({
      captured: 12,
      receivedByFilter: 14,
      droppedByKernel: 0,
    });
    expect(captureFilter('10.212.0.100', 8080, 'udp')).toBe('host 10.212.0.100 and udp port 8080');
    const argv = captureStartArgv({
      label: { key: 'egress-conformance.io/kind-env', id: 'e' },
      target: 'e-peer',
      container: 'e-cap-x',
      hostDir: '/h',
      file: 'x.pcap',
      filter: 'host 1.2.3.4',
      toolsImage: 'tools',
    });
    expect(argv).toEqual(
      expect.arrayContaining([
        'container:e-peer',
        '/h:/captures',
        'tcpdump',
        '/captures/x.pcap',
        'egress-conformance.io/kind-env=e',
        'egress-conformance.io/role=capture',
      ]),
    );
    expect(argv).not.toContain('--privileged');
  });

  it("builds the pod client loop with upstream's requests and finds a pod's address per family", () => {
    const loop = { port: 8080, request: 'clientip', attempts: 3, timeoutMs: 2000 } as const;
    // What upstream's egress_services.go runs in a pod (curl -s --max-time ... /clientip), per attempt.
    expect(clientLoopScript({ ...loop, address: 'fd65::100', protocol: 'tcp' })).toContain(
      `curl -s --max-time 2 -w '|%{time_total}' 'http://[fd65::100]:8080/clientip'`,
    );
    expect(clientLoopScript({ ...loop, address: '10.0.0.1', protocol: 'udp' })).toContain(
      `echo clientip | nc -u -w 1 '10.0.0.1' 8080`,
    );
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { nodeName: 'n1' },
      status: { podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00:10:244:1::5' }] },
    };
    expect(podAddress(pod, 'ipv6')).toEqual({ ip: 'fd00:10:244:1::5', node: 'n1' });
  });
});
