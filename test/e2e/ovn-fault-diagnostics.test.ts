/**
 * Failures on the OVN lab carry the OVN diagnostics (issue #20): a run with an OVN-level fault
 * (`ovn-snat-on-gateway-router`: the endpoints rerouted to the chosen node's gateway router and
 * SNATed there) fails `snat-loadbalancer-ip`, and that test's bundle holds what the OVN half of
 * the diagnostics collects, each with the fault visible in it: the NB topology, the cluster
 * router's policies (the reroute at 101 to a join address), the gateway routers' NAT (the SNAT to
 * the LoadBalancer IP), the SB port bindings, an ovn-trace from the failing endpoint pod's port to
 * the peer (the reroute policy hit, then the gateway router's ct_snat), and the egress node's OVS
 * conntrack (connections rewritten to the LoadBalancer IP). The HTML report links them from the
 * failing step.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downKeptLab, type KeptLab, upKeptLab } from '../../scripts/kept-lab.js';
import { CLI, cli } from '../support/cli.js';

let dir: string;
let lab: KeptLab | undefined;
let code: number | undefined;
let output = '';
let bundle = '';
const files: Record<string, string> = {};

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-ovn-fault-diagnostics-'));
  const options = join(dir, 'options.yaml');
  await writeFile(options, 'lab:\n  dataPlane: ovn\n');
  // A kept OVN lab (a developer's, or one of the sharpness runs') is reused and left alone.
  lab = await upKeptLab(CLI, ['--family', 'ipv4', '--options-file', options]);
  const report = join(dir, 'report');
  const run = await cli(
    [
      'run',
      '--provider',
      'lab',
      '--family',
      'ipv4',
      '--options-file',
      options,
      '--lab-fault',
      'ovn-snat-on-gateway-router',
      '--run-test',
      'snat-loadbalancer-ip',
      '--report-dir',
      report,
    ],
    { timeout: 400_000 },
  );
  code = run.code;
  output = `${run.stdout}\n${run.stderr}`;
  const json = JSON.parse(await readFile(join(report, 'conformance-report.json'), 'utf8'));
  const test = (json.tests as Array<{ scenarioId?: string; name: string; diagnostics?: string }>).find((t) =>
    t.name.startsWith('snat-loadbalancer-ip'),
  );
  bundle = test?.diagnostics ?? '';
  if (bundle) {
    for (const name of await readdir(join(report, bundle))) {
      files[name] = await readFile(join(report, bundle, name), 'utf8');
    }
  }
  files['index.html'] = await readFile(join(report, 'index.html'), 'utf8');
}, 600_000);

afterAll(async () => {
  await downKeptLab(CLI, lab);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** The one file whose name matches. */
function file(pattern: RegExp): { name: string; text: string } {
  const names = Object.keys(files).filter((n) => pattern.test(n));
  expect(names, `one file matching ${pattern} in ${Object.keys(files).join(', ')}`).toHaveLength(1);
  return { name: names[0] as string, text: files[names[0] as string] as string };
}

/** The LoadBalancer IP the faulty gateway router SNATs the endpoints to, and those endpoints. */
function gatewaySnat(): { router: string; external: string; logical: string[] } {
  const found = Object.entries(files)
    .filter(([name]) => /^ovn-central-lr-nat-GR_.+\.txt$/.test(name))
    .flatMap(([name, text]) =>
      [...text.matchAll(/^snat\s+(203\.0\.113\.\d+)\s+(10\.244\.\d+\.\d+)\s*$/gm)].map((m) => ({
        router: name.replace(/^ovn-central-lr-nat-|\.txt$/g, ''),
        external: m[1] as string,
        logical: m[2] as string,
      })),
    );
  expect(found.length, 'per-endpoint SNATs on a gateway router').toBeGreaterThan(0);
  const first = found[0] as { router: string; external: string };
  expect(new Set(found.map((f) => f.router))).toEqual(new Set([first.router]));
  return { router: first.router, external: first.external, logical: found.map((f) => f.logical) };
}

