import type { IpFamily } from '../../env/environment.js';
import { defaultPeer, type TestContext } from '../context.js';
import { resolveNode } from '../node-refs.js';
import { familyOf, ingressIP } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

/** The node addresses on the peer's network: what the peer sees as next hops. */
function nodeAddressOnPeerNetwork(ctx: TestContext, nodeName: string, peerNetwork: string, family: IpFamily) {
  const node = ctx.env.nodes.find((n) => n.name === nodeName);
  if (!node) return undefined;
  return peerNetwork === 'default' ? node.addresses[family] : node.networkAddresses[peerNetwork]?.[family];
}

/** "peer b", or "peer" for a peer named `peer` (never "peer peer"). */
function peerLabel(name: string): string {
  return /^peer\b/.test(name) ? name : `peer ${name}`;
}

export const bgpNextHops: ConditionCheck<'bgpNextHops'> = async (body, env, ctx) => {
  const { service, peer: peerName, nextHops } = body;
  const peer = defaultPeer(ctx.env, peerName);
  if (!peer) return notOk(`no peer named ${peerName}`);
  const seen: string[] = [];
  for (const family of ctx.families) {
    const ip = await ingressIP(env.cluster, ctx.test.namespace, service, family);
    if (!ip) return notOk(`Service ${service} has no ${family} ingress IP`);
    const routes = await env.bgpRoutes(peer.name, family);
    const prefix = `${ip}/${familyOf(ip) === 'ipv4' ? 32 : 128}`;
    const route = routes.find((r) => r.prefix === prefix);
    const actual = [...(route?.nextHops ?? [])].sort();
    let expected: string[];
    if (nextHops === 'none') expected = [];
    else if (nextHops === 'allNodes') {
      expected = ctx.env.nodes.map(
        (n) => nodeAddressOnPeerNetwork(ctx, n.name, peer.network, family) ?? n.name,
      );
    } else {
      const ref = nextHops === 'egressNode' ? { egressNodeOf: service } : nextHops.node;
      const node = await resolveNode(env.cluster, ctx.test.namespace, ref);
      expected = [nodeAddressOnPeerNetwork(ctx, node.name, peer.network, family) ?? node.name];
    }
    expected.sort();
    seen.push(`${prefix} via [${actual.join(', ')}]`);
    if (actual.join() !== expected.join()) {
      return notOk(
        `${peerLabel(peer.name)} has ${seen.join('; ')}; expected next hops [${expected.join(', ')}]`,
      );
    }
  }
  return ok(`${peerLabel(peer.name)} has ${seen.join('; ')}`);
};
