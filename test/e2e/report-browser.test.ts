/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core): a real lab run
 * with a fault (no SNAT) and a passing test beside the failing one, served by `report open`.
 * The page loads nothing but the report's own files; the matrix, a filter, the failed test's
 * timeline (one point per captured packet) and the artifact links work. A screenshot is kept in
 * test-results/e2e-report-browser/.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../harness/run/results.js';
import { type Browser, launchBrowser } from '../report/browser.js';
import { CLI, cli } from '../support/cli.js';
import { labUpIn, leftBy, NOTHING_LEFT } from '../support/leftovers.js';

const SHOTS = resolve('test-results/e2e-report-browser');

describe('the HTML report of a lab run with a fault, in Chromium', () => {
  let dir: string;
  let report: string;
  let run: Awaited<ReturnType<typeof cli>>;
  let results: RunResult;
  let server: ResultPromise | undefined;
  let url: string;
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-browser-'));
    report = join(dir, 'report');
    run = await cli(
      [
        'run',
        '--provider',
        'lab',
        '--lab-fault',
        'no-snat',
        '--run-test',
        'snat-loadbalancer-ip',
        '--run-test',
        'node-label-single-host',
        '--family',
        'ipv4',
        '--timeout',
        'convergence=8s',
        '--report-dir',
        report,
      ],
      { timeout: 300_000 },
    );
    results = JSON.parse(await readFile(join(report, 'results.json'), 'utf8'));
    server = execa('node', [CLI, 'report', 'open', report], { reject: false });
    url = await new Promise<string>((resolvePromise, reject) => {
      let out = '';
      server?.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (match) resolvePromise(match[1] as string);
      });
      server?.then((r) => reject(new Error(`report open ended: ${r.stderr}`)));
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(url);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGINT');
    await server;
    await rm(dir, { recursive: true, force: true });
  });

  it('comes from a run that failed on the fault and passed the rest', () => {
    expect(run.code, run.stdout).toBe(1);
    const statuses = results.tests
      .filter((t) => t.status !== 'skipped')
      .map((t) => `${t.scenarioId} ${t.status}`);
    expect(statuses.sort()).toEqual(['node-label-single-host passed', 'snat-loadbalancer-ip failed']);
  });

  it('shows what was tested, the reference-lab note and a coloured statement x family matrix', async () => {
    await expect(page.title()).resolves.toMatch(/^egress-conformance: egress-conformance reference lab/);
    expect(await page.locator('#reference-note').textContent()).toContain('certify no implementation');
    const cell = (statement: string) =>
      page.locator(`#matrix td[data-statement="${statement}"][data-family="ipv4"]`);
    expect(await cell('ES-SNAT-1').getAttribute('class')).toBe('failed');
    expect(await cell('ES-LABEL-1').getAttribute('class')).toBe('passed');
    // The tests compile without the DOM's types: the page's globals are declared in the cast.
    const colour = await cell('ES-SNAT-1').evaluate(
      (el) =>
        (
          globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
        ).getComputedStyle(el).backgroundColor,
    );
    expect(colour).toBe('rgb(242, 139, 130)');
  });

  it('filters the tests by result, and a matrix cell filters by statement and family', async () => {
    const visible = () => page.locator('section.test:visible');
    expect(await visible().count()).toBe(2);
    await page.selectOption('#f-status', 'failed');
    expect(await visible().count()).toBe(1);
    expect(await visible().first().getAttribute('data-key')).toBe('snat-loadbalancer-ip/ipv4');
    await page.selectOption('#f-status', '');
    await page.locator('#matrix td[data-statement="ES-LABEL-1"] a').click();
    expect(await page.locator('#f-statement').inputValue()).toBe('ES-LABEL-1');
    expect(await visible().count()).toBe(1);
    expect(await visible().first().getAttribute('data-key')).toBe('node-label-single-host/ipv4');
    await page.selectOption('#f-statement', '');
  });

  it("draws the failed test's timeline with one point per captured probe packet, the offending ones marked", async () => {
    const test = results.tests.find((t) => t.scenarioId === 'snat-loadbalancer-ip' && t.family === 'ipv4');
    const records = [...(test?.earlierEvidence ?? []), ...(test?.evidence ?? [])];
    const points = records.reduce((sum, r) => sum + (r.packets?.points.length ?? 0), 0);
    const offending = records.reduce(
      (sum, r) => sum + (r.packets?.points.filter((p) => p[2] === 1).length ?? 0),
      0,
    );
    expect(points).toBeGreaterThan(0);
    // No SNAT: every probe packet left with a node's address.
    expect(offending).toBe(points);
    const section = page.locator('section.test[data-key="snat-loadbalancer-ip/ipv4"]');
    const svg = section.locator('svg.timeline.all');
    await expect(svg.isVisible()).resolves.toBe(true);
    expect(await svg.locator('circle.pkt').count()).toBe(points);
    expect(await svg.locator('circle.pkt.offending').count()).toBe(offending);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(500);
    // Its lanes: the expected LoadBalancer IP, and the nodes' addresses that leaked.
    expect(await svg.locator('text.source.expected').count()).toBe(1);
    expect(await svg.locator('text.source.offending').count()).toBe(3);
    // The rounds in their band, one segment each; the judged round up close, open, holding the
    // points of the last round alone.
    expect(await svg.locator('rect.round').count()).toBe(records.length > 1 ? records.length : 0);
    if (records.length > 1) {
      const judged = section.locator('details.judged svg.timeline.judged');
      await expect(judged.isVisible()).resolves.toBe(true);
      expect(await judged.locator('circle.pkt').count()).toBe(test?.evidence[0]?.packets?.points.length);
    }
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
    await section.screenshot({ path: join(SHOTS, 'failed-test.png') });
  });

  it('links to the captures and diagnostics, which the server serves', async () => {
    const hrefs = await page
      .locator('a.artifact')
      .evaluateAll((links) => links.map((a) => (a as unknown as { href: string }).href));
    expect(hrefs.some((h) => h.endsWith('.pcap'))).toBe(true);
    expect(hrefs.some((h) => h.includes('/diagnostics/'))).toBe(true);
    for (const href of hrefs) {
      const response = await page.request.get(href);
      expect(response.status(), href).toBe(200);
    }
  });

  it('made no request outside the report', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.startsWith(url))).toEqual([]);
  });

  it('leaves its lab behind in no part', async () => {
    expect(await leftBy(labUpIn(run.stdout))).toEqual(NOTHING_LEFT);
  });
});
