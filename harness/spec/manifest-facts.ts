/**
 * Facts about a manifest that change how its test runs, read from the manifest's structure. A
 * fact is a schema: a manifest it accepts has the fact. Each says why it matters.
 */
import { z } from 'zod';

export interface ManifestFact {
  name: string;
  /** Why a test that applies a manifest with this fact runs alone, if it must. */
  runsAlone?: string;
  holds(manifest: unknown): boolean;
}

const hostNetworkPodSpec = z.looseObject({ hostNetwork: z.literal(true) });
const templateOf = <T extends z.ZodType>(podSpec: T) =>
  z.looseObject({ template: z.looseObject({ spec: podSpec }) });

/** Every object kind that runs pods, and where its pod spec sits. */
const hostNetworkWorkload = z.union([
  z.looseObject({ kind: z.literal('Pod'), spec: hostNetworkPodSpec }),
  z.looseObject({
    kind: z.enum(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController']),
    spec: templateOf(hostNetworkPodSpec),
  }),
  z.looseObject({
    kind: z.literal('CronJob'),
    spec: z.looseObject({ jobTemplate: z.looseObject({ spec: templateOf(hostNetworkPodSpec) }) }),
  }),
]);

export const MANIFEST_FACTS: ManifestFact[] = [
  {
    name: 'hostNetwork',
    runsAlone: "its pods use the host's network, whose ports every test on the node shares",
    holds: (manifest) => hostNetworkWorkload.safeParse(manifest).success,
  },
];
