/**
 * The mutation report's page in a real browser (Debian's Chromium through playwright-core): the
 * mutation-testing elements, inline in one file, show the sample's files, score and mutants, and
 * the page loads nothing from anywhere else. A screenshot is kept in test-results/mutation-page/.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentReference, type MutantInfo } from '../../scripts/mutation/mutants.js';
import { type MutantOutcome, mutationPage, mutationReport } from '../../scripts/mutation/report.js';
import { type Browser, launchBrowser } from '../report/browser.js';

const require = createRequire(import.meta.url);
const SHOTS = resolve('test-results/mutation-page');

describe('the mutation report page in Chromium', () => {
  let dir: string;
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-mutation-page-'));
    const instrumented = await instrumentReference(process.cwd());
    const pick = (key: string) => instrumented.mutants.find((m) => m.key === key) as MutantInfo;
    const run = (status: 'Killed' | 'Survived') => ({
      status,
      statements: status === 'Killed' ? ['ES-SNAT-1'] : [],
      killedBy: status === 'Killed' ? ['snat-loadbalancer-ip/ipv4'] : [],
      reason:
        status === 'Killed'
          ? 'snat-loadbalancer-ip/ipv4: packets had the node IP </script><b>x</b>'
          : 'passed',
      exitCode: status === 'Killed' ? 130 : 0,
      durationMs: 1000,
      testsCompleted: 1,
    });
    const outcomes: MutantOutcome[] = [
      { mutant: pick('egress-rules.ts:32:7:EqualityOperator'), status: 'Killed', run: run('Killed') },
      { mutant: pick('egress-rules.ts:46:36:BlockStatement'), status: 'Killed', run: run('Killed') },
      {
        mutant: pick('egress-rules.ts:60:7:ConditionalExpression'),
        status: 'Survived',
        run: run('Survived'),
      },
      { mutant: pick('egress-rules.ts:49:22:ObjectLiteral'), status: 'NoCoverage' },
    ];
    const report = mutationReport({
      outcomes,
      sources: new Map(instrumented.files.map((f) => [f.name, f.source])),
      config: {},
      performance: { setup: 1, initialRun: 1, mutation: 1 },
      frameworkVersion: 'test',
    });
    const bundle = await readFile(
      require.resolve('mutation-testing-elements/dist/mutation-test-elements.js'),
      'utf8',
    );
    const file = join(dir, 'index.html');
    await writeFile(file, mutationPage(report, bundle, 'mutation test'));
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the score of the sample: 2 killed of 4', async () => {
    // Playwright's CSS locators pierce the elements' open shadow roots.
    const app = page.locator('mutation-test-report-app');
    await expect.poll(() => app.getByRole('link', { name: 'egress-rules.ts' }).count()).toBe(1);
    // 2 of 4 killed: 50.00 of all mutants, for the file and for all files.
    expect(await app.getByText('50.00', { exact: true }).count()).toBeGreaterThanOrEqual(2);
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
  });

  it("shows the file's mutants with their statuses and the code they change", async () => {
    const app = page.locator('mutation-test-report-app');
    await app.getByRole('link', { name: 'egress-rules.ts' }).click();
    await expect.poll(() => app.getByText(/Survived/).count()).toBeGreaterThan(0);
    expect(await app.getByText(/Killed/).count()).toBeGreaterThan(0);
    expect(await app.getByText(/No coverage/).count()).toBeGreaterThan(0);
    expect(await app.getByText("host === 'ALL'").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'file.png'), fullPage: true });
  });

  it('runs without script errors and loads nothing but the page', () => {
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  });
});
