/** Where traffic goes: a spec's `to` resolved to an address and port for one family. */
import type { Environment, IpFamily, ProbeProtocol } from '../../env/environment.js';
import type { TrafficTo } from '../../spec/fields.js';
import { defaultPeer, type TestContext } from '../context.js';
import { resolveNode } from '../node-refs.js';
import { podIPs } from '../objects.js';
import type { StepRun } from '../step-run.js';
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
    const otherPorts =
      spec.port === undefined ? (peer.probePorts ?? []).filter((p) => p !== peer.probePort) : [];
    return {
      target: { kind: 'peer', peer: peer.name },
      address,
      port: spec.port ?? peer.probePort,
      // A peer named `peer` reads as "peer 198.51.100.10" below, never "peer peer".
      label: /^peer\b/.test(peer.name) ? peer.name : `peer ${peer.name}`,
      ...(otherPorts.length > 0 ? { otherPorts } : {}),
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
  const port = spec.port ?? defaultPeer(ctx.env)?.probePort ?? 8080;
  if (to.network !== undefined) {
    // A secondary address of the node: its address on that network, as the environment describes it.
    const described = ctx.env.nodes.find((n) => n.name === node.name);
    const address = described?.networkAddresses[to.network]?.[family];
    if (!address) throw new Error(`node ${node.name} has no ${family} address on network '${to.network}'`);
    return {
      target: { kind: 'node', node: node.name, address },
      address,
      port,
      label: `node ${node.name} (${to.network})`,
    };
  }
  const address = node.addresses[family];
  if (!address) throw new Error(`node ${node.name} has no ${family} address`);
  return { target: { kind: 'node', node: node.name }, address, port, label: `node ${node.name}` };
}

/**
 * Runs `work` while this test alone sends to the target with this protocol (other tests may
 * probe it too, and a capture must hold only its own probe's flow). When the target answers on
 * several ports, the first free one is taken and `work` gets the target on that port. Echo
 * requests have no port: an ICMP probe holds the address itself (`address/icmp`), so ICMP
 * probes of one target take turns whatever ports the target answers on.
 */
export function holdTarget<T>(
  run: Pick<StepRun, 'probeTargets'>,
  target: ResolvedTarget,
  protocol: ProbeProtocol,
  work: (target: ResolvedTarget) => Promise<T>,
): Promise<T> {
  const ports = protocol === 'icmp' ? [target.port] : [target.port, ...(target.otherPorts ?? [])];
  const key = (port: number) =>
    protocol === 'icmp' ? `${target.address}/icmp` : `${target.address}:${port}/${protocol}`;
  return run.probeTargets.holdAny(ports.map(key), (held) => {
    const port = ports.find((p) => key(p) === held) as number;
    const { otherPorts: _others, ...rest } = target;
    return work({ ...rest, port });
  });
}
