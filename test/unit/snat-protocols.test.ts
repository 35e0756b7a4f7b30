/**
 * The `snat-tcp-udp-only` fault in the reference data plane: the egress rules match TCP and UDP
 * only, on the chosen node and on the others, so ICMP from endpoints gets the node's masquerade;
 * the conformant rules match every protocol.
 */
import { describe, expect, it } from 'vitest';
import { planLab } from '../../harness/env/lab/infra/topology.js';
import { combineBehaviour } from '../../harness/env/lab/reference/behaviour.js';
import { renderNodeDataplane } from '../../harness/env/lab/reference/dataplane.js';
import { egressPlacementOf } from '../../harness/env/lab/reference/egress-rules.js';
import { FAULTS } from '../../harness/env/lab/reference/faults.js';
import type { ServiceView } from '../../harness/env/lab/reference/model.js';

const plan = planLab(
  't',
  'r',
  { families: ['ipv4'] },
  {
    default: { ipv4: '10.213.0.0/24', ipv6: 'fd65::/64' },
    secondary: { ipv4: '10.213.1.0/24', ipv6: 'fd65:1::/64' },
    tertiary: { ipv4: '10.213.2.0/24', ipv6: 'fd65:2::/64' },
  },
);

const service = { ingress: ['203.0.113.5'] } as ServiceView;
const endpoints = [
  { node: 'control-plane', ips: { ipv4: '10.244.0.5' }, hostNetwork: false },
  { node: 'worker', ips: { ipv4: '10.244.1.5' }, hostNetwork: false },
];

function rendered(faults: string[], node: string): string {
  const behaviour = combineBehaviour(
    faults.map((name) => ({ name, change: FAULTS.find((f) => f.name === name)?.behaviour ?? {} })),
  );
  const placement = egressPlacementOf({
    service,
    host: 'control-plane',
    network: undefined,
    endpoints,
    nodeAddresses: () => ({ ipv4: '10.213.0.10' }),
    behaviour: behaviour.dataplane,
  });
  return renderNodeDataplane(plan, node, { egress: [placement], ingress: [] });
}

describe('egress rules and protocols', () => {
  it('conformant: the SNAT and the steering keep match every protocol', () => {
    for (const node of ['control-plane', 'worker']) expect(rendered([], node)).not.toContain('l4proto');
    expect(rendered([], 'control-plane')).toMatch(
      /ip saddr \{ 10\.244\.0\.5, 10\.244\.1\.5 \} ip daddr != @cluster-v4 snat ip to 203\.0\.113\.5/,
    );
  });

  it('snat-tcp-udp-only: both rules match TCP and UDP only', () => {
    expect(rendered(['snat-tcp-udp-only'], 'control-plane')).toMatch(
      /ip saddr \{ 10\.244\.0\.5, 10\.244\.1\.5 \} meta l4proto \{ tcp, udp \} ip daddr != @cluster-v4 snat ip to 203\.0\.113\.5/,
    );
    expect(rendered(['snat-tcp-udp-only'], 'worker')).toMatch(
      /ip saddr \{ 10\.244\.1\.5 \} meta l4proto \{ tcp, udp \} ip daddr != @cluster-v4 snat ip to ip saddr/,
    );
  });
});
