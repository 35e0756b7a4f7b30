/**
 * Which IP family x gateway mode x MetalLB mode combinations the kind provider brings up, and
 * why the others are refused (recorded in upstream-facts.yaml as `refused`, held to this list by
 * test/kind/upstream-facts.test.ts). Whether upstream's CI runs a combination is the pin set's
 * (upstream-support.ts).
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

/**
 * Why the provider refuses a combination, or undefined when it brings it up. Only what cannot
 * work is refused; what upstream's CI does not run is brought up and marked beyond upstream
 * (upstream-support.ts). MetalLB's own CI leaves FRR-K8s mode out for dual-stack
 * (.github/workflows/ci.yaml at v0.15.3 and v0.16.1 excludes bgp-type frr-k8s x ip-family dual).
 */
export function refusalOf(c: KindCombination): string | undefined {
  if (c.family === 'dual' && c.metallbMode === 'frr-k8s') {
    return (
      'dual-stack with MetalLB in FRR-K8s mode is not supported: MetalLB does not run it in ' +
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
