/**
 * What the MetalLB chart of each pin set's MetalLB release pulls on its own, read from
 * metallb/metallb at the release tag (charts/metallb/Chart.yaml, values.yaml) and from
 * metallb/frr-k8s at the subchart's version; test/kind/upstream-pins.ts reads both back from the
 * mirrors (for bring-up-upstream.test.ts and npm run upstream:check). The plan overrides a default only where it is on a retired registry (registries.ts).
 */
import type { PinSetName } from './pin-sets.js';

export interface MetallbChartFacts {
  /** The frr-k8s subchart version charts/metallb/Chart.yaml depends on. */
  frrK8sChart: string;
  /**
   * Whether the chart (and its frr-k8s subchart) still default kube-rbac-proxy to
   * gcr.io/kubebuilder (`prometheus.rbacProxy`); MetalLB v0.16 and frr-k8s v0.0.25 dropped the
   * sidecar and the key.
   */
  rbacProxyOnRetiredRegistry: boolean;
}

export const METALLB_CHARTS: Record<PinSetName, MetallbChartFacts> = {
  'v1.3': { frrK8sChart: '0.0.21', rbacProxyOnRetiredRegistry: true },
  master: { frrK8sChart: '0.0.25', rbacProxyOnRetiredRegistry: false },
};
