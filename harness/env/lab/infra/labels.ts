/**
 * Names and docker labels of everything a lab creates. One place, so that `destroyLab` finds
 * exactly what bring-up made, also after a crash, from labels alone.
 */

/** Every container and network of a lab carries `LAB_LABEL=<lab id>`. */
export const LAB_LABEL = 'egress-conformance.io/lab';
/** The run that created the object (equal to the lab id unless the caller names a run). */
export const RUN_LABEL = 'egress-conformance.io/run';
/** The lab role of a container: `node` or `peer`. */
export const ROLE_LABEL = 'egress-conformance.io/role';
/** The lab-level name of a container (`worker`, `peer`, ...). */
export const NAME_LABEL = 'egress-conformance.io/name';
/** Images the project built (base and lab images). */
export const IMAGE_LABEL = 'egress-conformance.io/image';
/** Hash of an image's build inputs (also its tag). */
export const INPUT_HASH_LABEL = 'egress-conformance.io/input-hash';
/** The lab's topology options (JSON) on its default network, so that a lab can be re-attached. */
export const OPTIONS_LABEL = 'egress-conformance.io/options';

/** Prefix of lab ids the project generates, and of the temp directories labs use. */
export const LAB_ID_PREFIX = 'eclab-';
export const TEMP_DIR_PREFIX = 'egress-conformance-';

export const LAB_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,29}$/;

/** Throws unless `id` is usable in container, network and netns names. */
export function assertLabId(id: string): void {
  if (!LAB_ID_PATTERN.test(id)) {
    throw new Error(`invalid lab id "${id}": use 1-30 characters of a-z, 0-9 and '-', starting alphanumeric`);
  }
}

export function newLabId(): string {
  return LAB_ID_PREFIX + Math.random().toString(16).slice(2, 8).padEnd(6, '0');
}

export function labLabels(labId: string, runId: string): Record<string, string> {
  return { [LAB_LABEL]: labId, [RUN_LABEL]: runId };
}

export function containerName(labId: string, name: string): string {
  return `${labId}-${name}`;
}

export function networkName(labId: string, network: string): string {
  return `${labId}-${network}`;
}

/** Network namespace of a pod inside its node container (carries the lab id like all lab names). */
export function podNetnsName(labId: string, pod: string): string {
  return `${labId}-${pod}`;
}
