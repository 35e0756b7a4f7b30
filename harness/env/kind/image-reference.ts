/**
 * Image references split the way the tools that take them want them: helm charts take a
 * repository and a tag (MetalLB's `image.repository` / `image.tag`), and contrib/kind.sh joins
 * `${KIND_IMAGE}:${K8S_VERSION}` for kind's `--image`, so a pinned node image travels as its
 * repository and `tag@sha256:digest`.
 */

/** Splits `registry/repo:tag` at the last colon after the last slash; a digest stays with the tag. */
export function splitImage(image: string): { repository: string; tag: string } {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? '' : image.slice(at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon <= slash) return { repository: name, tag: `latest${digest}` };
  return { repository: name.slice(0, colon), tag: `${name.slice(colon + 1)}${digest}` };
}
