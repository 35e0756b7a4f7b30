/**
 * Traffic as the runner holds it: where a flow goes once resolved, and the running state of
 * background traffic between `startTraffic` and `stopTraffic`.
 */
import type { IpFamily, ProbeEvidence, ProbeTarget } from '../../env/environment.js';
import type { StartTrafficSpec } from '../../spec/steps/start-traffic.js';

/** A probe target resolved for one family: what the environment is asked, and how to name it. */
export interface ResolvedTarget {
  target: ProbeTarget;
  address: string;
  port: number;
  label: string;
  /**
   * Other ports the target answers on, when the spec named none: a probe may use any of them
   * that no other test is capturing on (`holdTarget`).
   */
  otherPorts?: number[];
}

export interface FamilyTraffic {
  family: IpFamily;
  target: ResolvedTarget;
  evidence: Promise<ProbeEvidence>;
}

export interface BackgroundTraffic {
  spec: StartTrafficSpec;
  stop: AbortController;
  flows: FamilyTraffic[];
  /** When the watched EgressService's status.host was first seen non-empty (ms since the epoch). */
  publishedAt?: number;
  publishedHost?: string;
  watcher: Promise<void>;
  startedAt: number;
}
