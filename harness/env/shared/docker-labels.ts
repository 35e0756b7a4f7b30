/**
 * Labels on the docker objects (containers, networks) a provider creates, so that it finds them
 * again (reuse, `status`) and removes exactly its own (`down`, crashed runs). Each provider has
 * its own environment label; the role label says what a container is (peer, probe, capture).
 */

export const ROLE_LABEL = 'egress-conformance.io/role';

/** A provider's environment label and the id it marks, e.g. `egress-conformance.io/kind-env=eck-1a2b3c`. */
export interface EnvironmentLabel {
  key: string;
  id: string;
}

export function dockerLabelArgs(env: EnvironmentLabel, role: string): string[] {
  return ['--label', `${env.key}=${env.id}`, '--label', `${ROLE_LABEL}=${role}`];
}