describe('a failure on the OVN lab carries the OVN diagnostics', () => {
  it('fails snat-loadbalancer-ip at ES-SNAT-1 and writes its diagnostics bundle', () => {
    expect(code, output).toBe(1);
    expect(output).toMatch(/snat-loadbalancer-ip \[IPv4\]: ES-SNAT-1/);
    expect(bundle).toMatch(/^diagnostics\/.+snat-loadbalancer-ip-v4$/);
    expect(files['OVN-INDEX.txt']).toMatch(/ovn-nbctl lr-policy-list ovn_cluster_router/);
    expect(files['OVN-INDEX.txt']).toMatch(/ovn-trace --detailed/);
  });

  it('holds ovn-nbctl show, the policies and every gateway router NAT, with the fault in them', () => {
    const show = files['ovn-central-nb-show.txt'] ?? '';
    const routers = [...show.matchAll(/^router \S+ \((GR_[^)]+)\)$/gm)].map((m) => m[1]);
    expect(routers.length).toBeGreaterThanOrEqual(2);
    expect(show).toMatch(/^router \S+ \(ovn_cluster_router\)$/m);
    for (const router of routers) expect(files[`ovn-central-lr-nat-${router}.txt`]).toBeDefined();
    const { logical } = gatewaySnat();
    const policies = files['ovn-central-lr-policies.txt'] ?? '';
    expect(policies).toMatch(
      /^\s*102 ip4\.src == 10\.244\.0\.0\/16 && ip4\.dst == 10\.244\.0\.0\/16\s+allow/m,
    );
    for (const endpoint of logical) {
      // The fault's reroute: to the join switch (the gateway router), not a management port.
      expect(policies).toMatch(
        new RegExp(
          `^\\s*101\\s+ip4\\.src == ${literal(endpoint)}\\s+reroute\\s+100\\.64\\.0\\.\\d+\\s*$`,
          'm',
        ),
      );
    }
  });

  it('holds the SB port bindings of the endpoint pods', () => {
    const bindings = files['ovn-central-port-bindings.txt'] ?? '';
    expect(bindings).toMatch(/^logical_port\s*: "?\S+snat-loadbalancer-ip-v4_web-\S+"?$/m);
    expect(bindings).toMatch(/^logical_port\s*: "?k8s-worker"?$/m);
  });

  it('holds an ovn-trace from a failing endpoint pod to the peer that shows the reroute and the SNAT', () => {
    const { external } = gatewaySnat();
    const trace = file(/^ovn-trace-.+_web-.+-to-198\.51\.100\.10\.txt$/);
    expect(trace.text).toMatch(/^ingress\(dp="[^"]+", inport="\S+_web-\S+"\)$/m);
    expect(trace.text).toMatch(/lr_in_policy \([^)]*\): ip4\.src == 10\.244\.\d+\.\d+, priority 101,/);
    expect(trace.text).toMatch(/reg0 = 100\.64\.0\.\d+;/);
    expect(trace.text).toContain(`ct_snat(${external});`);
  });

  it("holds the egress node's OVS conntrack, with the endpoints' connections rewritten there", () => {
    const { external, logical } = gatewaySnat();
    const conntrack = file(/^ovs-.+-conntrack\.txt$/).text;
    const rewritten = [
      ...conntrack.matchAll(
        /orig=\(src=([\d.]+),dst=198\.51\.100\.10,[^)]*\),reply=\(src=198\.51\.100\.10,dst=([\d.]+),/g,
      ),
    ]
      .filter((m) => m[2] === external)
      .map((m) => m[1]);
    expect(rewritten.length).toBeGreaterThan(0);
    for (const source of rewritten) expect(logical).toContain(source);
  });

  it('links the trace and the bundle from the failing step of the HTML report', () => {
    const html = files['index.html'] ?? '';
    const trace = file(/^ovn-trace-.+\.txt$/).name;
    const failedRow = [...html.matchAll(/<tr class="failed">.*?<\/tr>/gs)].map((m) => m[0]);
    expect(failedRow.length).toBeGreaterThan(0);
    const row = failedRow.find((r) => r.includes('step-diagnostics')) ?? '';
    expect(row).toContain(`href="${bundle}/${trace}"`);
    expect(row).toContain(`href="${bundle}/OVN-INDEX.txt"`);
    const anchor = /<a href="#([^"]+)">diagnostics \((\d+) files\)<\/a>/.exec(row);
    expect(anchor).not.toBeNull();
    expect(Number(anchor?.[2])).toBe(Object.keys(files).length - 1);
    // The anchor leads to the test's Diagnostics block, which links every file of the bundle.
    expect(html).toContain(`<h4 id="${anchor?.[1]}">Diagnostics</h4>`);
    for (const name of Object.keys(files).filter((n) => n !== 'index.html')) {
      expect(html).toContain(`href="${bundle}/${name}"`);
    }
  });
});
