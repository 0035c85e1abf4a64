import { existsSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { STRINGS } from './i18n.js';
import type { AccessReport } from './model.js';

/** Where Debian, Ubuntu, Fedora and macOS put a Chromium or Chrome that can print to PDF. */
const BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The browser to print with: `DSR_CHROMIUM`, else the first one installed; undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DSR_CHROMIUM) return existsSync(env.DSR_CHROMIUM) ? env.DSR_CHROMIUM : undefined;
  return BROWSERS.find((p) => existsSync(p));
}

/**
 * Prints the HTML report to an A4 PDF with headless Chromium (the same engine a reader's browser uses,
 * so the PDF looks like the HTML): page numbers in the footer, "Kladde"/"Draft" on every page of a draft.
 * Without a browser it refuses with a UsageError that says how to get one or what to do instead.
 */
export async function renderPdf(report: AccessReport, html: string): Promise<Uint8Array> {
  const executablePath = findChromium();
  if (!executablePath)
    throw new UsageError(
      '--format pdf needs Chromium or Chrome to print the report, and none was found' +
        (process.env.DSR_CHROMIUM ? ` (DSR_CHROMIUM=${process.env.DSR_CHROMIUM} does not exist)` : ''),
      'install it (apt-get install chromium) or point DSR_CHROMIUM at one; or write --format html and print it from a browser',
    );
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    // The report is self-contained: nothing may load from outside while it prints.
    await page.route('**/*', (route) =>
      route.request().url().startsWith('data:') ? route.continue() : route.abort(),
    );
    await page.setContent(html, { waitUntil: 'load' });
    const t = STRINGS[report.lang];
    const small = 'font-size:8px;width:100%;margin:0 14mm;font-family:sans-serif;color:#555;';
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: report.draft
        ? `<div style="${small}text-align:right;color:#b42318;font-weight:bold">${t.draftTitle}</div>`
        : '<span></span>',
      footerTemplate: `<div style="${small}text-align:center">${t.pageOf('<span class="pageNumber"></span>', '<span class="totalPages"></span>')}</div>`,
      margin: { top: '18mm', bottom: '18mm', left: '14mm', right: '14mm' },
    });
  } finally {
    await browser.close();
  }
}
