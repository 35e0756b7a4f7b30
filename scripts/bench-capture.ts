/**
 * Benchmark: `egress-conformance pcap summary FILE --json` against `tcpdump -nr FILE`, both as whole
 * processes (start, load, read, print; output to /dev/null) on the same generated captures in the
 * same run, runs alternating so both see the same machine load; and the CLI's start-up against
 * `node -e 0`. Medians of several runs. Uses the built CLI (`npm run bench:capture` builds first).
 *
 *   npm run bench:capture [-- --packets N] [--runs R] [--verify] [--startup-only]
 *
 * `list` and `validate` are timed twice: with the catalogue cache filled (a cache folder of the
 * benchmark's own, filled by the unmeasured warm-up round) and with `--no-cache`.
 *
 * --verify also checks the high-cardinality capture with tshark (the tests' oracle): the same packet
 * count and flows, in the same order. It takes a minute or more.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { CaptureSummary } from '../harness/capture/summary.js';
import { writeFlowCapture } from '../test/capture/flow-capture.js';
import { tsharkSummary } from '../test/capture/oracle.js';

const { values: flags } = parseArgs({
  options: {
    packets: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    verify: { type: 'boolean', default: false },
    'startup-only': { type: 'boolean', default: false },
  },
});
const PACKETS = Number(flags.packets);
const RUNS = Number(flags.runs);
if (!Number.isInteger(PACKETS) || PACKETS < 50_000 || !Number.isInteger(RUNS) || RUNS < 1) {
  console.error(
    'bench-capture: --packets must be at least 50000 (the flows of the larger capture), --runs at least 1',
  );
  process.exit(2);
}
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'egress-conformance.js');
/** GNU time reports CPU time and peak memory of a child; without it only wall time is measured. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const CAPTURES = [
  { name: 'moderate', flows: 4_096 },
  { name: 'high-cardinality', flows: 50_000 },
] as const;

interface Sample {
  wall: number;
  /** user + system seconds, when GNU time is there. */
  cpu: number | null;
  /** Peak resident memory in MiB, when GNU time is there. */
  maxRssMiB: number | null;
}

interface Run {
  command: string;
  args: string[];
  /** The environment for the child; the benchmark's own by default. */
  env?: NodeJS.ProcessEnv;
}

/** Runs a command with stdout and stderr to /dev/null; fails on a non-zero exit. */
function measure(dir: string, { command, args, env }: Run): Promise<Sample> {
  const report = join(dir, 'time.out');
  const [file, argv] = GNU_TIME
    ? [GNU_TIME, ['-f', '%U %S %M', '-o', report, command, ...args]]
    : [command, args];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { stdio: 'ignore', env: env ?? process.env });
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      if (!GNU_TIME) return resolvePromise({ wall, cpu: null, maxRssMiB: null });
      const [user = 0, system = 0, rssKiB = 0] = readFileSync(report, 'utf8')
        .trim()
        .split('\n')
        .at(-1)!
        .split(' ')
        .map(Number);
      resolvePromise({ wall, cpu: user + system, maxRssMiB: rssKiB / 1024 });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function medianOf(samples: Sample[], field: keyof Sample): number | null {
  const values = samples.map((s) => s[field]).filter((v): v is number => v !== null);
  return values.length === samples.length ? median(values) : null;
}

/** Runs each command `RUNS` times, round-robin, after one unmeasured warm-up round. */
async function alternate(dir: string, runs: Run[]): Promise<Sample[][]> {
  const samples: Sample[][] = runs.map(() => []);
  for (let round = 0; round <= RUNS; round++) {
    for (const [i, run] of runs.entries()) {
      const sample = await measure(dir, run);
      if (round > 0) samples[i]!.push(sample);
    }
  }
  return samples;
}

const seconds = (value: number | null): string => (value === null ? '-' : value.toFixed(3));

function commitLine(): string {
  const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const dirty =
      git(['status', '--porcelain', '--untracked-files=no']) === '' ? '' : ' (uncommitted changes)';
    return `${git(['log', '-1', '--format=%h %s'])}${dirty}`;
  } catch {
    return 'unknown commit';
  }
}

