import { describe, expect, it } from 'vitest';
import { buildDetailDoc, fingerprintText, locationText, visibleLines } from '../../cli/review/detail-doc.js';
import { locateMatch } from '../../cli/review/highlight.js';
import { buildIndex } from '../../cli/review/scan-index.js';
import type { Finding } from '../../src/core/types.js';
import { makeScan, sampleScan } from '../helpers/make-scan.js';

const text = (line: { text: string }[]) => line.map((s) => s.text).join('');
const hit = (f: Pick<Finding, 'detector' | 'value' | 'context'> & { location?: Finding['location'] }) => {
  const m = locateMatch({ location: {}, ...f });
  return m && f.context.slice(m[0], m[1]);
};

describe('highlighting the matched text in a context', () => {
  it('finds normalised values as they were written', () => {
    expect(hit({ detector: 'phone', value: '+4521436587', context: 'Call +45 21 43 65 87 now' })).toBe(
      '+45 21 43 65 87',
    );
    expect(hit({ detector: 'phone', value: '+4521436587', context: 'tlf. 21 43 65 87.' })).toBe(
      '21 43 65 87',
    );
    expect(hit({ detector: 'cpr', value: '150387-1236', context: 'cpr 1503871236 x' })).toBe('1503871236');
    expect(hit({ detector: 'name', value: 'Søren Østergård', context: 'kære soeren oestergaard,' })).toBe(
      'soeren oestergaard',
    );
    expect(hit({ detector: 'email', value: 'a@b.dk', context: 'mailto:A@B.DK' })).toBe('A@B.DK');
  });

  it('never matches inside a longer digit run, and says so when the value is not there', () => {
    expect(hit({ detector: 'cpr', value: '150387-1236', context: '91503871236 no' })).toBeUndefined();
    expect(hit({ detector: 'email', value: 'a@b.dk', context: 'nothing' })).toBeUndefined();
  });

  it('picks the occurrence where the engine put the match', () => {
    const before = 'x'.repeat(40);
    const context = `…Søren Østergård ${before.slice(18)}Søren Østergård and more`;
    const m = locateMatch({ detector: 'name', value: 'Søren Østergård', context, location: {} });
    expect(m?.[0]).toBe(context.lastIndexOf('Søren'));
    const early = 'Søren Østergård met Søren Østergård';
    expect(
      locateMatch({
        detector: 'name',
        value: 'Søren Østergård',
        context: early,
        location: { offset: 20 },
      })?.[0],
    ).toBe(20);
  });
});

describe('the detail document', () => {
  it("shows other people's identifiers elsewhere in the item's message, which its removal would take too", () => {
    const scan = makeScan([
      {
        id: 'a1',
        rel: 'mail/x.eml',
        evidence: 'confirmed',
        detectors: ['cpr'],
        itemPath: ['attachment cv.txt'],
      },
    ]);
    scan.items[0].messageOthers = { phone: 1, email: 2 };
    const index = buildIndex(scan);
    const lines = visibleLines(buildDetailDoc(index, index.items[0], undefined, 80), 0, 100).map(text);
    const at = lines.indexOf("other people's identifiers elsewhere in its message (removed with it)");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('  phone 1 · email 2');
  });

  it('shows every finding with its context, other people, the face region and the fingerprint', () => {
    const scan = makeScan([
      {
        id: 'n1',
        rel: 'photos/party.jpg',
        evidence: 'namesake',
        detectors: ['face'],
        others: { cpr: 1 },
        findings: [
          {
            detector: 'cpr',
            subject: false,
            value: '010190-1234',
            context: 'CPR 010190-1234',
            location: { field: 'XMP-dc:Description' },
          },
        ],
      },
    ]);
    scan.findings[0].location = {
      field: 'XMP-mwg-rs RegionList[0]',
      region: { x: 0.25, y: 0.5, w: 0.1, h: 0.2 },
    };
    const index = buildIndex(scan);
    const doc = buildDetailDoc(
      index,
      index.items[0],
      { decision: 'namesake', by: 'anna', at: '2026-02-03T04:05:06.000Z' },
      60,
    );
    const lines = visibleLines(doc, 0, doc.total).map(text);
    expect(lines).toEqual([
      'photos/party.jpg',
      'namesake · folder photos/ · text',
      'decision: namesake by anna at 2026-02-03 04:05:06Z',
      'findings of the subject (1)',
      '  face  XMP-mwg-rs RegionList[0] · face region x 0.25 y 0.50 w 0.10 h 0.20  90%',
      '    Søren Kjærgaard Østergård is here',
      // The region x 0.25 y 0.5 w 0.1 h 0.2 in a 24x4 sketch of the photo.
      '    ┌────────────────────────┐',
      '    │                        │',
      '    │                        │',
      '    │      ███               │',
      '    │                        │',
      '    └────────────────────────┘',
      "other people's identifiers in this item",
      '  cpr 1',
      '  cpr   XMP-dc:Description  90%  0101XX-XXXX',
      '    CPR 010190-1234',
      'scanned',
      '  42 B · modified 2026-01-02 03:04:05Z · sha256 abababababababab…',
      '  at 2026-01-02 03:04:05Z · item n1',
    ]);
    expect(doc.total).toBe(lines.length);
    // The raw value of someone else is masked in the heading; the matched text is marked in the context.
    const ctx = visibleLines(doc, 5, 1)[0];
    expect(ctx.find((s) => s.inverse)?.text).toBe('Søren Kjærgaard Østergård');
  });

  it('wraps long contexts and renders only the lines asked for, even for 50,000 findings', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => ({
      detector: 'email' as const,
      value: 'soren.ostergard@example.dk',
      context: `row ${i}: soren.ostergard@example.dk`,
      location: { line: i + 1, column: 9 },
    }));
    const scan = makeScan([
      { id: 'big', rel: 'export.csv', evidence: 'confirmed', detectors: ['email'], findings: many },
    ]);
    const index = buildIndex(scan);
    const doc = buildDetailDoc(index, index.items[0], undefined, 30);
    // Each finding: a heading plus its context wrapped at 26 columns.
    expect(doc.blocks.length).toBe(2 + 50_001);
    const window = visibleLines(doc, doc.offsets[40_001], 3).map(text);
    expect(window).toEqual([
      '  email line 40000:9  90%',
      '    row 39999: soren.ostergard',
      '    @example.dk',
    ]);
  });

  it('describes locations and fingerprints for people, not machines', () => {
    expect(locationText({ field: 'header:From', line: 3, column: 7 })).toBe('header:From · line 3:7');
    expect(locationText({ page: 2, line: 1 })).toBe('page 2 · line 1:1');
    expect(locationText({})).toBe('—');
    expect(
      locationText({ field: 'ocr', page: 2, line: 3, column: 9, box: { x: 205, y: 205, w: 440, h: 29 } }),
    ).toBe('read by OCR from a scanned page · page 2 · line 3:9 · at x 205 y 205 (440×29 px)');
    expect(fingerprintText({ offset: 120, length: 300, sha256: 'f'.repeat(64) })).toBe(
      'offset 120+300 · sha256 ffffffffffffffff…',
    );
    expect(fingerprintText({ uidValidity: '7', uid: 42, modseq: '9' })).toBe(
      'UIDVALIDITY 7 UID 42 · MODSEQ 9',
    );
  });

  it('builds the sample scan documents without error', () => {
    const index = buildIndex(sampleScan());
    for (const item of index.items)
      expect(buildDetailDoc(index, item, undefined, 80).total).toBeGreaterThan(5);
  });
});
