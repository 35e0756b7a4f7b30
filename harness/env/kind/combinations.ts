/**
 * Which IP family x gateway mode x MetalLB mode combinations the kind provider brings up, and
 * why the others are refused. A combination is refused where upstream itself does not run it:
 * the reasons name the upstream file that says so (recorded in upstream-facts.yaml as
 * `refused`, and held to this list by test/kind/upstream-facts.test.ts).
 */
import { UsageError } from '../../common/errors.js';
import type { IpFamily } from '../environment.js';

export type KindFamily = 'ipv4' | 'ipv6' | 'dual';
export type GatewayMode = 'shared' | 'local';
export type MetallbMode = 'frr-k8s' | 'frr';

export interface KindCombination {
  family: KindFamily;
  gatewayMode: GatewayMode;
  metallbMode: MetallbMode;
}

export const KIND_FAMILIES: readonly KindFamily[] = ['ipv4', 'ipv6', 'dual'];
export const GATEWAY_MODES: readonly GatewayMode[] = ['shared', 'local'];
export const METALLB_MODES: readonly MetallbMode[] = ['frr-k8s', 'frr'];

export function kindFamily(families: readonly IpFamily[]): KindFamily {
  if (families.length === 2) return 'dual';
  return families[0] === 'ipv6' ? 'ipv6' : 'ipv4';
}

/** Why upstream does not run a combination, or undefined when it does. */
export function refusalOf(c: KindCombination): string | undefined {
  if (c.family !== 'ipv4' && c.gatewayMode === 'local') {
    return (
      `${c.family} in local gateway mode is not supported: OVN-Kubernetes release-1.0 skips its MetalLB ` +
      'service tests on IPv6 kind clusters in local gateway mode (test/scripts/e2e-cp.sh, ' +
      'ovn-org/ovn-kubernetes#4131); use kind.gatewayMode: shared, or --family ipv4'
    );
  }
  if (c.family === 'dual' && c.metallbMode === 'frr-k8s') {
    return (
      'dual-stack with MetalLB in FRR-K8s mode is not supported: MetalLB v0.14.9 does not run it in ' +
      'its CI (.github/workflows/ci.yaml excludes frr-k8s x dual); use kind.metallbMode: frr'
    );
  }
  return undefined;
}

export function allCombinations(): KindCombination[] {
  return KIND_FAMILIES.flatMap((family) =>
    GATEWAY_MODES.flatMap((gatewayMode) =>
      METALLB_MODES.map((metallbMode) => ({ family, gatewayMode, metallbMode })),
    ),
  );
}

export function supportedCombinations(): KindCombination[] {
  return allCombinations().filter((c) => refusalOf(c) === undefined);
}

export function describeCombination(c: KindCombination): string {
  return `${c.family}, ${c.gatewayMode} gateway, MetalLB ${c.metallbMode}`;
}

/** Throws the refusal as a one-line usage error (exit 2): nothing is created for it. */
export function requireSupported(c: KindCombination): void {
  const reason = refusalOf(c);
  if (reason) throw new UsageError(`kind: ${reason}`);
}