/** Our summary of `file`, from the CLI (the same command the benchmark times). */
function ourSummary(file: string): CaptureSummary {
  const result = spawnSync('node', [CLI, 'pcap', 'summary', file, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`pcap summary ${file} exited with ${result.status}`);
  return JSON.parse(result.stdout) as CaptureSummary;
}

/**
 * NODE_EXTRA_CA_CERTS makes every node process load the CA store before running any JavaScript
 * (tens of milliseconds): when the environment sets it, start-up is also measured without it, so
 * the tool's own share is visible.
 */
const WITHOUT_EXTRA_CA = Boolean(process.env.NODE_EXTRA_CA_CERTS);

async function startup(dir: string, tiny: string): Promise<void> {
  const commands: Array<[string, string[]]> = [
    ['node -e 0 (the floor)', ['-e', '0']],
    ['--version', [CLI, '--version']],
    ['list (cache filled)', [CLI, 'list']],
    ['list --no-cache', [CLI, 'list', '--no-cache']],
    ['validate (cache filled)', [CLI, 'validate']],
    ['validate --no-cache', [CLI, 'validate', '--no-cache']],
    ['pcap summary (1-packet capture)', [CLI, 'pcap', 'summary', tiny, '--json']],
  ];
  // The benchmark's own catalogue cache: the warm-up round fills it.
  const asIs = { ...process.env, EC_CACHE_DIR: join(dir, 'cache') };
  const environments: NodeJS.ProcessEnv[] = WITHOUT_EXTRA_CA
    ? [asIs, Object.fromEntries(Object.entries(asIs).filter(([name]) => name !== 'NODE_EXTRA_CA_CERTS'))]
    : [asIs];
  const runs = environments.flatMap((env) => commands.map(([, args]) => ({ command: 'node', args, env })));
  const samples = await alternate(dir, runs);
  const walls = samples.map((s) => medianOf(s, 'wall')!);
  const column = (e: number, i: number): string => {
    const wall = walls[e * commands.length + i]!;
    const floor = walls[e * commands.length]!;
    const over = i === 0 ? '' : `${(wall / floor).toFixed(1)}x, +${((wall - floor) * 1000).toFixed(0)} ms`;
    return `${seconds(wall).padStart(7)} s ${over.padEnd(17)}`;
  };
  console.log(
    `\nStart-up: median wall seconds of ${RUNS} alternating runs; ratio and difference to node -e 0 measured alongside`,
  );
  if (WITHOUT_EXTRA_CA) console.log(`  ${''.padEnd(34)} ${'as is'.padEnd(27)} without NODE_EXTRA_CA_CERTS`);
  for (const [i, [label]] of commands.entries()) {
    console.log(`  ${label.padEnd(34)} ${environments.map((_, e) => column(e, i)).join('  ')}`);
  }
}

async function captures(dir: string): Promise<void> {
  console.log(
    `\nCaptures of ${PACKETS.toLocaleString('en-US')} packets: ours = \`egress-conformance pcap summary FILE --json\`, ` +
      `tcpdump = \`tcpdump -nr FILE\`; whole processes, output to /dev/null, median of ${RUNS} alternating runs`,
  );
  console.log(
    `  ${'capture'.padEnd(34)} ${'MiB'.padStart(5)}  ${'ours s'.padStart(7)}  ${'tcpdump s'.padStart(9)}  ${'ratio'.padStart(6)}` +
      `  ${'CPU ours'.padStart(8)}  ${'CPU tcpd'.padStart(8)}  ${'CPU ratio'.padStart(9)}  ${'ours max RSS'.padStart(12)}`,
  );
  for (const capture of CAPTURES) {
    const file = join(dir, `${capture.name}.pcap`);
    const bytes = writeFlowCapture(file, { packets: PACKETS, flows: capture.flows });
    const summary = ourSummary(file);
    if (summary.packets !== PACKETS || summary.flows.length !== capture.flows) {
      throw new Error(
        `${capture.name}: read ${summary.packets} packets and ${summary.flows.length} flows, wrote ${PACKETS} and ${capture.flows}`,
      );
    }
    if (flags.verify && capture.flows === 50_000) await verify(file, summary);
    const [ours, tcpdump] = await alternate(dir, [
      { command: 'node', args: [CLI, 'pcap', 'summary', file, '--json'] },
      { command: 'tcpdump', args: ['-nr', file] },
    ]);
    const wallOurs = medianOf(ours!, 'wall')!;
    const wallTcpdump = medianOf(tcpdump!, 'wall')!;
    const cpuOurs = medianOf(ours!, 'cpu');
    const cpuTcpdump = medianOf(tcpdump!, 'cpu');
    const rss = medianOf(ours!, 'maxRssMiB');
    const label = `${capture.flows.toLocaleString('en-US')} flows (${capture.name})`;
    console.log(
      `  ${label.padEnd(34)} ${(bytes / 2 ** 20).toFixed(0).padStart(5)}  ${seconds(wallOurs).padStart(7)}  ${seconds(wallTcpdump).padStart(9)}  ${`${(wallTcpdump / wallOurs).toFixed(1)}x`.padStart(6)}` +
        `  ${seconds(cpuOurs).padStart(8)}  ${seconds(cpuTcpdump).padStart(8)}  ${(cpuOurs && cpuTcpdump ? `${(cpuTcpdump / cpuOurs).toFixed(1)}x` : '-').padStart(9)}` +
        `  ${(rss === null ? '-' : `${rss.toFixed(0)} MiB`).padStart(12)}`,
    );
    rmSync(file, { force: true });
  }
}

/** tshark, the tests' oracle, must find the same packets and flows in the same order. */
async function verify(file: string, ours: CaptureSummary): Promise<void> {
  const started = performance.now();
  const oracle = await tsharkSummary(file);
  const same =
    oracle.packets === ours.packets &&
    oracle.flows.length === ours.flows.length &&
    oracle.flows.every((flow, i) => JSON.stringify(flow) === JSON.stringify(ours.flows[i]));
  if (!same) {
    throw new Error(
      `tshark disagrees on ${file}: ${oracle.packets} packets, ${oracle.flows.length} flows (ours ${ours.packets}, ${ours.flows.length})`,
    );
  }
  console.log(
    `  verified with tshark: ${oracle.packets.toLocaleString('en-US')} packets, ${oracle.flows.length.toLocaleString('en-US')} flows, ` +
      `same flows and counts in the same order (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  const dir = mkdtempSync(join(tmpdir(), 'ec-bench-'));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    console.log(`egress-conformance capture benchmark at ${commitLine()}`);
    console.log(
      `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}${GNU_TIME ? '' : ' (no /usr/bin/time: CPU time and memory not measured)'}`,
    );
    const tiny = join(dir, 'tiny.pcap');
    writeFlowCapture(tiny, { packets: 1, flows: 1 });
    await startup(dir, tiny);
    if (!flags['startup-only']) await captures(dir);
    console.log(
      `  load average after: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    cleanUp();
  }
}

await main();
