/** The kind Environment's commands, against a recording runner and an in-memory cluster. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../harness/common/log.js';
import { KindEnvironment } from '../../harness/env/kind/environment.js';
import { runIngress } from '../../harness/env/kind/probing.js';
import { planKind } from '../../harness/env/kind/provider.js';
import { KubeClient, type ObjectApi } from '../../harness/k8s/client.js';
import { kindOptions, recordingRunner } from './support.js';

function clusterWithReadyNodes(names: string[]): KubeClient {
  const node = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      addresses: [{ type: 'InternalIP', address: '10.212.0.3' }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
  const api = {
    list: async () => ({ items: names.map(node) }),
  } as unknown as ObjectApi;
  return new KubeClient(api, { sleep: async () => undefined });
}

describe('KindEnvironment', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'ec-kind-env-'));
  const { topology, secrets } = planKind(kindOptions({ workDir }, ['ipv4']));
  const names = topology.nodes.map((n) => n.name);

  it('fails a node by stopping its container and restores it with the same setup actions', async () => {
    const { runner, calls } = recordingRunner();
    const env = new KindEnvironment({
      topology,
      cluster: clusterWithReadyNodes(names),
      runner,
      log: silentLogger(),
      secrets,
      reused: false,
    });
    await env.failNode(names[1]!);
    expect(calls[0]?.argv).toEqual(['docker', 'stop', '--time', '5', names[1]]);
    await env.restoreNode(names[1]!);
    const after = calls.slice(1).map((c) => c.argv.join(' '));
    expect(after[0]).toBe(`docker start ${names[1]}`);
    expect(after.some((a) => a.includes('sysctl -w net.ipv6.conf.all.disable_ipv6=0'))).toBe(true);
    expect(after.some((a) => a.includes('ip link add ec-net2 type vrf table 100'))).toBe(true);
    expect(after.some((a) => a.startsWith('docker network connect'))).toBe(false);
    await expect(env.failNode('nope')).rejects.toThrow(/no node "nope"/);
  });

  it('reads a peer BGP table through vtysh', async () => {
    const json = readFileSync('test/fixtures/kind/show-bgp-ipv4.json', 'utf8');
    const { runner, calls } = recordingRunner(() => ({ stdout: json }));
    const env = new KindEnvironment({
      topology,
      cluster: clusterWithReadyNodes(names),
      runner,
      log: silentLogger(),
      secrets,
      reused: false,
    });
    expect(await env.bgpRoutes('peer', 'ipv4')).toEqual([
      { prefix: '203.0.113.1/32', nextHops: ['10.212.0.3'] },
    ]);
    expect(calls[0]?.argv).toEqual([
      'docker',
      'exec',
      'eck-test-peer',
      'vtysh',
      '-c',
      'show bgp ipv4 unicast json',
    ]);
  });

  it('writes a diagnostics bundle, one file per command, with an index', async () => {
    const { runner } = recordingRunner((argv) =>
      argv.includes('vtysh') ? { exitCode: 1, stderr: 'down' } : { stdout: `out of ${argv[0]}` },
    );
    const env = new KindEnvironment({
      topology,
      cluster: clusterWithReadyNodes(names),
      runner,
      log: silentLogger(),
      secrets,
      reused: false,
    });
    const dir = join(workDir, 'diag');
    await env.collectDiagnostics('ec-ns', dir);
    const index = readFileSync(join(dir, 'INDEX.txt'), 'utf8');
    for (const file of [
      'namespace-objects.yaml',
      'egressservices.yaml',
      'nodes.txt',
      'ovnkube-node.log',
      'metallb.log',
      'peer-bgp.txt',
      'peer-frr.log',
      `${names[0]}-network.txt`,
    ]) {
      expect(index).toContain(file);
    }
    expect(readFileSync(join(dir, 'peer-bgp.txt'), 'utf8')).toContain('# exit 1');
    expect(readFileSync(join(dir, `${names[0]}-network.txt`), 'utf8')).toContain('out of docker');
  });

  it('tears down what it created, and leaves a reused or kept environment up', async () => {
    const created = recordingRunner();
    await new KindEnvironment({
      topology,
      cluster: clusterWithReadyNodes(names),
      runner: created.runner,
      log: silentLogger(),
      secrets,
      reused: false,
    }).close({ keep: false });
    expect(created.calls.map((c) => c.argv.slice(0, 3).join(' '))).toEqual([
      'kind delete cluster',
      'docker rm --force',
      'docker network rm',
      'docker network rm',
    ]);
    const reused = recordingRunner();
    await new KindEnvironment({
      topology,
      cluster: clusterWithReadyNodes(names),
      runner: reused.runner,
      log: silentLogger(),
      secrets,
      reused: true,
    }).close({ keep: false });
    const kept = recordingRunner();
    await new KindEnvironment({
      topology,
      cluster: clusterWithReadyNodes(names),
      runner: kept.runner,
      log: silentLogger(),
      secrets,
      reused: false,
    }).close({ keep: true });
    expect([...reused.calls, ...kept.calls]).toEqual([]);
  });
});

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
