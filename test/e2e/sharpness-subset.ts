/**
 * The sharpness subset `npm test` runs (test/e2e/sharpness-a.test.ts and -b.test.ts): a
 * representative subset of the lab's known faults, each failing the scenarios of the statements
 * the fault table names, with the evidence in the message. (`npm run sharpness` runs every fault
 * against the whole core profile.) The subset is split in two halves, one per Docker lane
 * (test/setup/docker-files.ts), each on a kept lab of its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../harness/env/lab/reference/faults.js';
import { downKeptLab, type KeptLab, upKeptLab } from '../../scripts/kept-lab.js';
import { expectedStatements, runWithFault } from '../../scripts/sharpness.js';
import { CLI } from '../support/cli.js';

/**
 * One fault per kind of evidence: packets' sources, replies, placement objects, BGP, lifecycle
 * (one across a controller restart);
 * and two of the extended profile's (a failover that never happens; a network announced over BGP
 * but not routed on the nodes, which loses the replies to that network's clients), which run
 * their extended scenarios. The other extended faults run in `npm run sharpness`. Split by the
 * measured run times (docs/measurements/test-loop.md) so that both halves take about as long.
 */
export const SHARPNESS_HALVES: readonly [readonly string[], readonly string[]] = [
  [
    'no-snat',
    'snat-in-cluster',
    'no-return-path',
    'leftovers-after-delete',
    'no-failover',
    'network-announced-not-routed',
    // A controller restart (issue #24, upstream's 84575787c): the stale SNAT a failed repair keeps.
    'repair-keeps-stale-snat',
  ],
  [
    'label-every-node',
    // One per statement of issue #13: endpoint churn, several EgressServices at once, an ingress
    // IP change, the Service deleted or changed under its EgressService.
    'endpoints-read-once',
    'snat-to-first-service',
    'lb-ip-read-once',
    'placement-kept-without-service',
    // A protocol the SNAT misses: ICMP echo leaves with the node IP while TCP and UDP are rewritten.
    'snat-tcp-udp-only',
    // A Service looked up by name alone (issue #24): caught by the namespace-isolation scenario run
    // on its own, with no other test's `web` beside it.
    'service-lookup-by-name',
  ],
];

/** Every fault of the subset, once. */
export const SHARPNESS_SUBSET: readonly string[] = SHARPNESS_HALVES.flat();

/** The fault runs of one half, on a kept lab of this file's own (its kept-lab pool). */
export function describeSharpness(half: 0 | 1): void {
  describe(`sharpness, half ${half + 1} of 2`, () => {
    let dir: string;
    let lab: KeptLab | undefined;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ec-sharpness-'));
      // One kept lab for this half's runs, in this file's kept-lab pool (test/setup/docker-turn.ts):
      // the other half's lab, kept up beside it, is never taken.
      lab = await upKeptLab(CLI, ['--family', 'ipv4']);
    }, 300_000);
    afterAll(async () => {
      await downKeptLab(CLI, lab);
      await rm(dir, { recursive: true, force: true });
    });

    it.each(SHARPNESS_HALVES[half])(
      'fails the run on fault %s, for the statements the fault table names, with the evidence',
      async (name) => {
        const fault = FAULTS.find((f) => f.name === name);
        const outcome = await runWithFault(fault, {
          reportDir: join(dir, name),
          onlyExpected: true,
          extraArgs: ['--family', 'ipv4'],
        });
        expect(outcome.exitCode, outcome.messages.join('\n')).toBe(1);
        expect(outcome.missed).toEqual([]);
        const expected = fault ? expectedStatements(fault, 'core') : [];
        expect(expected.length).toBeGreaterThan(0);
        for (const statement of expected) {
          expect(outcome.messages.some((m) => m.includes(statement))).toBe(true);
        }
        // Every failure says what was seen: packets with their sources, or the objects' state.
        for (const message of outcome.messages) {
          expect(message).toMatch(
            /packets to .* had source|got no reply|answered by|status\.host|labelled|next hops|label of web is on/,
          );
        }
      },
      240_000,
    );
  });
}
