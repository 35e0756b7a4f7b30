/**
 * The suite catches broken implementations: a representative subset of the lab's known faults,
 * each failing the scenarios of the statements the fault table names, with the evidence in the
 * message. (`npm run sharpness` runs every fault against the whole core profile.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../harness/env/lab/reference/faults.js';
import { STATEMENT_IDS } from '../../harness/spec/statements.js';
import { downKeptLab, type KeptLab, upKeptLab } from '../../scripts/kept-lab.js';
import { expectedStatements, runWithFault } from '../../scripts/sharpness.js';
import { CLI, cli } from '../support/cli.js';

/**
 * One fault per kind of evidence: packets' sources, replies, placement objects, BGP, lifecycle;
 * and two of the extended profile's (a failover that never happens; a network announced over BGP
 * but not routed on the nodes, which loses the replies to that network's clients), which run
 * their extended scenarios. The other extended faults run in `npm run sharpness`.
 */
const SUBSET = [
  'no-snat',
  'snat-in-cluster',
  'no-return-path',
  'label-every-node',
  'leftovers-after-delete',
  'no-failover',
  'network-announced-not-routed',
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
];

describe('sharpness', () => {
  let dir: string;
  let lab: KeptLab | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-sharpness-'));
    // One kept lab for the subset's runs (a developer's kept IPv4 lab is reused and left alone).
    lab = await upKeptLab(CLI, ['--family', 'ipv4']);
  }, 300_000);
  afterAll(async () => {
    await downKeptLab(CLI, lab);
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every fault with the statements it breaks', async () => {
    const { code, stdout } = await cli(['lab', 'faults', '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as Array<{ name: string; statements: string[]; breaks: string }>;
    expect(listed.map((f) => f.name)).toEqual(FAULTS.map((f) => f.name));
    for (const fault of listed) {
      expect(fault.breaks.length).toBeGreaterThan(10);
      for (const id of fault.statements) expect(STATEMENT_IDS.has(id), id).toBe(true);
      for (const id of (fault as { extendedStatements?: string[] }).extendedStatements ?? []) {
        expect(STATEMENT_IDS.has(id), id).toBe(true);
      }
    }
  });

  it.each(SUBSET)(
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
