/**
 * End of life of the distributions the pinned OVN-Kubernetes image is built from
 * (dist/images/Dockerfile.fedora's FROM, pin-sets.ts `baseImage`): an image built from an
 * archived release fails (its package repositories are gone), so doctor and the plan warn.
 * Dates are the distribution's own where one was read; where none was, the rule that sets it.
 */

export interface DistributionLifecycle {
  /** The image names it covers (repository:tag, with or without quay.io/fedora/). */
  images: readonly string[];
  name: string;
  /** YYYY-MM-DD, or undefined when not known here (then `rule` says how it is set). */
  endOfLife?: string;
  rule?: string;
  source: string;
}

export const DISTRIBUTION_LIFECYCLES: readonly DistributionLifecycle[] = [
  {
    images: ['fedora:39', 'quay.io/fedora/fedora:39'],
    name: 'Fedora 39',
    endOfLife: '2024-11-26',
    source:
      'https://docs.fedoraproject.org/en-US/releases/eol/ (the base of release-1.0, finding 2 of issue 19)',
  },
  {
    images: ['fedora:42', 'quay.io/fedora/fedora:42'],
    name: 'Fedora 42',
    endOfLife: '2026-05-28',
    source:
      'https://www.krakatech.com/posts/2026-05-29-fedora-42-officially-reached-end-of-life-no-more-security-pa',
  },
  {
    images: ['fedora:43', 'quay.io/fedora/fedora:43'],
    name: 'Fedora 43',
    rule: 'a Fedora release ends about four weeks after release N+2 (Fedora 45) ships',
    source: 'https://docs.fedoraproject.org/en-US/releases/lifecycle/#_maintenance_schedule',
  },
];

export interface BaseImageStatus {
  /** True when the base is known to be past its end of life on `today` (a warning, not a refusal). */
  pastEndOfLife: boolean;
  detail: string;
}

export function baseImageStatus(image: string, today: string): BaseImageStatus {
  const lifecycle = DISTRIBUTION_LIFECYCLES.find((d) => d.images.includes(image));
  if (!lifecycle)
    return { pastEndOfLife: false, detail: `${image}: no end-of-life date recorded (base-images.ts)` };
  if (lifecycle.endOfLife === undefined)
    return {
      pastEndOfLife: false,
      detail: `${image} (${lifecycle.name}): end of life not recorded here; ${lifecycle.rule} (${lifecycle.source}): check before building`,
    };
  const past = today > lifecycle.endOfLife;
  return {
    pastEndOfLife: past,
    detail: past
      ? `WARNING: ${image} (${lifecycle.name}) is past its end of life (${lifecycle.endOfLife}, ${lifecycle.source}): building from it is expected to fail`
      : `${image} (${lifecycle.name}) is supported until ${lifecycle.endOfLife}`,
  };
}
