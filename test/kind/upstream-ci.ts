/**
 * Which of upstream's EgressService e2e cases its own CI runs, and where: read from a bare mirror
 * of ovn-kubernetes/ovn-kubernetes at a commit, never from our notes about it.
 *
 *  lanes        .github/workflows/test.yml's e2e job: every matrix entry, with the job's `env:`
 *               expressions evaluated for it (GitHub's rules: case-insensitive string equality,
 *               `&&`/`||` yield an operand, a missing matrix key is null)
 *  run          the job's "Run Tests" step executed with bash for the entry, with upstream's own
 *               test/Makefile and test/scripts/e2e-cp.sh, and `go`/`ginkgo` replaced by recorders:
 *               what e2e-cp.sh would hand ginkgo (focus, skip, label filter) is what it records
 *  specs        test/e2e/egress_services.go parsed into ginkgo's spec texts (containers, tables,
 *               entries) and labels
 *  selection    ginkgo's own rule (vendored internal/focus.go at the commit): focus and skip
 *               match "<suite description> <spec text>", the label filter the union of labels
 *
 * The other test scripts the step may call are replaced by no-ops: only e2e-cp.sh runs
 * OVN-Kubernetes' own e2e (shard-* runs Kubernetes' conformance suite through e2e-kind.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export type Value = string | number | boolean | null;

/** GitHub Actions' expression language, the subset test.yml uses. */
export function evaluateExpression(source: string, context: Record<string, Record<string, Value>>): Value {
  const tokens = source.match(/'(?:[^']|'')*'|&&|\|\||==|!=|[()!,]|[A-Za-z_][\w.-]*|\d+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const toNumber = (v: Value): number =>
    v === null
      ? 0
      : typeof v === 'boolean'
        ? Number(v)
        : typeof v === 'number'
          ? v
          : v.trim() === ''
            ? 0
            : Number(v);
  const equal = (a: Value, b: Value): boolean =>
    typeof a === 'string' && typeof b === 'string'
      ? a.toLowerCase() === b.toLowerCase()
      : toNumber(a) === toNumber(b);
  const truthy = (v: Value): boolean => !(v === null || v === false || v === 0 || v === '');
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a small recursive-descent parser of GitHub's expression language
  const primary = (): Value => {
    const t = next();
    if (t === undefined) throw new Error(`expression ends early: ${source}`);
    if (t === '(') {
      const v = or();
      if (next() !== ')') throw new Error(`no ) in ${source}`);
      return v;
    }
    if (t === '!') return !truthy(primary());
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^\d+$/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (peek() === '(') {
      next();
      const args: Value[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') next();
      }
      next();
      if (t === 'startsWith')
        return String(args[0] ?? '')
          .toLowerCase()
          .startsWith(String(args[1] ?? '').toLowerCase());
      if (t === 'endsWith')
        return String(args[0] ?? '')
          .toLowerCase()
          .endsWith(String(args[1] ?? '').toLowerCase());
      if (t === 'contains')
        return String(args[0] ?? '')
          .toLowerCase()
          .includes(String(args[1] ?? '').toLowerCase());
      throw new Error(`function ${t} unknown to this evaluator: ${source}`);
    }
    const [scope, ...rest] = t.split('.');
    const values = context[scope as string];
    if (!values) throw new Error(`context ${scope} unknown to this evaluator: ${source}`);
    return values[rest.join('.')] ?? null;
  };
  const comparison = (): Value => {
    const left = primary();
    const op = peek();
    if (op === '==' || op === '!=') {
      next();
      const right = primary();
      return op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const and = (): Value => {
    let v = comparison();
    while (peek() === '&&') {
      next();
      const r = comparison();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  const or = (): Value => {
    let v = and();
    while (peek() === '||') {
      next();
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  };
  const value = or();
  if (i !== tokens.length) throw new Error(`unparsed rest in ${source}: ${tokens.slice(i).join(' ')}`);
  return value;
}

/** A string with `${{ }}` expressions substituted as GitHub renders them into text. */
export function renderTemplate(text: string, context: Record<string, Record<string, Value>>): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluateExpression(expr, context);
    return v === null ? '' : String(v);
  });
}

export interface Mirror {
  dir: string;
  commit: string;
}

export function gitShow(m: Mirror, path: string): string {
  return execFileSync('git', ['-C', m.dir, 'show', `${m.commit}:${path}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 ** 2,
  });
}

export function hasFile(m: Mirror, path: string): boolean {
  return spawnSync('git', ['-C', m.dir, 'cat-file', '-e', `${m.commit}:${path}`]).status === 0;
}

export function hasCommit(m: Mirror): boolean {
  return spawnSync('git', ['-C', m.dir, 'cat-file', '-e', `${m.commit}^{commit}`]).status === 0;
}

export interface GinkgoSelection {
  focus: string;
  skip: string;
  labelFilter: string;
}

export interface LaneRun {
  /** The job name test.yml gives the entry (JOB_NAME). */
  job: string;
  matrix: Record<string, Value>;
  env: Record<string, string>;
  /** One per e2e-cp.sh invocation the step makes. */
  selections: GinkgoSelection[];
}

const RECORDER = `#!/bin/bash
# Stands in for go and ginkgo: records the arguments of a test run, one per line.
if [ "$1" = mod ]; then exit 0; fi
{ echo "--- $(basename "$0")"; printf '%s\\n' "$@"; } >> "$EC_RECORD"
`;

function selectionOf(args: string[]): GinkgoSelection {
  const take = (flag: string): string => {
    const eq = args.find((a) => a.startsWith(`${flag}=`));
    if (eq) return eq.slice(flag.length + 1);
    const at = args.indexOf(flag);
    return at >= 0 ? (args[at + 1] ?? '') : '';
  };
  const go = args.includes('-ginkgo.v');
  return {
    focus: take(go ? '-ginkgo.focus' : '--focus'),
    skip: take(go ? '-ginkgo.skip' : '--skip'),
    labelFilter: take(go ? '-ginkgo.label-filter' : '--label-filter'),
  };
}

/** Every e2e matrix entry of test.yml, each with what its "Run Tests" step hands ginkgo. */
export function runLanes(m: Mirror): LaneRun[] {
  const workflow = parse(gitShow(m, '.github/workflows/test.yml')) as {
    env?: Record<string, Value>;
    jobs: Record<
      string,
      {
        env?: Record<string, string>;
        strategy?: { matrix?: { include?: Array<Record<string, Value>> } };
        steps?: Array<{ name?: string; run?: string; env?: Record<string, string> }>;
      }
    >;
  };
  const job = workflow.jobs.e2e;
  if (!job) throw new Error('test.yml has no e2e job');
  const step = job.steps?.find((s) => s.name === 'Run Tests');
  if (!step?.run) throw new Error('test.yml e2e job has no "Run Tests" step');
  const dir = mkdtempSync(join(tmpdir(), 'ec-upstream-ci-'));
  try {
    for (const d of ['bin', 'test/scripts', 'test/e2e', 'go-controller'])
      mkdirSync(join(dir, d), { recursive: true });
    for (const tool of ['go', 'ginkgo']) {
      writeFileSync(join(dir, 'bin', tool), RECORDER);
      chmodSync(join(dir, 'bin', tool), 0o755);
    }
    writeFileSync(join(dir, 'test', 'Makefile'), gitShow(m, 'test/Makefile'));
    writeFileSync(join(dir, 'go-controller', 'Makefile'), 'build:\n\t@true\n');
    const scripts = execFileSync('git', ['-C', m.dir, 'ls-tree', '--name-only', `${m.commit}:test/scripts`], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    for (const script of scripts) {
      const path = join(dir, 'test', 'scripts', script);
      writeFileSync(
        path,
        script === 'e2e-cp.sh' ? gitShow(m, `test/scripts/${script}`) : '#!/bin/sh\nexit 0\n',
      );
      chmodSync(path, 0o755);
    }
    const global = Object.fromEntries(
      Object.entries(workflow.env ?? {}).map(([k, v]) => [k, String(v ?? '')]),
    );
    return (job.strategy?.matrix?.include ?? []).map((matrix): LaneRun => {
      const context = { matrix, env: global as Record<string, Value> };
      const env = Object.fromEntries(
        Object.entries({ ...job.env, ...step.env }).map(([k, v]) => [k, renderTemplate(String(v), context)]),
      );
      const record = join(dir, 'record');
      writeFileSync(record, '');
      const script = renderTemplate(step.run as string, { ...context, env: { ...global, ...env } });
      const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...global, ...env, PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, HOME: dir, EC_RECORD: record },
      });
      if (result.status !== 0 && matrix.target !== 'tools')
        throw new Error(`the Run Tests step failed for ${env.JOB_NAME}: ${result.stderr.slice(-500)}`);
      const selections = readFileSync(record, 'utf8')
        .split(/^--- \S+\n/m)
        .filter((chunk) => chunk.trim() !== '')
        .map((chunk) => selectionOf(chunk.replace(/\n$/, '').split('\n')));
      return { job: env.JOB_NAME ?? '', matrix, env, selections };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface GinkgoSpec {
  /** Container, table and entry texts joined with spaces (ginkgo's Spec.Text()). */
  text: string;
  labels: string[];
  /** The source of the table or It the spec comes from (what a case does). */
  body: string;
}

/** The end of a call whose `(` is at `open`: strings, runes and comments skipped. */
function closingParen(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === "'") {
      for (i++; src[i] !== c; i++) if (src[i] === '\\') i++;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1);
    } else if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
    } else if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i) + 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new Error('unbalanced parentheses');
}

/**
 * The specs of one ginkgo test file. Labels: `feature.X` is Feature:X (test/e2e/feature's New,
 * test/e2e/label's GinkgoLabel), `ginkgo.Label("a")` is a; any other decorator (Serial, Ordered,
 * Focus, Pending) fails the parse, so that a change upstream is seen rather than misread.
 */
export function parseSpecs(src: string): GinkgoSpec[] {
  const nodes = [
    ...src.matchAll(
      /ginkgo\.(Describe|Context|When|DescribeTable|It|Entry)\(\s*"((?:[^"\\]|\\.)*)"([^\n]*)/g,
    ),
  ].map((m) => {
    const open = (m.index as number) + m[0].indexOf('(');
    const end = closingParen(src, open);
    const head = m[3] ?? '';
    if (/ginkgo\.(Serial|Ordered|Focus|Pending|FDescribe|FIt)/.test(head))
      throw new Error(`decorator in ${m[0]}`);
    const labels = [
      ...[...head.matchAll(/feature\.(\w+)/g)].map((l) => `Feature:${l[1]}`),
      ...[...head.matchAll(/ginkgo\.Label\("([^"]+)"\)/g)].map((l) => l[1] as string),
    ];
    return { kind: m[1] as string, text: JSON.parse(`"${m[2]}"`) as string, start: open, end, labels };
  });
  if (/ginkgo\.(FDescribe|FIt|FEntry|PDescribe|PIt|PEntry|XIt)\(/.test(src))
    throw new Error('focused or pending specs');
  const containers = nodes.filter((n) => n.kind !== 'It' && n.kind !== 'Entry');
  return nodes
    .filter((n) => n.kind === 'It' || n.kind === 'Entry')
    .map((leaf) => {
      const around = containers.filter((c) => c.start < leaf.start && leaf.end <= c.end);
      const table =
        leaf.kind === 'Entry' ? around.filter((c) => c.kind === 'DescribeTable').pop() : undefined;
      return {
        text: [...around.map((c) => c.text), leaf.text].join(' '),
        labels: [...new Set([...around, leaf].flatMap((n) => n.labels))],
        body: src.slice(table?.start ?? leaf.start, table?.end ?? leaf.end),
      };
    });
}

/** Ginkgo's label filter, the forms e2e-cp.sh builds: `A && !(B) && ...` (case-insensitive). */
export function matchesLabelFilter(filter: string, labels: string[]): boolean {
  if (filter.trim() === '') return true;
  const have = new Set(labels.map((l) => l.toLowerCase()));
  return filter.split(' && ').every((term) => {
    const negated = /^!\((.+)\)$/.exec(term.trim());
    const name = (negated?.[1] ?? term).trim();
    if (/[|&!(),]/.test(name)) throw new Error(`label filter term ${term} unknown to this evaluator`);
    return negated ? !have.has(name.toLowerCase()) : have.has(name.toLowerCase());
  });
}

/** Whether ginkgo runs a spec under a selection (vendored ginkgo internal/focus.go). */
export function runsSpec(selection: GinkgoSelection, spec: GinkgoSpec, suiteDescription: string): boolean {
  const text = `${suiteDescription} ${spec.text}`;
  if (!matchesLabelFilter(selection.labelFilter, spec.labels)) return false;
  if (selection.focus && !new RegExp(selection.focus).test(text)) return false;
  if (selection.skip && new RegExp(selection.skip).test(text)) return false;
  return true;
}

export function suiteDescriptionOf(m: Mirror): string {
  const match = /ginkgo\.RunSpecs\(t, "([^"]+)"/.exec(gitShow(m, 'test/e2e/e2e_suite_test.go'));
  if (!match) throw new Error('no RunSpecs in test/e2e/e2e_suite_test.go');
  return match[1] as string;
}

/** The lane variables a bring-up following a lane sets (test.yml's e2e job env, evaluated). */
export const LANE_FLAGS = [
  'OVN_HA',
  'OVN_ENABLE_INTERCONNECT',
  'OVN_DISABLE_SNAT_MULTIPLE_GWS',
  'OVN_SECOND_BRIDGE',
  'OVN_MULTICAST_ENABLE',
  'OVN_HYBRID_OVERLAY_ENABLE',
  'OVN_EMPTY_LB_EVENTS',
  'OVN_NETWORK_QOS_ENABLE',
  'OVN_ENABLE_DNSNAMERESOLVER',
  'OVN_UNPRIVILEGED_MODE',
  'OVN_DISABLE_FORWARDING',
] as const;

/** How contrib/kind-common.sh installs MetalLB: `inv dev-env ... -b <backend>` (frr or frr-k8s). */
export function metallbBackendOf(m: Mirror): string {
  // contrib/kind-common.sh since 1.1; contrib/kind-common before.
  const path = hasFile(m, 'contrib/kind-common.sh') ? 'contrib/kind-common.sh' : 'contrib/kind-common';
  const match = /^\s*GOBIN="" inv dev-env .*-b (\S+)/m.exec(gitShow(m, path));
  if (!match) throw new Error(`${path}: no \`inv dev-env ... -b\` line`);
  return match[1] as string;
}

export interface DerivedLane {
  job: string;
  /** The lane's index in test.yml's e2e matrix include list. */
  entry: number;
  family: 'ipv4' | 'ipv6' | 'dual';
  gatewayMode: string;
  metallbMode: string;
  flags: Record<string, string>;
  /** Every EgressService spec the lane runs, by ginkgo text. */
  specs: string[];
}

/** The lanes that run at least one EgressService e2e spec, as upstream's CI runs them. */
export function deriveEgressServiceLanes(m: Mirror): DerivedLane[] {
  const specs = parseSpecs(gitShow(m, 'test/e2e/egress_services.go'));
  const description = suiteDescriptionOf(m);
  const backend = metallbBackendOf(m);
  return runLanes(m).flatMap((lane, entry): DerivedLane[] => {
    const run = specs.filter((s) => lane.selections.some((sel) => runsSpec(sel, s, description)));
    if (run.length === 0) return [];
    const v4 = lane.env.PLATFORM_IPV4_SUPPORT === 'true';
    const v6 = lane.env.PLATFORM_IPV6_SUPPORT === 'true';
    return [
      {
        job: lane.job,
        entry,
        family: v4 && v6 ? 'dual' : v6 ? 'ipv6' : 'ipv4',
        gatewayMode: lane.env.OVN_GATEWAY_MODE ?? '',
        metallbMode: lane.env.KIND_INSTALL_METALLB === 'true' ? backend : 'none',
        flags: Object.fromEntries(LANE_FLAGS.map((f) => [f, lane.env[f] ?? ''])),
        specs: run.map((s) => s.text),
      },
    ];
  });
}
