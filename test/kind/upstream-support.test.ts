/**
 * Support derived, not claimed. For each pin set, upstream's CI is read from the mirror of
 * ovn-kubernetes/ovn-kubernetes at the pinned commit (test/kind/upstream-ci.ts runs the commit's
 * own "Run Tests" step, test/Makefile and e2e-cp.sh for every matrix entry, and applies ginkgo's
 * selection to the specs of egress_services.go): the lanes that run EgressService cases, with
 * their family, gateway mode, MetalLB mode, flags and cases, must be the pin set's `lanes`; every
 * pinned value must be on its quoted line; every case must do what upstream-cases.ts says.
 *
 * Mirrors: EC_UPSTREAM_MIRRORS=DIR (then a missing mirror or commit FAILS), else /work/.mirror
 * when present; without either (a clean CI clone) the mirror half is skipped and the other half
 * still holds the provider to the recorded lanes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCombinations, refusalOf, supportedCombinations } from '../../harness/env/kind/combinations.js';
import { kindFeatures } from '../../harness/env/kind/description.js';
import { DEFAULT_PIN_SET, PIN_SET_NAMES, PIN_SETS, type PinSet } from '../../harness/env/kind/pin-sets.js';
import { planHeader, planKind } from '../../harness/env/kind/provider.js';
import {
  caseOfSpecText,
  UPSTREAM_CASE_NAMES,
  UPSTREAM_CASES,
} from '../../harness/env/kind/upstream-cases.js';
import { BEYOND_UPSTREAM, laneFollowed, lanesExercising } from '../../harness/env/kind/upstream-support.js';
import { kindOptions } from './support.js';
import { deriveEgressServiceLanes, gitShow, hasCommit, type Mirror, parseSpecs } from './upstream-ci.js';

const STRICT = process.env.EC_UPSTREAM_MIRRORS !== undefined;
const MIRRORS = process.env.EC_UPSTREAM_MIRRORS ?? '/work/.mirror';
const OVN_MIRROR = join(MIRRORS, 'ovn-kubernetes+ovn-kubernetes', 'repo');
const mirrorPresent = existsSync(OVN_MIRROR);

const mirrorOf = (p: PinSet): Mirror => ({ dir: OVN_MIRROR, commit: p.ovnKubernetes.commit });

describe.skipIf(!STRICT && !mirrorPresent)('pin sets, read back from ovn-kubernetes/ovn-kubernetes', () => {
  it('has the mirror and every pinned commit, on the branch it is said to be on', () => {
    expect(existsSync(OVN_MIRROR), `no mirror at ${OVN_MIRROR}`).toBe(true);
    for (const p of Object.values(PIN_SETS)) {
      expect(hasCommit(mirrorOf(p)), `${p.name}: ${p.ovnKubernetes.commit} not in ${OVN_MIRROR}`).toBe(true);
    }
  });

  for (const name of PIN_SET_NAMES) {
    const p = PIN_SETS[name];
    describe(`pin set ${name} (${p.ovnKubernetes.ref} at ${p.ovnKubernetes.commit.slice(0, 12)})`, () => {
      // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: checks every pinned value kind against its quoted line in one test
      it('finds every pinned value on its quoted line at the commit', () => {
        const problems: string[] = [];
        for (const [key, pinned] of Object.entries(p)) {
          if (!pinned || typeof pinned !== 'object' || !('quote' in pinned)) continue;
          const text = gitShow(mirrorOf(p), pinned.path);
          if (!text.split('\n').some((line) => line.includes(pinned.quote)))
            problems.push(`${key}: "${pinned.quote}" not in ${pinned.path}`);
          const wanted =
            pinned.value.split(/[ ,]+/)[0] === 'containerd-snapshotter'
              ? 'containerd-snapshotter'
              : pinned.value;
          if (key !== 'metallbInstall' && !pinned.quote.includes(wanted.replace(/^v/, '')))
            problems.push(`${key}: the quote does not hold ${pinned.value}`);
        }
        expect(problems).toEqual([]);
      });

      it("records exactly the lanes upstream's CI runs EgressService cases in, with their cases", () => {
        const derived = deriveEgressServiceLanes(mirrorOf(p));
        const unknown = derived.flatMap((l) => l.specs.filter((s) => caseOfSpecText(s) === undefined));
        expect(unknown, 'EgressService specs upstream-cases.ts does not know').toEqual([]);
        for (const lane of derived)
          for (const spec of lane.specs)
            expect(
              caseOfSpecText(spec)?.family === lane.family || lane.family === 'dual',
              `${lane.job}: ${spec}`,
            ).toBe(true);
        const shape = derived.map((l) => ({
          job: l.job,
          entry: l.entry,
          family: l.family,
          gatewayMode: l.gatewayMode,
          metallbMode: l.metallbMode,
          flags: Object.fromEntries(Object.entries(l.flags).filter(([, v]) => v !== '')),
          cases: l.specs.map((s) => caseOfSpecText(s)?.name),
        }));
        expect(p.lanes).toEqual(shape);
        expect(p.lanes.length).toBeGreaterThan(0);
      }, 120_000);

      it('finds every case in egress_services.go, doing what upstream-cases.ts says it does', () => {
        const specs = parseSpecs(gitShow(mirrorOf(p), 'test/e2e/egress_services.go'));
        for (const name of UPSTREAM_CASE_NAMES) {
          const spec = specs.find((s) => caseOfSpecText(s.text)?.name === name);
          expect(spec, `${name} not in egress_services.go`).toBeDefined();
          for (const words of UPSTREAM_CASES[name].shows)
            expect(spec?.body, `${name}: ${words}`).toContain(words);
        }
      });
    });
  }
});

describe('the provider, held to the recorded lanes (no mirror needed)', () => {
  const FAMILIES = { ipv4: ['ipv4'], ipv6: ['ipv6'], dual: ['ipv4', 'ipv6'] } as const;

  it('brings up every combination an upstream lane runs EgressService cases in', () => {
    for (const p of Object.values(PIN_SETS))
      for (const lane of p.lanes) expect(refusalOf(lane), `${p.name} ${lane.job}`).toBeUndefined();
  });

  // The plan and the features speak of the default pin set's lanes (the bring-up does not take a
  // pin set yet: docs/kind.md).
  it('names the lane it follows, or says beyond upstream, in the plan of every supported combination', () => {
    for (const name of [DEFAULT_PIN_SET]) {
      for (const c of supportedCombinations()) {
        const { topology } = planKind(
          kindOptions({ gatewayMode: c.gatewayMode, metallbMode: c.metallbMode }, [...FAMILIES[c.family]]),
        );
        const header = planHeader(topology);
        const lane = laneFollowed(PIN_SETS[name], c);
        if (lane) expect(header).toContain(`upstream lane ${lane.job}`);
        else expect(header).toContain(BEYOND_UPSTREAM);
      }
    }
  });

  it('gives every supported feature the lane exercising it, or marks it beyond upstream', () => {
    for (const name of [DEFAULT_PIN_SET]) {
      for (const c of supportedCombinations()) {
        const { topology } = planKind(
          kindOptions({ gatewayMode: c.gatewayMode, metallbMode: c.metallbMode }, [...FAMILIES[c.family]]),
        );
        for (const f of kindFeatures(topology).filter((x) => x.supported)) {
          const lanes = lanesExercising(PIN_SETS[name], c, f.name as never);
          expect(f.reason, `${name} ${JSON.stringify(c)} ${f.name}`).toBe(
            lanes.length > 0 ? `upstream lane ${lanes[0]?.job} runs it (${name})` : BEYOND_UPSTREAM,
          );
        }
      }
    }
  });

  it('answers the review: ipv6 local gateway, NetworkRouting in shared mode, EgressIPPriority on IPv6, dual-stack', () => {
    const p = PIN_SETS['v1.3'];
    // Finding 3: upstream runs IPv6 with local gateway and MetalLB; the provider brings it up.
    expect(refusalOf({ family: 'ipv6', gatewayMode: 'local', metallbMode: 'frr' })).toBeUndefined();
    expect(laneFollowed(p, { family: 'ipv6', gatewayMode: 'local', metallbMode: 'frr' })?.job).toBe(
      'control-plane-noHA-local-ipv6-noSnatGW-1br-ic-single-node-zones',
    );
    // Finding 4: "without selectors" sets network "100" in the shared-gateway lanes.
    expect(
      lanesExercising(p, { family: 'ipv4', gatewayMode: 'shared', metallbMode: 'frr' }, 'NetworkRouting')
        .length,
    ).toBeGreaterThan(0);
    // Finding 5: the EgressIP priority case runs on IPv6.
    expect(
      lanesExercising(p, { family: 'ipv6', gatewayMode: 'shared', metallbMode: 'frr' }, 'EgressIPPriority')
        .length,
    ).toBeGreaterThan(0);
    // Finding 6: no lane runs EgressService dual-stack.
    expect(p.lanes.filter((l) => l.family === 'dual')).toEqual([]);
    expect(allCombinations().filter((c) => refusalOf(c) !== undefined)).toEqual([
      { family: 'dual', gatewayMode: 'shared', metallbMode: 'frr-k8s' },
      { family: 'dual', gatewayMode: 'local', metallbMode: 'frr-k8s' },
    ]);
  });
});
