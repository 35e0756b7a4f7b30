/**
 * The lab's MetalLB emulation honours the requested-address annotation as MetalLB v0.14.9 does
 * (controller/service.go: `metallb.io/loadBalancerIPs`, or the older `metallb.universe.tf/`
 * prefix; comma-separated; a changed request replaces the assignment): ES-LIFE-4 changes a
 * Service's ingress IP through it.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../harness/env/environment.js';
import { allocateIngress, poolOf } from '../../harness/env/lab/reference/metallb.js';
import { serviceView } from '../../harness/env/lab/reference/model.js';

const pool = poolOf({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name: 'p' },
  spec: { addresses: ['203.0.113.10/31', '2001:db8:113::a/127'], autoAssign: false },
});

function service(annotations: Record<string, string>, ingress: string[] = [], dual = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web',
      namespace: 'ns',
      annotations: { 'metallb.io/address-pool': 'p', ...annotations },
    },
    spec: { type: 'LoadBalancer', ipFamilies: dual ? ['IPv4', 'IPv6'] : ['IPv4'] },
    status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
  };
}

const allocate = (object: KubeObject) => allocateIngress([serviceView(object, 'ipv4')], [pool]).get('ns/web');

describe('requested LoadBalancer IPs', () => {
  it('gives the first free address without a request, and the requested one with it', () => {
    expect(allocate(service({}))).toEqual(['203.0.113.10']);
    expect(allocate(service({ 'metallb.io/loadBalancerIPs': '203.0.113.11' }))).toEqual(['203.0.113.11']);
    expect(allocate(service({ 'metallb.universe.tf/loadBalancerIPs': '203.0.113.11' }))).toEqual([
      '203.0.113.11',
    ]);
  });

  it('moves an assigned Service to a new request, and keeps it while the request holds', () => {
    const requested = { 'metallb.io/loadBalancerIPs': '203.0.113.11' };
    expect(allocate(service(requested, ['203.0.113.10']))).toEqual(['203.0.113.11']);
    expect(allocate(service(requested, ['203.0.113.11']))).toEqual(['203.0.113.11']);
  });

  it('takes one address of each family from a comma-separated request, and none outside the pool', () => {
    const both = { 'metallb.io/loadBalancerIPs': '203.0.113.11, 2001:db8:113::b' };
    expect(allocate(service(both, [], true))).toEqual(['203.0.113.11', '2001:db8:113::b']);
    expect(allocate(service({ 'metallb.io/loadBalancerIPs': '192.0.2.1' }))).toEqual([]);
  });

  it('does not give a requested address another Service holds', () => {
    const other = serviceView(
      {
        ...service({}, ['203.0.113.11']),
        metadata: { name: 'db', namespace: 'ns', annotations: { 'metallb.io/address-pool': 'p' } },
      },
      'ipv4',
    );
    const web = serviceView(service({ 'metallb.io/loadBalancerIPs': '203.0.113.11' }), 'ipv4');
    expect(allocateIngress([other, web], [pool]).get('ns/web')).toEqual([]);
  });
});
