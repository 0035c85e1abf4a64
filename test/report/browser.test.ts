/**
 * The HTML report as a person sees it: opened in headless Chromium (Debian `chromium` + playwright-core),
 * in both languages, with and without a controller profile. A missing browser fails the test.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessReport } from '../../src/report/access/model.js';
import { PROJECT, runCli } from '../helpers/cli.js';
import { itemAt, type ScannedTree, scannedTree, writeReview } from '../helpers/report-tree.js';

const CHROMIUM = '/usr/bin/chromium';
const CONTROLLER = join(PROJECT, 'fixtures/controller.example.json');

describe('HTML report in a browser', () => {
  let tree: ScannedTree;
  let browser: BrowserContext;
  let profile: string | undefined;
  let shots: string;
  let json: AccessReport | undefined;
  /**
   * The JSON report of the same scan, read back as a user would: one for all cases, since its counts do
   * not depend on language or profile.
   */
  const reportJson = (): AccessReport => {
    if (!json) {
      const out = join(tree.dir, 'report.json');
      expect(runCli(['report', tree.scanPath, '--out', out]).code).toBe(0);
      json = JSON.parse(readFileSync(out, 'utf8')) as AccessReport;
    }
    return json;
  };

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is needed (apt-get install chromium)`).toBe(true);
    tree = scannedTree({ photo: true });
    // The reviewer confirmed the face-tagged photo and the name-only note; the namesake stays unreviewed.
    writeReview(tree, {
      [itemAt(tree, 'photos-mwg.jpg').id]: 'include',
      [itemAt(tree, 'misc/meeting.txt').id]: 'include',
    });
    shots = mkdtempSync(join(tmpdir(), 'dsr-report-shots-'));
    profile = mkdtempSync(join(tmpdir(), 'dsr-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1000, height: 1200 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const cases = [
    { lang: 'da', controller: false, title: 'Indsigtsrapport', category: 'CPR-nummer' },
    { lang: 'en', controller: true, title: 'Access report', category: 'CPR number' },
    { lang: 'da', controller: true, title: 'Indsigtsrapport', category: 'CPR-nummer' },
    { lang: 'en', controller: false, title: 'Access report', category: 'CPR number' },
  ] as const;

  for (const c of cases) {
    it(`renders the ${c.lang} report ${c.controller ? 'with' : 'without'} a controller profile`, async () => {
      const base = join(tree.dir, `report-${c.lang}-${c.controller ? 'ctl' : 'plain'}`);
      const extra = c.controller ? ['--controller', CONTROLLER] : [];
      const r = runCli(['report', tree.scanPath, '--lang', c.lang, '--out', `${base}.html`, ...extra]);
      // Without a profile the report lacks purposes, legal basis and retention: a draft, with a warning.
      if (c.controller) expect(r.stderr).toBe('');
      else expect(r.stderr).toContain('warning: no --controller profile');
      expect(r.code).toBe(0);
      const model = reportJson();

      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (req) => requests.push(req.url()));
      const url = `file://${base}.html`;
      await page.goto(url, { waitUntil: 'load' });

      expect(await page.locator('h1').innerText()).toBe(c.title);
      for (const id of ['about', 'searched', 'summary', 'items', 'rights']) {
        await expect.poll(() => page.locator(`section#${id}`).isVisible()).toBe(true);
        expect((await page.locator(`section#${id} h2`).innerText()).length).toBeGreaterThan(3);
      }
      // Counts shown equal the scan's.
      const count = (key: string) => page.locator(`[data-count="${key}"]`).first().innerText();
      expect(await count('files')).toBe(String(tree.scan.stats.files));
      expect(await count('items')).toBe(String(tree.scan.stats.items));
      expect(await count('errors')).toBe(String(tree.scan.errors.length));
      expect(await count('reported')).toBe(String(model.selection.reported));
      expect(await page.locator('article[data-item]').count()).toBe(model.selection.reported);
      for (const cat of model.categories) {
        const row = page.locator(`tr[data-category="${cat.id}"]`);
        expect(await row.locator('[data-count="category-items"]').innerText()).toBe(String(cat.items));
        expect(await row.locator('[data-count="category-findings"]').innerText()).toBe(String(cat.findings));
      }
      expect(await page.locator('tr[data-category="cpr"] td').first().innerText()).toBe(c.category);
      expect(await page.locator('figure.chart svg rect.chart-bar').count()).toBe(5);
      // Every finding is in a table row; the face-tagged photo shows its region.
      const findings = model.items.reduce((n, i) => n + i.findings.length, 0);
      expect(await page.locator('tr[data-finding]').count()).toBe(findings);
      expect(await page.locator('[data-region] rect.face').count()).toBe(1);
      expect(await page.locator('[data-region] rect.face').getAttribute('width')).toBe('32');
      // Only the namesake is left: the report says it is a draft, for the officer.
      expect(model.selection.needsReview).toEqual({ possible: 0, namesake: 1 });
      expect(await page.locator('[data-banner="draft"]').isVisible()).toBe(true);
      // Controller facts per category, only when a profile is given.
      expect(await page.locator('#controller').count()).toBe(c.controller ? 1 : 0);
      expect(await page.locator('[data-category-card="cpr"] dl.policy').count()).toBe(c.controller ? 1 : 0);
      expect(await page.locator('#other-categories').count()).toBe(c.controller ? 1 : 0);
      if (c.controller) {
        const policy = await page.locator('[data-category-card="cpr"] dl.policy').innerText();
        expect(policy).toContain(c.lang === 'da' ? 'Skattestyrelsen' : 'Danish Tax Agency');
      }
      // Untrusted text from the scanned files is shown as text: no element, no script, no request.
      expect(await page.locator('script, img, iframe, link, object').count()).toBe(0);
      expect(await page.locator('section#items').innerText()).toContain(
        '<img src="http://evil.example/pixel.png',
      );
      expect(await page.locator('section#items').innerText()).toContain('notes <b>.html');
      // Long lists fold: every source is a <details> block with its item count.
      expect(await page.locator('details[data-source]').count()).toBe(model.sources.length);
      expect(requests).toEqual([url]);
      expect(problems).toEqual([]);

      const shot = join(shots, `report-${c.lang}-${c.controller ? 'ctl' : 'plain'}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      await page.close();
    });
  }
});
