import type { KubeObject } from '../../env/environment.js';
import { render } from '../../spec/template.js';
import { egressIPFor } from '../context.js';
import { type ConditionCheck, notOk, ok } from './check.js';

/** `status.items` of an EgressIP: which node holds which address (OVN-Kubernetes' CRD). */
function egressIPStatus(object: KubeObject): Array<{ node: string; egressIP: string }> {
  const status = object.status as { items?: unknown } | undefined;
  if (!Array.isArray(status?.items)) return [];
  return status.items.map((item: { node?: unknown; egressIP?: unknown }) => ({
    node: typeof item?.node === 'string' ? item.node : '',
    egressIP: typeof item?.egressIP === 'string' ? item.egressIP : '',
  }));
}

export const egressIPAssigned: ConditionCheck<'egressIPAssigned'> = async (body, env, ctx) => {
  const name = render(body.egressIP, ctx.values);
  const wanted = ctx.families.map((f) => egressIPFor(ctx.env, f, ctx.test));
  const object = await env.cluster.get({ apiVersion: 'k8s.ovn.org/v1', kind: 'EgressIP', name });
  if (!object) return notOk(`EgressIP ${name} does not exist`);
  const items = egressIPStatus(object);
  const seen = items.map((i) => `${i.egressIP} on ${i.node}`).join(', ') || 'none';
  const missing = wanted.filter((ip) => !items.some((i) => i.egressIP === ip && i.node !== ''));
  return missing.length > 0
    ? notOk(`EgressIP ${name}: ${missing.join(', ')} not assigned to a node (status: ${seen})`)
    : ok(`EgressIP ${name}: ${seen}`);
};
