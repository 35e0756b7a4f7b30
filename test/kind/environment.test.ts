/** The kind Environment's commands, against a recording runner and an in-memory cluster. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../harness/common/log.js';
import { KindEnvironment } from '../../harness/env/kind/environment.js';
import { planKind } from '../../harness/env/kind/provider.js';
import { KubeClient, type ObjectApi } from '../../harness/k8s/client.js';
import { kindOptions, recordingRunner } from './support.js';

/** Ready nodes, each in its own zone as kind.sh labels them, unless `unzoned` says otherwise. */
function clusterWithReadyNodes(names: string[], unzoned: () => string[] = () => []): KubeClient {
  const node = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: unzoned().includes(name) ? {} : { 'k8s.ovn.org/zone-name': name } },
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
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));
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
    expect(after.some((a) => a.includes('k8s.ovn.org/zone-name'))).toBe(false);
    await expect(env.failNode('nope')).rejects.toThrow(/no node "nope"/);
  });

  it('puts a node that was removed and registered again back in its zone, and restarts its ovnkube-node', async () => {
    const unzoned = new Set([names[2] as string]);
    const { runner, calls } = recordingRunner((argv) => {
      // The label kind.sh gave the node comes back with our kubectl label.
      if (argv.includes('label') && argv.some((a) => a.startsWith('k8s.ovn.org/zone-name='))) unzoned.clear();
      return undefined;
    });
    const env = new KindEnvironment({
      topology,
      cluster: clusterWithReadyNodes(names, () => [...unzoned]),
      runner,
      log: silentLogger(),
      secrets,
      reused: false,
      sleep: async () => undefined,
    });
    await env.restoreNode(names[2]!);
    const commands = calls.map((c) => c.argv.join(' '));
    expect(commands).toContain(
      `kubectl --kubeconfig ${topology.kubeconfigPath} --context ${topology.context} label node ${names[2]} k8s.ovn.org/zone-name=${names[2]} --overwrite`,
    );
    expect(
      commands.some((c) =>
        c.includes(
          `delete pod -n ovn-kubernetes -l name=ovnkube-node --field-selector spec.nodeName=${names[2]}`,
        ),
      ),
    ).toBe(true);
  });

  it('restores the plain-table routing of the second network after a restart', async () => {
    const table = planKind(kindOptions({ workDir, networkRouting: 'table', gatewayMode: 'local' }, ['ipv4']));
    const { runner, calls } = recordingRunner();
    const env = new KindEnvironment({
      topology: table.topology,
      cluster: clusterWithReadyNodes(names),
      runner,
      log: silentLogger(),
      secrets: table.secrets,
      reused: false,
    });
    await env.restoreNode(names[1]!);
    const commands = calls.map((c) => c.argv.join(' '));
    expect(commands).toContain(
      `docker exec ${names[1]} ip route replace 198.51.100.20/32 via 10.212.1.100 table 100`,
    );
    expect(commands.some((c) => c.includes('type vrf'))).toBe(false);
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
