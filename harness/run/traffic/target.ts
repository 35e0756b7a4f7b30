/** Where traffic goes: a spec's `to` resolved to an address and port for one family. */
import type { Environment, IpFamily } from '../../env/environment.js';
import type { TrafficTo } from '../../spec/fields.js';
import { defaultPeer, type TestContext } from '../context.js';
import { resolveNode } from '../node-refs.js';
import { podIPs } from '../objects.js';
import type { ResolvedTarget } from './flow.js';

export function addressOfFamily(addresses: string[], family: IpFamily): string | undefined {
  return addresses.find((a) => (family === 'ipv4' ? !a.includes(':') : a.includes(':')));
}

export async function resolveTarget(
  env: Environment,
  ctx: TestContext,
  spec: { to: TrafficTo; port?: number | undefined },
  family: IpFamily,
): Promise<ResolvedTarget> {
  const namespace = ctx.test.namespace;
  const to = spec.to;
  if ('peer' in to) {
    const peer = defaultPeer(ctx.env, to.peer);
    const address = peer?.addresses[family];
    if (!peer || !address) throw new Error(`peer '${to.peer}' has no ${family} address`);
    return {
      target: { kind: 'peer', peer: peer.name },
      address,
      port: spec.port ?? peer.probePort,
      label: `peer ${peer.name}`,
    };
  }
  if ('pod' in to) {
    const pod = await env.cluster.get({ apiVersion: 'v1', kind: 'Pod', namespace, name: to.pod });
    const address = pod ? addressOfFamily(podIPs(pod), family) : undefined;
    if (!address) throw new Error(`pod ${to.pod} has no ${family} address`);
    return {
      target: { kind: 'pod', namespace, pod: to.pod },
      address,
      port: spec.port ?? 8080,
      label: `pod ${to.pod}`,
    };
  }
  const node = await resolveNode(env.cluster, namespace, to.node);
  const address = node.addresses[family];
  if (!address) throw new Error(`node ${node.name} has no ${family} address`);
  const port = spec.port ?? defaultPeer(ctx.env)?.probePort ?? 8080;
  return { target: { kind: 'node', node: node.name }, address, port, label: `node ${node.name}` };
}
