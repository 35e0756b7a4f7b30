/**
 * The HTML report against hostile results, in Chromium (playwright-core): values that would be
 * script if unescaped fire no alert, the page script runs (its CSP hash matches) and does not
 * throw on a malformed `#filter` hash; and a test of 200k steps is written without overflowing
 * the stack.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../harness/report/html/page.js';
import type { RunResult, StepResult } from '../../harness/run/results.js';
import { type Browser, launchBrowser } from './browser.js';
import { sampleRun } from './sample-run.js';

const SCRIPT = '<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>';

function hostileRun(): RunResult {
  const run = sampleRun('/r');
  const failed = run.tests.find((t) => t.status === 'failed');
  if (!failed) throw new Error('the sample run has a failed test');
  failed.message = SCRIPT;
  failed.title = `"'>${SCRIPT}`;
  for (const step of failed.steps) step.detail = SCRIPT;
  run.environment = {
    ...run.environment,
    implementation: { ...run.environment.implementation, name: SCRIPT, version: `'${SCRIPT}` },
  };
  run.errors = [{ phase: 'teardown', message: SCRIPT }];
  return run;
}

let dir: string;
let browser: Browser;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-html-hostile-'));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the HTML report against hostile values', () => {
  it('fires no alert, runs its own script, and survives a malformed #filter hash', async () => {
    const file = join(dir, 'index.html');
    await writeFile(file, renderHtmlReport(hostileRun()));
    const page = await browser.context.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    for (const hash of ['', '#filter:%E0%A4%A', '#filter:status=%', '#filter:status=failed']) {
      await page.goto(`${pathToFileURL(file).href}${hash}`);
      await page.waitForLoadState('load');
      // The script ran (the CSP hash matched): it fills in how many tests are shown.
      expect(await page.locator('#shown').textContent()).toMatch(/^\d+$/);
    }
    await page.close();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('writes a test of 200k steps without overflowing the stack', () => {
    const run = sampleRun('/r');
    const test = run.tests.find((t) => t.status === 'failed');
    if (!test) throw new Error('the sample run has a failed test');
    const start = Date.parse(run.startedAt);
    test.steps = Array.from(
      { length: 200_000 },
      (_, i): StepResult => ({
        index: i,
        kind: 'wait',
        line: 10,
        status: 'passed',
        durationMs: 1,
        detail: 'ok',
        startedAtMs: start + i,
      }),
    );
    const html = renderHtmlReport(run);
    expect(html.length).toBeGreaterThan(200_000);
  });
});
