/**
 * What a probe saw, said the way a person reads a failure: the packets grouped per sender, each
 * sender named by its node or pod ("3 nodes sent 54 packets with their node IP (worker-1
 * 10.213.0.10: 18, ...), 0 with the LoadBalancer IP 203.0.113.23"), not a list of packets.
 */
import { BlockList, isIP } from 'node:net';
import type { IpFamily, KubeObject, NodeInfo } from '../../env/environment.js';
import { podIPs, podNode } from '../objects.js';

type SenderKind = 'node' | 'network' | 'pod' | 'other';

interface Sender {
  kind: SenderKind;
  /** worker-1, or web-7c9f on worker-1; empty for an address nobody here has. */
  name: string;
}

function sameAddress(a: string, b: string): boolean {
  const version = isIP(a);
  if (version === 0 || version !== isIP(b)) return a === b;
  const list = new BlockList();
  list.addAddress(a, version === 4 ? 'ipv4' : 'ipv6');
  return list.check(b, version === 4 ? 'ipv4' : 'ipv6');
}

/** Names a source address by the node or pod that has it. */
export function senderOf(address: string, nodes: NodeInfo[], pods: KubeObject[], family: IpFamily): Sender {
  for (const node of nodes) {
    const own = node.addresses[family];
    if (own && sameAddress(own, address)) return { kind: 'node', name: node.name };
    for (const [network, addresses] of Object.entries(node.networkAddresses)) {
      const there = addresses[family];
      if (there && sameAddress(there, address)) return { kind: 'network', name: `${node.name} (${network})` };
    }
  }
  for (const pod of pods) {
    if (podIPs(pod).some((ip) => sameAddress(ip, address))) {
      const node = podNode(pod);
      return { kind: 'pod', name: `${pod.metadata.name}${node ? ` on ${node}` : ''}` };
    }
  }
  return { kind: 'other', name: '' };
}

const GROUP: Record<SenderKind, { one: string; many: string; their: string; its: string }> = {
  node: { one: 'node', many: 'nodes', their: 'with their node IP', its: 'with its node IP' },
  network: {
    one: 'node',
    many: 'nodes',
    their: 'with their other-network address',
    its: 'with its other-network address',
  },
  pod: { one: 'pod', many: 'pods', their: 'with their pod IP', its: 'with its pod IP' },
  other: { one: '', many: '', their: '', its: '' },
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The packets that broke the rule, grouped per kind of sender and named, then how many kept it:
 * "3 nodes sent 54 packets with their node IP (worker-1 10.213.0.10: 18, ...), 0 with the
 * LoadBalancer IP 203.0.113.23".
 */
export function seenPerSource(
  sources: Record<string, number>,
  expected: { label: string; addresses: string[] },
  nodes: NodeInfo[],
  pods: KubeObject[],
  family: IpFamily,
): string {
  const isExpected = (address: string) => expected.addresses.some((e) => sameAddress(e, address));
  const groups = new Map<SenderKind, Array<{ address: string; name: string; count: number }>>();
  let kept = 0;
  for (const [address, count] of Object.entries(sources)) {
    if (isExpected(address)) {
      kept += count;
      continue;
    }
    const sender = senderOf(address, nodes, pods, family);
    groups.set(sender.kind, [...(groups.get(sender.kind) ?? []), { address, name: sender.name, count }]);
  }
  const parts = [...groups].map(([kind, members]) => {
    const words = GROUP[kind];
    const packets = members.reduce((n, m) => n + m.count, 0);
    if (kind === 'other') {
      // No node or pod of the test has it (another Service's address, a stray NAT).
      return `${plural(packets, 'packet')} from ${members.map((m) => `${m.address}: ${m.count}`).join(', ')}`;
    }
    const who = `${members.length} ${members.length === 1 ? words.one : words.many}`;
    const how = members.length === 1 ? words.its : words.their;
    const list = members
      .sort((a, b) => a.name.localeCompare(b.name) || a.address.localeCompare(b.address))
      .map((m) => `${m.name ? `${m.name} ` : ''}${m.address}: ${m.count}`)
      .join(', ');
    return `${who} sent ${plural(packets, 'packet')}${how ? ` ${how}` : ''} (${list})`;
  });
  return [...parts, `${kept} with ${expected.label} ${expected.addresses.join(' or ')}`].join(', ');
}
