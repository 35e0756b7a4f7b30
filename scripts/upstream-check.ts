/**
 * npm run upstream:check: for each pin set, every pinned value as holding or changed at the
 * pinned commit, the lanes derived again from upstream's CI against the recorded ones, the
 * MetalLB chart, frr-k8s subchart, FRR image keys and kind facts read at the pinned tags
 * (test/kind/upstream-pins.ts), and how stale each pin is (the branch's head and the newest
 * release tags of ovn-kubernetes, MetalLB, frr-k8s and kind in the mirrors). Reads the bare
 * mirrors (EC_UPSTREAM_MIRRORS, default /work/.mirror); exits 1 when anything changed or a
 * mirror or commit is missing. Run it before changing a pin.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { METALLB_CHARTS } from '../harness/env/kind/metallb-chart.js';
import { PIN_SETS } from '../harness/env/kind/pin-sets.js';
import { caseOfSpecText } from '../harness/env/kind/upstream-cases.js';
import { deriveEgressServiceLanes, gitShow, hasCommit } from '../test/kind/upstream-ci.js';
import { newestReleaseTag, pinFacts, REPOS, type ReadAt } from '../test/kind/upstream-pins.js';

const dir = REPOS.ovn;
const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
let failed = false;
const missing = Object.values(REPOS).filter((d) => !existsSync(d));
if (missing.length > 0) {
  for (const d of missing) console.error(`upstream:check: no mirror at ${d} (set EC_UPSTREAM_MIRRORS)`);
  process.exit(1);
}
// For tests only: EC_UPSTREAM_CHECK_READ_AT=metallb=REF,kind=REF reads those mirrors at REF
// instead of the pinned tag, so a test can see a change reported without editing a pin.
const readAt: ReadAt = Object.fromEntries(
  (process.env.EC_UPSTREAM_CHECK_READ_AT ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=') as [string, string]),
);
const newest = {
  metallb: newestReleaseTag(REPOS.metallb),
  frrK8s: newestReleaseTag(REPOS.frrK8s),
  kind: newestReleaseTag(REPOS.kind),
};
const newestTag = git('tag', '--sort=-creatordate', '--list', 'v*').split('\n')[0] ?? '(none)';
for (const p of Object.values(PIN_SETS)) {
  const m = { dir, commit: p.ovnKubernetes.commit };
  console.log(
    `pin set ${p.name}: ${p.ovnKubernetes.ref} at ${p.ovnKubernetes.commit} (${p.ovnKubernetes.committed})`,
  );
  if (!hasCommit(m)) {
    console.log('  MISSING  the pinned commit is not in the mirror');
    failed = true;
    continue;
  }
  const head = git('rev-parse', `refs/heads/${p.ovnKubernetes.ref}`);
  const behind = git('rev-list', '--count', `${p.ovnKubernetes.commit}..${head}`);
  console.log(
    `  staleness: ${p.ovnKubernetes.ref} head ${head.slice(0, 12)} is ${behind} commits ahead; newest release tag ${newestTag}`,
  );
  for (const [key, pinned] of Object.entries(p)) {
    if (!pinned || typeof pinned !== 'object' || !('quote' in pinned)) continue;
    const holds = gitShow(m, pinned.path).includes(pinned.quote);
    if (!holds) failed = true;
    console.log(
      `  ${holds ? 'holding' : 'CHANGED'}  ${key} = ${pinned.value} (${pinned.path}: ${pinned.quote})`,
    );
  }
  console.log(
    `  staleness: MetalLB ${p.metallb.value} (newest ${newest.metallb}), frr-k8s chart v${METALLB_CHARTS[p.name].frrK8sChart} (newest ${newest.frrK8s}), kind ${p.kind.value} (newest ${newest.kind})`,
  );
  try {
    for (const f of pinFacts(p, readAt)) {
      const holds = f.read === f.pinned;
      if (!holds) failed = true;
      console.log(
        `  ${holds ? 'holding' : 'CHANGED'}  ${f.fact} = ${f.pinned}${holds ? '' : ` (read: ${f.read})`} (${f.where})`,
      );
    }
  } catch (error) {
    // A pinned tag missing from a mirror: git show fails.
    console.log(
      `  MISSING  a pinned MetalLB, frr-k8s or kind ref: ${(error as Error).message.split('\n')[0]}`,
    );
    failed = true;
  }
  const derived = deriveEgressServiceLanes(m).map(
    (l) => `${l.job} [${l.specs.map((s) => caseOfSpecText(s)?.name ?? s).join(', ')}]`,
  );
  const recorded = p.lanes.map((l) => `${l.job} [${l.cases.join(', ')}]`);
  for (const lane of new Set([...recorded, ...derived])) {
    const holds = recorded.includes(lane) && derived.includes(lane);
    if (!holds) failed = true;
    console.log(
      `  ${holds ? 'holding' : 'CHANGED'}  lane ${lane}${holds ? '' : recorded.includes(lane) ? ' (recorded, not derived)' : ' (derived, not recorded)'}`,
    );
  }
}
process.exit(failed ? 1 : 0);
