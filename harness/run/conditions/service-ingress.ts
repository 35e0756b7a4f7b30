import { canonicalIp } from '../../common/ip.js';
import type { IpFamily } from '../../env/environment.js';
import type { TemplateValues } from '../../spec/template.js';
import { namespaceOf } from '../namespaces.js';
import { ingressIPs } from '../objects.js';
import { type ConditionCheck, notOk, ok } from './check.js';

export const serviceIngress: ConditionCheck<'serviceIngress'> = async (body, env, ctx) => {
  const { service, assigned } = body;
  const seen: string[] = [];
  for (const family of ctx.families) {
    const ips = await ingressIPs(env.cluster, namespaceOf(ctx, body.namespace), service, family);
    const ip = ips[0];
    seen.push(`${family} ${ips.length > 0 ? ips.join(' and ') : 'none'}`);
    if ((ip !== undefined) !== assigned) {
      return notOk(
        `Service ${service} ingress: ${seen.join(', ')} (expected ${assigned ? 'an' : 'no'} ${family} IP)`,
      );
    }
    // MetalLB gives a Service one address of each family, however much room its pool has
    // (v0.14.9 internal/allocator/allocator.go: getFreeIPsFromPool takes one per family and
    // AllocateFromPool returns an existing allocation as it is).
    if (ips.length > 1) {
      return notOk(`Service ${service} ingress: ${seen.join(', ')} (expected exactly one ${family} IP)`);
    }
    if (body.reserved !== undefined && assigned) {
      const wanted = reservedAddress(ctx.values, family, body.reserved);
      if (ip !== wanted) {
        return notOk(
          `Service ${service} ingress: ${seen.join(', ')} (expected the ${family} address ${wanted})`,
        );
      }
    }
  }
  return ok(`Service ${service} ingress: ${seen.join(', ')}`);
};

/** The test's N-th reserved address of the family, as `${pool.ipv4.N}` / `${pool.ipv6.N}` name it. */
function reservedAddress(values: TemplateValues, family: IpFamily, n: number): string {
  const range = values[`pool.${family}.${n}`];
  if (typeof range !== 'string' || range === '') {
    throw new Error(`the test reserves no ${family} address ${n}: name \${pool.address.${n}} in a manifest`);
  }
  return canonicalIp(range.split('/')[0] ?? '');
}
