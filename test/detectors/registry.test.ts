import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSummary } from '../../cli/summary.js';
import { defineDetector } from '../../detectors/define.js';
import { createRegistry, registry as dsrRegistry } from '../../detectors/index.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { Candidate, ScanFile } from '../../src/core/types.js';
import { scanTopLevel } from '../../src/engine/scan-item.js';
import { renderHtml } from '../../src/report/access/html.js';
import { buildReport } from '../../src/report/access/model.js';
import { topLevelFile } from '../helpers/both-ways.js';
import { PROJECT, SUBJECT } from '../helpers/cli.js';
import { subjectOf, testDetector } from '../helpers/detector-tester.js';

/**
 * Adding a detector touches detectors/ and its tests only: a throwaway detector of Danish IBANs, defined
 * here and registered into a registry of its own beside dsr's, is found by the engine (anchors, raw
 * pass, evidence), counted by the summary and shown by the access report, with no change anywhere else.
 */
const SUBJECT_IBANS = new Set(['DK5000400440116243']);
const IBAN = /(?<![\p{L}\p{N}])DK\d{2}(?: ?\d{4}){3} ?\d{2}(?!\p{N})/gu;
const compact = (written: string) => written.replace(/ /g, '');

const iban = defineDetector({
  meta: {
    id: 'iban',
    kind: 'identifier',
    description:
      'Danish IBANs (DK, two check digits and fourteen digits, grouped by four or not): a test detector.',
    keywords: ['dk'],
    labels: {
      en: { short: 'IBAN', one: 'IBAN', many: 'IBANs', category: 'Bank account (IBAN)' },
      da: { short: 'IBAN', one: 'IBAN', many: 'IBAN-numre', category: 'Bankkonto (IBAN)' },
    },
    color: '#556b2f',
  },
  detect({ text }) {
    const out: Candidate[] = [];
    for (const m of text.matchAll(IBAN)) {
      const value = compact(m[0]);
      const subject = SUBJECT_IBANS.has(value);
      out.push({
        detector: 'iban',
        start: m.index,
        end: m.index + m[0].length,
        value,
        subject,
        confidence: 0.9,
      });
    }
    return out;
  },
  mask: (value) => `${compact(value).slice(0, 4)}XXXXXXXXXXXX${compact(value).slice(-2)}`,
  evidence: { subject: 'confirmed' },
  anchors: {
    text: () => (text) => text.includes('6243') || text.includes('62 43'),
    raw: () => [{ kind: 'pattern', pattern: 'DK50 ?0040 ?0440 ?1162 ?43' }],
  },
  indexTokens: () => ['d:00400440'],
  written: (value) => new RegExp(compact(value).split('').join(' ?'), 'giu'),
  conceal: {
    pattern: String.raw`DK\d{2}(?: ?\d{4}){3} ?\d{2}`,
    precedence: 4,
    mine: (written) => SUBJECT_IBANS.has(compact(written)),
  },
});

