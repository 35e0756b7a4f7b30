/**
 * npm run upstream:check: for each pin set, every pinned value as holding or changed at the
 * pinned commit, the lanes derived again from upstream's CI against the recorded ones, and how
 * stale the pin is (the newest release tag and the branch's head in the mirror). Reads the bare
 * mirrors (EC_UPSTREAM_MIRRORS, default /work/.mirror); exits 1 when anything changed or a
 * mirror or commit is missing. Run it before changing a pin.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PIN_SETS } from '../harness/env/kind/pin-sets.js';
import { caseOfSpecText } from '../harness/env/kind/upstream-cases.js';
import { deriveEgressServiceLanes, gitShow, hasCommit } from '../test/kind/upstream-ci.js';

const dir = join(process.env.EC_UPSTREAM_MIRRORS ?? '/work/.mirror', 'ovn-kubernetes+ovn-kubernetes', 'repo');
const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
let failed = false;
if (!existsSync(dir)) {
  console.error(`upstream:check: no mirror at ${dir} (set EC_UPSTREAM_MIRRORS)`);
  process.exit(1);
}
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
