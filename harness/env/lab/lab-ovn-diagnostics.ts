/**
 * The OVN half of a failed lab test's diagnostics (the OVN data plane only): the same collection
 * kind and existing clusters run (shared/ovn-diagnostics.ts), here through `docker exec` into the
 * lab's OVN central container and node containers, against the lab's real OVN databases.
 */
import type { ProbeFlow } from '../environment.js';
import { execaRunner } from '../shared/command-runner.js';
import { collectOvnDiagnostics, dockerOvnSites, type OffendingFlow } from '../shared/ovn-diagnostics.js';
import type { Lab } from './infra/lab.js';

export interface LabOvnDiagnosticsInput {
  lab: Lab;
  /** The nodes the namespace's EgressServices are placed on (every node when none is). */
  egressNodes: string[];
  /** The failed probe's flow, with where its first source pod runs. */
  failedFlow?: ProbeFlow;
  podOf(namespace: string, name: string): { node: string; ips: { ipv4?: string; ipv6?: string } } | undefined;
}

/** The offending flow of a failed probe: its first source pod (where it runs, its address) to the target. */
export function labOffendingFlow(input: LabOvnDiagnosticsInput): OffendingFlow | undefined {
  const flow = input.failedFlow;
  const source = flow?.sources[0];
  if (!flow || !source) return undefined;
  const pod = input.podOf(source.namespace, source.pod);
  const ip = flow.address.includes(':') ? pod?.ips.ipv6 : pod?.ips.ipv4;
  if (!pod || !ip) return undefined;
  return {
    pod: { namespace: source.namespace, name: source.pod, node: pod.node, ip },
    peer: {
      ip: flow.address,
      protocol: flow.protocol,
      ...(flow.protocol === 'icmp' ? {} : { port: flow.port }),
    },
  };
}

/** Writes the OVN diagnostics into dir; a lab without OVN writes nothing. */
export async function collectLabOvnDiagnostics(input: LabOvnDiagnosticsInput, dir: string): Promise<void> {
  const central = input.lab.ovnCentralContainer;
  if (!central) return;
  const sites = dockerOvnSites(
    central,
    input.lab.nodes().map((n) => ({ name: n.name, container: n.container })),
  );
  const flow = labOffendingFlow(input);
  await collectOvnDiagnostics(
    execaRunner,
    { sites, egressNodes: input.egressNodes, ...(flow ? { flow } : {}) },
    dir,
  );
}
