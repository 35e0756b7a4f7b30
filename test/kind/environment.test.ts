/** The kind Environment's commands, against a recording runner and an in-memory cluster. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../harness/common/log.js';
import { KindEnvironment } from '../../harness/env/kind/environment.js';
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
