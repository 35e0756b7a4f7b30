import { ingressIP } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const serviceIngress: ConditionCheck<'serviceIngress'> = async ({ service, assigned }, env, ctx) => {
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
};
