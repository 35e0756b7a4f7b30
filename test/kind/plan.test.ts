/**
 * The kind provider's plan: pinned by snapshots for every family and mode, and checked for what
 * upstream's kind setups require (order, flags, no secrets). Nothing here needs Docker or kind.
 */
import { describe, expect, it } from 'vitest';
import { kindProvider, planKind } from '../../harness/env/kind/provider.js';
import { egressIPRange } from '../../harness/env/kind/topology.js';
import { printPlan, type RunAction } from '../../harness/env/shared/planned-actions.js';
import { FIXED, kindOptions } from './support.js';

const VARIANTS = [
  { file: 'ipv4-shared-frr-k8s', settings: {}, families: ['ipv4'] },
  { file: 'ipv6-shared-frr-k8s', settings: {}, families: ['ipv6'] },
  { file: 'dual-shared-frr-k8s', settings: {}, families: ['ipv4', 'ipv6'] },
  { file: 'ipv4-local-frr-k8s', settings: { gatewayMode: 'local' }, families: ['ipv4'] },
  { file: 'ipv4-shared-frr', settings: { metallbMode: 'frr' }, families: ['ipv4'] },
  {
    file: 'dual-local-frr',
    settings: { gatewayMode: 'local', metallbMode: 'frr' },
    families: ['ipv4', 'ipv6'],
  },
] as const;

