/**
 * Pod sets: the pods a `recordPods` or `deletePods` step saw, kept by name for the test, so that
 * a later source `{..., except: SET}` sends only from the pods that arrived since (ES-SNAT-5:
 * scale-ups and replacements after placement).
 */
import type { Environment, KubeObject } from '../../env/environment.js';
import type { PodGroup } from '../../spec/fields.js';
import { endpointPods, podIPs, podNode, podReady, podsMatching } from '../objects.js';

export interface RecordedPod {
  name: string;
  node: string;
  addresses: string[];
}

/** The ready pods of a group: a Service's endpoints, or the pods with these labels. */
export async function podsOfGroup(
  env: Environment,
  namespace: string,
  group: PodGroup,
): Promise<KubeObject[]> {
  if ('endpointsOf' in group) return endpointPods(env.cluster, namespace, group.endpointsOf);
  return (await podsMatching(env.cluster, namespace, group.pods)).filter(podReady);
}

export function recordOf(pod: KubeObject): RecordedPod {
  return { name: pod.metadata.name, node: podNode(pod) ?? '', addresses: podIPs(pod) };
}

/** `name (node, addresses)` for step details. */
export function describeRecorded(pods: readonly RecordedPod[]): string {
  return pods.map((p) => `${p.name} (${p.node}: ${p.addresses.join(', ')})`).join('; ');
}

/**
 * The pods of `pods` that are not in the recorded set; throws when one of them has an address a
 * recorded pod had: traffic from it could not tell a followed endpoint set from a stale one.
 */
export function arrivedSince(
  pods: KubeObject[],
  set: string,
  recorded: readonly RecordedPod[],
): KubeObject[] {
  const names = new Set(recorded.map((p) => p.name));
  const owners = new Map(recorded.flatMap((p) => p.addresses.map((a) => [a, p.name] as const)));
  const arrived = pods.filter((p) => !names.has(p.metadata.name));
  for (const pod of arrived) {
    for (const address of podIPs(pod)) {
      const owner = owners.get(address);
      if (owner !== undefined) {
        throw new Error(
          `pod ${pod.metadata.name} has the address ${address}, which ${owner} of pod set ${set} had: not a new address, so its traffic cannot show that the endpoint set is followed`,
        );
      }
    }
  }
  return arrived;
}
