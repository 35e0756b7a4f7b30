import { defaultPeer } from '../context.js';
import { endpointPods, ingressIP } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const ingressReachable: ConditionCheck<'ingressReachable'> = async (body, env, ctx) => {
  const { service, peer: peerName, port, protocol, attempts, allBackends } = body;
  const peer = defaultPeer(ctx.env, peerName);
  if (!peer) return notOk(`no peer named ${peerName}`);
  const backends = (await endpointPods(env.cluster, ctx.test.namespace, service)).map((p) => p.metadata.name);
  const seen: string[] = [];
  for (const family of ctx.families) {
    const ip = await ingressIP(env.cluster, ctx.test.namespace, service, family);
    if (!ip) return notOk(`Service ${service} has no ${family} ingress IP`);
    const source = peer.addresses[family];
    const result = await env.ingress({
      peer: peer.name,
      ...(source ? { source } : {}),
      address: ip,
      port,
      protocol,
      attempts,
      timeoutMs: 5000,
    });
    const answered = Object.keys(result.answeredBy).sort();
    const silent = backends.filter((b) => !answered.includes(b));
    seen.push(
      `${source ? `from ${source} ` : ''}to ${ip}:${port}/${protocol} ${result.succeeded}/${result.attempts} answered by [${answered.join(', ')}]`,
    );
    if (result.succeeded < result.attempts) {
      return notOk(`${seen.join('; ')}; errors: ${result.errors.slice(0, 3).join('; ')}`);
    }
    if (allBackends && silent.length > 0) {
      return notOk(`${seen.join('; ')}; backends that never answered: ${silent.join(', ')}`);
    }
  }
  return ok(seen.join('; '));
};