const registry = createRegistry([...dsrRegistry.list, iban]);
const subject = subjectOf();
const work = mkdtempSync(join(tmpdir(), 'dsr-registry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

testDetector(iban, {
  found: [
    {
      text: 'Konto DK50 0040 0440 1162 43.',
      findings: [{ start: 6, end: 28, value: 'DK5000400440116243' }],
    },
    {
      text: 'iban:DK5000400440116243 / DK11 2222 3333 4444 55',
      findings: [
        { start: 5, end: 23, value: 'DK5000400440116243' },
        { start: 26, end: 48, value: 'DK1122223333444455', subject: false },
      ],
    },
  ],
  none: ['DK50 0040 0440 1162', 'XDK5000400440116243', 'DK 50 0040 0440 1162 43'],
});

/** A subject scan of one text file, with the given registry. */
async function scanText(text: string, all = false, detectors = registry) {
  const input = topLevelFile(work, 'konto.txt', Buffer.from(text, 'utf8'));
  return scanTopLevel(input, { subject, all, limits: DEFAULT_LIMITS, registry: detectors });
}

function scanFileOf(result: Awaited<ReturnType<typeof scanText>>): ScanFile {
  return {
    schema: 'dsr.scan/1',
    scanId: 'test',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    roots: [work],
    subject: SUBJECT,
    stats: { files: 1, items: result.itemCount, bytes: result.bytes, skipped: 0, errors: 0 },
    findings: result.findings,
    items: result.items,
    errors: [],
  };
}

const TEXT = 'Udbetaling til DK50 0040 0440 1162 43 (ikke DK11 2222 3333 4444 55).';

describe('a detector added to a registry of its own', () => {
  it('is found by the engine, through its anchors and raw-byte pass, and confirms its item', async () => {
    const result = await scanText(TEXT);
    expect(result.findings.map((f) => [f.detector, f.value, f.subject, f.evidence])).toEqual([
      ['iban', 'DK5000400440116243', true, 'confirmed'],
    ]);
    expect(result.items.map((i) => [i.evidence, i.detectors, i.others])).toEqual([
      ['confirmed', ['iban'], { iban: 1 }],
    ]);
    // Without it, dsr's own registry finds nothing of the subject there …
    expect((await scanText(TEXT, false, dsrRegistry)).items).toEqual([]);
    // … and a file without the subject's IBAN is settled by its raw anchor, as any other.
    expect((await scanText('Udbetaling til DK11 2222 3333 4444 55.')).items).toEqual([]);
  });

  it('lists other people’s values in an inventory, as identifiers', async () => {
    const result = await scanText(TEXT, true);
    expect(result.findings.filter((f) => f.detector === 'iban').map((f) => [f.value, f.subject])).toEqual([
      ['DK5000400440116243', true],
      ['DK1122223333444455', false],
    ]);
  });

  it('is counted and named in the terminal summary', async () => {
    const result = await scanText(TEXT);
    const summary = formatSummary({
      subject: SUBJECT,
      roots: [work],
      stats: { files: 1, items: 1, bytes: result.bytes, skipped: 0, errors: 0 },
      items: result.items,
      findingCounts: new Map([
        ['iban:subject', 1],
        ['iban:other', 1],
      ]),
      pathFindings: new Map(),
      skippedReasons: new Map(),
      errorsByKind: new Map(),
      elapsedMs: 10,
      outPath: join(work, 'scan.json'),
      interrupted: false,
      registry,
    });
    expect(summary).toContain('Findings: iban 1 (+1 others)');
    expect(summary).toContain('(e-mail, phone, CPR or IBAN of the subject)');
    expect(summary).toContain('konto.txt  [iban]');
  });

  it('is a category of the access report, with its labels, colour and other people’s values hidden', async () => {
    const scan = scanFileOf(await scanText(TEXT));
    const review = { schema: 'dsr.review/2' as const, scanId: 'test', decisions: {} };
    for (const lang of ['en', 'da'] as const) {
      const report = buildReport(scan, { lang, includePossible: false, review, registry });
      const category = report.categories.find((c) => c.id === 'iban');
      expect(category).toMatchObject({ items: 1, findings: 1, values: ['DK5000400440116243'] });
      expect(report.items[0].categories).toEqual(['iban']);
      expect(report.items[0].findings[0].context).toBe(
        'Udbetaling til DK50 0040 0440 1162 43 (ikke DK11XXXXXXXXXXXX55).',
      );
      const html = renderHtml(report, { registry });
      expect(html).toContain(lang === 'en' ? 'Bank account (IBAN)' : 'Bankkonto (IBAN)');
      expect(html).toContain('.bar-iban { fill: #556b2f;');
      expect(html).toContain('<mark>DK50 0040 0440 1162 43</mark>');
      expect(html).toContain(
        lang === 'en' ? 'CPR numbers and IBANs) are hidden' : 'CPR-numre og IBAN-numre)',
      );
    }
    // dsr's own registry knows no such category.
    const own = buildReport(scan, { lang: 'en', includePossible: false, review });
    expect(own.categories.map((c) => c.id)).toEqual(['name', 'email', 'phone', 'cpr', 'face']);
  });
});

describe('the registry is the only place that names a detector', () => {
  const ids = dsrRegistry.ids.join('|');
  /** Ways code outside detectors/ would tell detectors apart by their ids instead of asking the registry. */
  const NAMING = [
    // f.detector === 'name', c.detector !== 'cpr'
    new RegExp(`\\bdetector\\w*\\b[^\\n;]*?[!=]==?\\s*'(${ids})'`),
    new RegExp(`'(${ids})'\\s*[!=]==?[^\\n;]*\\bdetector`),
    // switch (f.detector) { case 'phone': … }
    new RegExp(`\\bcase '(${ids})':`),
    // ['email', 'phone', 'cpr']: a list of detectors
    new RegExp(`\\[\\s*'(${ids})',\\s*'(${ids})'`),
    // 'email' | 'phone', Record<'cpr', …>
    new RegExp(`'(${ids})'\\s*\\|\\s*'(${ids})'|<'(${ids})'`),
  ];
  const sources = (dir: string): string[] =>
    readdirSync(join(PROJECT, dir), { recursive: true })
      .map((f) => join(PROJECT, dir, String(f)))
      .filter((f) => /\.tsx?$/.test(f) && !f.includes('byte-scan/assembly'));

  it('no module of src/ or cli/ tells detectors apart by their ids', () => {
    const found: string[] = [];
    for (const file of [...sources('src'), ...sources('cli')])
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (NAMING.some((re) => re.test(line)))
            found.push(`${relative(PROJECT, file)}:${i + 1}: ${line.trim()}`);
        });
    expect(found, 'read the detector from the registry (detectors/index.ts) instead').toEqual([]);
  });

  it('catches the ways code names a detector', () => {
    for (const line of [
      "return f.detector === 'name' && f.location.field === 'path';",
      "if ('cpr' === c.detector) continue;",
      "    case 'phone':",
      "export const SEARCHED: readonly DetectorId[] = ['name', 'email', 'phone', 'cpr', 'face'];",
      "export type DetectorId = 'email' | 'phone' | 'cpr' | 'name' | 'face';",
    ])
      expect(
        NAMING.some((re) => re.test(line)),
        line,
      ).toBe(true);
    for (const line of [
      "const known = new Set(['name', 'aliases', 'emails', 'phones', 'cpr']);",
      "if (type.toLowerCase() !== 'face') return;",
      "for (const k of ['registration', 'email', 'phone', 'website']) str(org[k]);",
    ])
      expect(
        NAMING.some((re) => re.test(line)),
        line,
      ).toBe(false);
  });
});
