/**
 * A failed node that comes back must not keep announcing the LoadBalancer IP it held before the
 * failover (ES-FAIL-1's scenarios check the peer's next hops after the restore). The reference
 * lab used to withdraw the node's stale announcement only once its BGP sessions were back, and
 * FRR 8.4 sometimes lost that withdrawal: the peer kept a route via the restored node and the
 * extended failover scenarios failed about 1 run in 4 at the sharpness bounds (2 of 8 runs, and 2
 * of 5 earlier). The reference now clears the node's announcements before its network returns,
 * as a restarted speaker would. A single run cannot prove a race gone; this one runs the four
 * restores (two scenarios, two families) at the bounds where it showed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { labUpIn, leftBy, NOTHING_LEFT } from '../support/leftovers.js';

describe('a restored node after a failover (reference lab)', () => {
  let dir: string;
  let result: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-e2e-restore-'));
    result = await cli(
      [
        'run',
        '--provider',
        'lab',
        '--profile',
        'extended',
        '--run-test',
        'failover',
        '--run-test',
        'failover-node-removed',
        '--timeout',
        'convergence=15s',
        '--timeout',
        'bgp=20s',
        '--report-dir',
        join(dir, 'report'),
      ],
      { timeout: 300_000 },
    );
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves the peer routing the LoadBalancer IP via the new egress node only, on both families', async () => {
    const report = JSON.parse(await readFile(join(dir, 'report', 'conformance-report.json'), 'utf8'));
    const outcomes = (report.tests as Array<{ name: string; status: string; message?: string }>)
      .filter((t) => t.status !== 'skipped')
      .map((t) => `${t.name}: ${t.status}${t.message ? ` (${t.message})` : ''}`)
      .sort();
    expect(outcomes).toEqual([
      'failover-node-removed/ipv4: passed',
      'failover-node-removed/ipv6: passed',
      'failover/ipv4: passed',
      'failover/ipv6: passed',
    ]);
    expect(result.code).toBe(0);
  });

  it('leaves no container, network or temp directory behind', async () => {
    expect(await leftBy(labUpIn(result.stdout))).toEqual(NOTHING_LEFT);
  });
});