describe('kind bring-up plan', () => {
  for (const v of VARIANTS) {
    it(`is pinned for ${v.file}`, async () => {
      const text = kindProvider.printPlan(kindOptions(v.settings, [...v.families]));
      await expect(text).toMatchFileSnapshot(`__snapshots__/plan-${v.file}.txt`);
    });
  }

  it('runs in upstream order: networks, peers, cluster, VRF, OVN-Kubernetes, MetalLB', () => {
    const { actions } = planKind(kindOptions({}, ['ipv4', 'ipv6']));
    const phases = [...new Set(actions.map((a) => a.phase))];
    expect(phases).toEqual(['networks', 'peers', 'cluster', 'vrf', 'ovn-kubernetes', 'metallb']);
    const titles = actions.map((a) => a.title);
    const index = (needle: string) => titles.findIndex((t) => t.includes(needle));
    expect(index('install OVN-Kubernetes')).toBeLessThan(index('wait for daemonset ovnkube-node'));
    expect(index('wait for the MetalLB controller')).toBeLessThan(index('BGPPeers for every node'));
  });

  it('creates kind on its own network and installs OVN-Kubernetes with EgressService and the gateway mode', () => {
    const { actions } = planKind(kindOptions({ gatewayMode: 'local' }, ['ipv4']));
    const runs = actions.filter((a): a is RunAction => a.type === 'run');
    const create = runs.find((a) => a.argv.slice(0, 3).join(' ') === 'kind create cluster');
    expect(create?.env).toEqual({ KIND_EXPERIMENTAL_DOCKER_NETWORK: FIXED.id });
    expect(create?.argv).toContain('--retain');
    const helm = runs.find((a) => a.argv.includes('ovn-kubernetes') && a.argv.includes('upgrade'));
    expect(helm?.argv).toEqual(
      expect.arrayContaining(['global.enableEgressService=true', 'global.gatewayMode=local']),
    );
    expect(helm?.argv).toEqual(
      expect.arrayContaining([`k8sAPIServer=https://${FIXED.id}-control-plane:6443`]),
    );
    expect(helm?.argv).toEqual(expect.arrayContaining(['podNetwork=10.244.0.0/16/24']));
  });

  it('selects MetalLB FRR-K8s mode by default and FRR mode on request', () => {
    const helmSets = (settings: Record<string, unknown>) =>
      planKind(kindOptions(settings))
        .actions.filter(
          (a): a is RunAction => a.type === 'run' && a.argv.includes('metallb') && a.argv.includes('upgrade'),
        )
        .flatMap((a) => a.argv);
    expect(helmSets({})).toEqual(
      expect.arrayContaining(['frrk8s.enabled=true', 'speaker.frr.enabled=false']),
    );
    expect(helmSets({ metallbMode: 'frr' })).toEqual(
      expect.arrayContaining(['frrk8s.enabled=false', 'speaker.frr.enabled=true']),
    );
  });

  it('retries the first MetalLB configuration like MetalLB dev-env (6 tries, doubling from 2 s)', () => {
    const apply = planKind(kindOptions()).actions.find(
      (a): a is RunAction => a.type === 'run' && a.title.startsWith('BGPPeers'),
    );
    expect(apply?.retry).toEqual({ attempts: 6, delayMs: 2000, backoff: 2 });
    expect(apply?.manifests?.map((m) => m.kind)).toEqual(['BGPPeer', 'BGPPeer']);
  });

  it('starts stock FRR peers with capabilities by name, never --privileged, and sidecars in their namespace', () => {
    const runs = planKind(kindOptions({}, ['ipv4', 'ipv6'])).actions.filter(
      (a): a is RunAction => a.type === 'run',
    );
    const all = runs.flatMap((a) => a.argv);
    expect(all).not.toContain('--privileged');
    const peer = runs.find((a) => a.argv.includes(`${FIXED.id}-peer`) && a.argv.includes('--cap-add'));
    expect(peer?.argv).toEqual(
      expect.arrayContaining(['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'quay.io/frrouting/frr:9.1.0']),
    );
    const probe = runs.find((a) => a.argv.includes(`${FIXED.id}-peer-probe`));
    expect(probe?.argv).toEqual(expect.arrayContaining([`container:${FIXED.id}-peer`, 'netexec']));
  });

  it('puts the second network in a VRF on every node, with peer2 routed in its table', () => {
    const { actions, topology } = planKind(kindOptions({}, ['ipv4', 'ipv6']));
    for (const node of topology.nodes) {
      const nodeRuns = actions.filter((a): a is RunAction => a.type === 'run' && a.argv.includes(node.name));
      const text = nodeRuns.map((a) => a.argv.join(' ')).join('\n');
      expect(text).toContain('ip link add ec-net2 type vrf table 100');
      expect(text).toContain('route replace 198.51.100.20/32 via 10.212.1.100 vrf ec-net2');
      expect(text).toContain('-6 route replace 2001:db8:5100::20/128 via fd65:6563:2::100 vrf ec-net2');
    }
    const none = planKind(kindOptions({ secondaryNetwork: false })).actions;
    expect(none.some((a) => a.phase === 'vrf')).toBe(false);
  });

  it('never prints or describes the BGP password, and marks where it goes', () => {
    const secret = 'S3cret-pa55-Value';
    const options = kindOptions({ bgpPassword: secret }, ['ipv4', 'ipv6']);
    const text = kindProvider.printPlan(options);
    expect(text).not.toContain(secret);
    expect(text).toContain('password <redacted:bgpPassword>');
    expect(text).toContain('passwordSecret');
    expect(JSON.stringify(kindProvider.plannedDescription(options))).not.toContain(secret);
    const { actions, secrets } = planKind(options);
    expect(JSON.stringify(actions)).not.toContain(secret);
    expect(secrets).toEqual({ bgpPassword: secret });
  });

  it('derives a stable id from the settings, so that a later run finds the same environment', () => {
    const a = planKind({ settings: {}, families: ['ipv4'] }).topology.id;
    const b = planKind({ settings: {}, families: ['ipv4'] }).topology.id;
    const c = planKind({ settings: {}, families: ['ipv6'] }).topology.id;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^eck-[0-9a-f]{6}$/);
  });

  it('describes the planned environment without creating anything', () => {
    const d = kindProvider.plannedDescription(kindOptions({ gatewayMode: 'shared' }, ['ipv4', 'ipv6']));
    expect(d.provider).toBe('kind');
    expect(d.nodes.map((n) => n.name)).toEqual([
      `${FIXED.id}-control-plane`,
      `${FIXED.id}-worker`,
      `${FIXED.id}-worker2`,
    ]);
    expect(d.peers.map((p) => [p.name, p.network, p.addresses.ipv4])).toEqual([
      ['peer', 'default', '10.212.0.100'],
      ['peer2', 'secondary', '198.51.100.20'],
    ]);
    expect(d.networks.find((n) => n.name === 'secondary')?.routingTable).toBe('100');
    const feature = (name: string) => d.features.find((f) => f.name === name);
    expect(feature('SourceIPNetwork')?.supported).toBe(false);
    expect(feature('DualStack')?.supported).toBe(true);
    const local = kindProvider.plannedDescription(kindOptions({ gatewayMode: 'local' }));
    expect(local.features.find((f) => f.name === 'SourceIPNetwork')?.supported).toBe(true);
  });

  it('keeps docker to the lower half of the node network and gives EgressIPs the top of it', () => {
    const d = kindProvider.plannedDescription(kindOptions({ gatewayMode: 'shared' }, ['ipv4', 'ipv6']));
    expect(d.egressIPRanges).toEqual({ ipv4: '10.212.0.192/26', ipv6: 'fd65:6563:1:0:ffff:ffff:ffff:0/112' });
    const create = planKind(kindOptions({}, ['ipv4', 'ipv6'])).actions.find(
      (a) => a.type === 'run' && a.argv.includes('create') && a.argv.includes('10.212.0.0/24'),
    );
    expect(create?.type === 'run' && create.argv.join(' ')).toContain(
      '--subnet 10.212.0.0/24 --ip-range 10.212.0.0/25 --subnet fd65:6563:1::/64 --ip-range fd65:6563:1::/65',
    );
    // Node and peer addresses docker or the plan hand out stay below the EgressIP range.
    expect(d.peers[0]?.addresses.ipv4).toBe('10.212.0.100');
    expect(() => egressIPRange('10.0.0.0/27', 'ipv4')).toThrow(/too small/);
  });

  it('prints each action with its command, file content or manifest', () => {
    const text = printPlan([
      { type: 'write', phase: 'p', title: 'a file', path: '/x/y', content: 'line 1\nline 2\n' },
      { type: 'run', phase: 'p', title: 'a command', argv: ['echo', 'two words', "it's"], env: { A: 'b c' } },
    ]);
    expect(text).toContain('write /x/y:\n  | line 1\n  | line 2');
    expect(text).toContain(`$ A='b c' echo 'two words' 'it'"'"'s'`);
  });
});
