/** Who sends traffic (the source pods) and which source addresses an expectation allows. */
import type { Environment, IpFamily, KubeObject } from '../../env/environment.js';
import type { SourceKind, SourceQualifiers, TrafficFrom } from '../../spec/fields.js';
import { egressIPFor, type TestContext } from '../context.js';
import { namespaceOf } from '../namespaces.js';
import { ingressIP, podIPs, podNode } from '../objects.js';
import { arrivedSince, podsOfGroup } from './pod-sets.js';
import { addressOfFamily } from './target.js';

export async function sourcePods(
  env: Environment,
  ctx: TestContext,
  from: TrafficFrom,
): Promise<KubeObject[]> {
  if ('pod' in from) {
    const namespace = ctx.test.namespace;
    const pod = await env.cluster.get({ apiVersion: 'v1', kind: 'Pod', namespace, name: from.pod });
    return pod ? [pod] : [];
  }
  const pods = await podsOfGroup(env, namespaceOf(ctx, from.namespace), from);
  if (from.except === undefined) return pods;
  const recorded = ctx.podSets.get(from.except);
  if (!recorded) throw new Error(`no pod set named ${from.except} was recorded`);
  return arrivedSince(pods, from.except, recorded);
}

/** The addresses a source expectation allows, and how a message names them. */
export async function expectedSources(
  env: Environment,
  ctx: TestContext,
  kind: SourceKind,
  expect: SourceQualifiers,
  pods: KubeObject[],
  family: IpFamily,
): Promise<{ addresses: string[]; label: string }> {
  switch (kind) {
    case 'loadBalancerIP': {
      const service = expect.service ?? '';
      const ip = await ingressIP(env.cluster, namespaceOf(ctx, expect.namespace), service, family);
      if (!ip) throw new Error(`Service ${service} has no ${family} ingress IP`);
      return { addresses: [ip], label: 'the LoadBalancer IP' };
    }
    case 'nodeIP': {
      const nodes = await env.cluster.nodes();
      const names = new Set(pods.map(podNode));
      const addresses = nodes.filter((n) => names.has(n.name)).map((n) => n.addresses[family] ?? '');
      return { addresses, label: addresses.length > 1 ? 'one of the node IPs' : 'the node IP' };
    }
    case 'podIP': {
      const addresses = pods.map((p) => addressOfFamily(podIPs(p), family) ?? '');
      return { addresses, label: addresses.length > 1 ? 'one of the pod IPs' : 'the pod IP' };
    }
    case 'networkIP': {
      const network = expect.network ?? '';
      const nodes = await env.cluster.nodes();
      const names = new Set(pods.map(podNode));
      const addresses = ctx.env.nodes
        .filter((n) => names.has(n.name) && nodes.some((live) => live.name === n.name))
        .map((n) => n.networkAddresses[network]?.[family] ?? '');
      // The verdict and the expectation append the addresses themselves.
      return { addresses, label: `the ${network} network address${addresses.length > 1 ? 'es' : ''}` };
    }
    case 'egressIP': {
      const address = egressIPFor(ctx.env, family, ctx.test);
      if (!address) throw new Error(`the environment has no ${family} EgressIP range (egressIPRanges)`);
      return { addresses: [address], label: 'the EgressIP' };
    }
  }
}
