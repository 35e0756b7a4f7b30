/**
 * What upstream's own CI runs of a combination, from the pin set's lanes (pin-sets.ts, derived
 * from the pinned commit by test/kind/upstream-support.test.ts): the lanes that run EgressService
 * e2e cases in it, the lane a bring-up follows, and per feature whether a case exercising it runs
 * there. Anything else the provider offers is marked "beyond upstream".
 */
import type { Feature } from '../../spec/statements.js';
import type { KindCombination } from './combinations.js';
import type { PinSet, UpstreamLane } from './pin-sets.js';
import { UPSTREAM_CASES } from './upstream-cases.js';

export const BEYOND_UPSTREAM = "beyond upstream: not run by upstream's CI";

export function lanesOf(p: PinSet, c: KindCombination): UpstreamLane[] {
  return p.lanes.filter(
    (l) => l.family === c.family && l.gatewayMode === c.gatewayMode && l.metallbMode === c.metallbMode,
  );
}

/** Whether a lane has the layout the provider brings up: no HA, interconnect (a lane that sets neither takes the scripts' defaults). */
function sameLayout(l: UpstreamLane): boolean {
  return l.flags.OVN_HA !== 'true' && l.flags.OVN_ENABLE_INTERCONNECT !== 'false';
}

/** The lane a bring-up of the combination follows (its flags are set), or undefined: beyond upstream. */
export function laneFollowed(p: PinSet, c: KindCombination): UpstreamLane | undefined {
  return lanesOf(p, c).find(sameLayout);
}

function familyFeature(feature: Feature, l: UpstreamLane): boolean {
  if (feature === 'IPv6') return l.family !== 'ipv4';
  if (feature === 'DualStack') return l.family === 'dual';
  return l.cases.some((name) => (UPSTREAM_CASES[name].features as readonly Feature[]).includes(feature));
}

/** The lanes of the combination that run a case exercising the feature (none: beyond upstream). */
export function lanesExercising(p: PinSet, c: KindCombination, feature: Feature): UpstreamLane[] {
  return lanesOf(p, c).filter((l) => familyFeature(feature, l));
}

/** One line for doctor, the plan and the report: the lane a combination follows, or that none runs it. */
export function upstreamCoverage(p: PinSet, c: KindCombination): string {
  const lane = laneFollowed(p, c);
  if (lane) return `upstream lane ${lane.job} (test.yml e2e entry ${lane.entry}, ${p.name})`;
  const other = lanesOf(p, c)[0];
  return other
    ? `${BEYOND_UPSTREAM} in this layout (no HA, interconnect); upstream runs it as ${other.job}`
    : `${BEYOND_UPSTREAM} (${p.name} has no EgressService lane for ${c.family}, ${c.gatewayMode} gateway, MetalLB ${c.metallbMode})`;
}
