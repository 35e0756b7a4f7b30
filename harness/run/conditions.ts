/**
 * Conditions: one observation of the cluster or the peer, true or false, with what was seen.
 * `wait` steps poll them until they hold; `expect` steps check them once or throughout a window.
 */
import type { Environment, IpFamily, KubeObject } from '../env/environment.js';
import type { Condition } from '../spec/schema.js';
import { render } from '../spec/template.js';
import { defaultPeer, egressIPFor, type TestContext } from './context.js';
import type { Observation } from './eventually.js';
import { resolveNode } from './node-refs.js';
import {
  describePlacement,
  endpointPods,
  familyOf,
  ingressIP,
  placementOf,
  podReady,
  podsMatching,
} from './objects.js';

type Check = (env: Environment, ctx: TestContext) => Promise<Observation>;

/** `status.items` of an EgressIP: which node holds which address (OVN-Kubernetes' CRD). */
function egressIPStatus(object: KubeObject): Array<{ node: string; egressIP: string }> {
  const status = object.status as { items?: unknown } | undefined;
  if (!Array.isArray(status?.items)) return [];
  return status.items.map((item: { node?: unknown; egressIP?: unknown }) => ({
    node: typeof item?.node === 'string' ? item.node : '',
    egressIP: typeof item?.egressIP === 'string' ? item.egressIP : '',
  }));
}

function ok(detail: string): Observation {
  return { ok: true, detail };
}
function notOk(detail: string): Observation {
  return { ok: false, detail };
}

async function ingressObservation(
  env: Environment,
  ctx: TestContext,
  service: string,
  assigned: boolean,
): Promise<Observation> {
  const seen: string[] = [];
  for (const family of ctx.families) {
    const ip = await ingressIP(env.cluster, ctx.test.namespace, service, family);
    seen.push(`${family} ${ip ?? 'none'}`);
    if ((ip !== undefined) !== assigned) {
      return notOk(
        `Service ${service} ingress: ${seen.join(', ')} (expected ${assigned ? 'an' : 'no'} ${family} IP)`,
      );
    }
  }
  return ok(`Service ${service} ingress: ${seen.join(', ')}`);
}

/** The node addresses on the peer's network: what the peer sees as next hops. */
function nodeAddressOnPeerNetwork(ctx: TestContext, nodeName: string, peerNetwork: string, family: IpFamily) {
  const node = ctx.env.nodes.find((n) => n.name === nodeName);
  if (!node) return undefined;
  return peerNetwork === 'default' ? node.addresses[family] : node.networkAddresses[peerNetwork]?.[family];
}

export function conditionCheck(condition: Condition): Check {
  switch (condition.kind) {
    case 'serviceIngress': {
      const { service, assigned } = condition.body;
      return (env, ctx) => ingressObservation(env, ctx, service, assigned);
    }
    case 'podsReady': {
      const { pods, count } = condition.body;
      return async (env, ctx) => {
        const found = await podsMatching(env.cluster, ctx.test.namespace, pods);
        const ready = found.filter(podReady);
        const detail = `${ready.length}/${found.length} pods ready (need at least ${count}, all ready)`;
        return ready.length >= count && ready.length === found.length ? ok(detail) : notOk(detail);
      };
    }
    case 'egressPlacement': {
      const { egressService, state, node, nodeReady } = condition.body;
      return async (env, ctx) => {
        const p = await placementOf(env.cluster, ctx.test.namespace, egressService);
        const seen = describePlacement(p);
        if (state === 'unplaced') {
          const good = p.labelledNodes.length === 0 && (p.host ?? '') === '';
          return good ? ok(seen) : notOk(`${seen}; expected no node labelled and status.host empty`);
        }
        if (state === 'all') {
          const good = p.labelledNodes.length === 0 && p.host === 'ALL';
          return good ? ok(seen) : notOk(`${seen}; expected status.host ALL and no node labelled`);
        }
        if (p.labelledNodes.length !== 1 || p.host !== p.labelledNodes[0]) {
          return notOk(`${seen}; expected exactly one node labelled and status.host naming it`);
        }
        if (node) {
          const wanted = await resolveNode(env.cluster, ctx.test.namespace, node);
          if (wanted.name !== p.host) return notOk(`${seen}; expected the node ${wanted.name}`);
        }
        if (nodeReady) {
          const host = (await env.cluster.nodes()).find((n) => n.name === p.host);
          if (!host?.ready) return notOk(`${seen}; expected a ready node, and ${p.host} is not ready`);
          return ok(`${seen} (ready)`);
        }
        return ok(seen);
      };
    }
    case 'egressIPAssigned': {
      const template = condition.body.egressIP;
      return async (env, ctx) => {
        const name = render(template, ctx.values);
        const wanted = ctx.families.map((f) => egressIPFor(ctx.env, f, ctx.test.index));
        const object = await env.cluster.get({ apiVersion: 'k8s.ovn.org/v1', kind: 'EgressIP', name });
        if (!object) return notOk(`EgressIP ${name} does not exist`);
        const items = egressIPStatus(object);
        const seen = items.map((i) => `${i.egressIP} on ${i.node}`).join(', ') || 'none';
        const missing = wanted.filter((ip) => !items.some((i) => i.egressIP === ip && i.node !== ''));
        return missing.length > 0
          ? notOk(`EgressIP ${name}: ${missing.join(', ')} not assigned to a node (status: ${seen})`)
          : ok(`EgressIP ${name}: ${seen}`);
      };
    }
    case 'egressServiceGone': {
      const { egressService } = condition.body;
      return async (env, ctx) => {
        const p = await placementOf(env.cluster, ctx.test.namespace, egressService);
        return p.exists
          ? notOk(`EgressService ${egressService} still exists`)
          : ok(`EgressService ${egressService} gone`);
      };
    }
    case 'noEgressLabel': {
      const { service } = condition.body;
      return async (env, ctx) => {
        const p = await placementOf(env.cluster, ctx.test.namespace, service);
        return p.labelledNodes.length === 0
          ? ok(`no node carries the egress-service label of ${service}`)
          : notOk(`the egress-service label of ${service} is on ${p.labelledNodes.join(', ')}`);
      };
    }
    case 'bgpNextHops': {
      const { service, peer: peerName, nextHops } = condition.body;
      return async (env, ctx) => {
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
              `peer ${peer.name} has ${seen.join('; ')}; expected next hops [${expected.join(', ')}]`,
            );
          }
        }
        return ok(`peer ${peer.name} has ${seen.join('; ')}`);
      };
    }
    case 'ingressReachable': {
      const { service, peer: peerName, port, protocol, attempts, allBackends } = condition.body;
      return async (env, ctx) => {
        const peer = defaultPeer(ctx.env, peerName);
        if (!peer) return notOk(`no peer named ${peerName}`);
        const backends = (await endpointPods(env.cluster, ctx.test.namespace, service)).map(
          (p) => p.metadata.name,
        );
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
    }
  }
}
