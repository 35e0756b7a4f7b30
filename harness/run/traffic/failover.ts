/**
 * `measure: failover`: from the last failNode to the first packet of the first round that
 * passed, per family; over the `failover` bound is a failure. The resolution is one round (a
 * capture's start and stop), which the detail says.
 */
import type { ProbeEvidenceRecord } from '../results.js';
import type { StepRun } from '../step-run.js';

/** Records `failoverMs` on each of `records`; returns what went wrong, if anything. */
export function measureFailover(
  run: StepRun,
  firstPassing: ProbeEvidenceRecord[] | undefined,
  records: ProbeEvidenceRecord[],
): string | undefined {
  const failedAt = run.ctx.failedAt;
  if (failedAt === undefined) return 'measure failover: no node was failed before this probe';
  if (!firstPassing) return undefined;
  const bound = run.timeouts.failover;
  const problems: string[] = [];
  for (const record of records) {
    const first = firstPassing.find((r) => r.message.startsWith(`${record.probe}/${record.family}:`));
    const at = first?.firstPacketMs;
    if (at === undefined) continue;
    const failoverMs = Math.max(0, Math.round(at - failedAt));
    record.measurements = { ...(record.measurements ?? {}), failoverMs };
    record.message += `; failover: first correct packet ${failoverMs}ms after the node failed (bound ${bound}ms)`;
    if (failoverMs > bound)
      problems.push(
        `${record.probe}/${record.family}: failover took ${failoverMs}ms, over the bound of ${bound}ms`,
      );
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}
