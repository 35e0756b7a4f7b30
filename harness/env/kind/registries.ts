/**
 * Registries that no longer serve images, each with the source that says so. A plan that names
 * an image from one, directly or through a chart's default, fails at ErrImagePull; the tests hold
 * every plan and every chart default the plan leaves in place to this list.
 */

export interface RetiredRegistry {
  /** Image-name prefix (registry host and path). */
  prefix: string;
  source: string;
}

export const RETIRED_REGISTRIES: readonly RetiredRegistry[] = [
  {
    prefix: 'gcr.io/kubebuilder/',
    source:
      'metallb/metallb commit 9c98dffc53fe ("TEMPORARY FIX: replace kube-rbac-proxy registry": gcr.io is no longer available for the kube-rbac-proxy image), 2026-03-09',
  },
  {
    prefix: 'k8s.gcr.io/',
    source:
      'https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/ (frozen 2023-04-03, redirected to registry.k8s.io)',
  },
];

export function retiredRegistryOf(image: string): RetiredRegistry | undefined {
  return RETIRED_REGISTRIES.find((r) => image.startsWith(r.prefix));
}

/**
 * Where MetalLB moved kube-rbac-proxy when gcr.io stopped serving it (commit 9c98dffc53fe, in
 * MetalLB's chart after v0.15.3; v0.16 drops the sidecar). Charts up to v0.15.3 and frr-k8s up to
 * v0.0.21 default to gcr.io/kubebuilder; the plan sets this instead.
 */
export const KUBE_RBAC_PROXY = {
  repository: 'registry.k8s.io/kubebuilder/kube-rbac-proxy',
  tag: 'v0.12.0',
} as const;
