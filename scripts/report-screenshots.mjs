// The report screenshots of the README and docs/reports.md, from a real run's report: Debian's Chromium through
// playwright-core. Usage: node scripts/report-screenshots.mjs REPORT_DIR [OUT_DIR=docs]
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [reportDir, outDir = 'docs'] = process.argv.slice(2);
if (!reportDir) {
  process.stderr.write('usage: node scripts/report-screenshots.mjs REPORT_DIR [OUT_DIR]\n');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.EC_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`file://${resolve(reportDir, 'index.html')}`);
  await page.screenshot({ path: join(outDir, 'report-overview.png') });
  const failed = page.locator('section.test[data-status="failed"]').first();
  await failed
    .locator('svg.timeline')
    .first()
    .screenshot({ path: join(outDir, 'report-timeline.png') });
} finally {
  await browser.close();
}
