// The Danish report's captures for docs/ (run by scripts/screenshots.sh): the top of the report and
// its items, in headless Chromium at 1000x1400, as a reader's browser shows them.
import { chromium } from 'playwright-core';
import { findChromium } from '../dist/src/report/access/pdf.js';

const [html] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  await page.goto(`file://${html}`);
  await page.screenshot({ path: 'docs/report-da.png' });
  await page.locator('#items').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById('items')?.scrollIntoView());
  await page.screenshot({ path: 'docs/report-da-items.png' });
} finally {
  await browser.close();
}
