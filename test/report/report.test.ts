import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { validateController } from '../../src/report/access/controller.js';
import { csvCell } from '../../src/report/access/csv.js';
import { renderHtml } from '../../src/report/access/html.js';
import { buildReport } from '../../src/report/access/model.js';
import { maskOthers } from '../../src/report/access/redact.js';
import { PROJECT, runCli, SUBJECT } from '../helpers/cli.js';
import { itemAt, type ScannedTree, scannedTree, writeReview } from '../helpers/report-tree.js';

const CONTROLLER = join(PROJECT, 'fixtures/controller.example.json');

interface ReportJson {
  schema: string;
  lang: string;
  draft: boolean;
  subject: typeof SUBJECT;
  controller: { organisation: { name: string } } | null;
  scan: { stats: Record<string, number>; errors: unknown[]; roots: { path: string; kind: string }[] };
  selection: {
    reported: number;
    needsReview: { possible: number; namesake: number };
    excludedByReviewer: number;
    kept?: number;
    includePossible: boolean;
    reviewFile: string | null;
  };
  categories: { id: string; items: number; findings: number; values: string[]; policy: unknown }[];
  sources: { label: string; kind: string; itemIds: string[] }[];
  items: {
    id: string;
    path: string;
    itemPath: string[];
    categories: string[];
    decision: string | null;
    keepReason?: string | null;
    findings: { category: string; value: string; context: string }[];
  }[];
}

function report(
  tree: ScannedTree,
  args: string[],
  name: string,
): { code: number; stderr: string; stdout: string; out: string } {
  const out = join(tree.dir, name);
  const r = runCli(['report', tree.scanPath, '--out', out, ...args]);
  return { ...r, out };
}

function readReport(path: string): ReportJson {
  return JSON.parse(readFileSync(path, 'utf8')) as ReportJson;
}

describe('dsr report', () => {
  let tree: ScannedTree;
  let base: ReturnType<typeof report>;
  beforeAll(() => {
    tree = scannedTree();
    base = report(tree, ['--format', 'json'], 'r1.json');
  });

  it('reports confirmed items only, counts the unreviewed ones and marks the report a draft', () => {
    const r = base;
    expect(r.code).toBe(0);
    expect(statSync(r.out).mode & 0o777).toBe(0o600);
    const rep = readReport(r.out);
    expect(rep.schema).toBe('dsr.report/1');
    expect(rep.lang).toBe('da');
    const contract = itemAt(tree, 'hr/contract.txt');
    const notes = itemAt(tree, 'hr/notes <b>.html');
    const message = itemAt(tree, 'mail/inbox.mbox', ['message <ferie-1@example.dk>']);
    const member = itemAt(tree, 'archive/old.zip', ['member docs/cv.txt']);
    expect(rep.items.map((i) => i.id).sort()).toEqual([contract.id, notes.id, message.id, member.id].sort());
    expect(rep.selection).toMatchObject({
      reported: 4,
      needsReview: { possible: 1, namesake: 1 },
      excludedByReviewer: 0,
    });
    expect(rep.draft).toBe(true);
    expect(rep.scan.stats).toEqual(tree.scan.stats);
    const cat = Object.fromEntries(rep.categories.map((c) => [c.id, c]));
    expect(cat.cpr).toMatchObject({ items: 3, findings: 3, values: ['150387-1236'] });
    expect(cat.email).toMatchObject({ items: 2, values: ['soren.ostergard@example.dk'] });
    expect(cat.phone).toMatchObject({ items: 2, values: ['+4521436587'] });
    expect(cat.face).toMatchObject({ items: 0, findings: 0 });
    expect(rep.sources.map((s) => [s.label.slice(tree.root.length), s.kind])).toEqual([
      ['/archive/old.zip', 'container'],
      ['/hr', 'folder'],
      ['/mail/inbox.mbox', 'container'],
    ]);
    // Terminal output: counts, never identifiers.
    expect(r.stdout).toContain('Needs review: 1 possible, 1 namesake');
    expect(r.stdout).not.toContain('150387-1236');
  });

  it("masks other people's identifiers in contexts and keeps the subject's", () => {
    const rep = readReport(base.out);
    const contract = rep.items.find((i) => i.path.endsWith('contract.txt'))!;
    const all = contract.findings.map((f) => f.context).join('\n');
    expect(all).toContain('150387-1236');
    expect(all).not.toContain('anna.berg@firma.dk');
    expect(all).not.toContain('010190-1234');
    expect(all).not.toContain('22 33 44 55');
    const whole = readFileSync(base.out, 'utf8');
    expect(whole).not.toContain('anna.berg@');
    expect(whole).not.toContain('010190');
  });

  it('follows review decisions: excluded and namesake items go, included ones come in', () => {
    const contract = itemAt(tree, 'hr/contract.txt');
    const meeting = itemAt(tree, 'misc/meeting.txt');
    const namesake = itemAt(tree, 'misc/namesake.txt');
    expect([meeting.evidence, namesake.evidence]).toEqual(['possible', 'namesake']);
    writeReview(tree, { [contract.id]: 'exclude', [meeting.id]: 'include', [namesake.id]: 'namesake' });
    try {
      const r = report(tree, ['--format', 'json', '--controller', CONTROLLER], 'r3.json');
      expect(r.stderr).toBe('');
      const rep = readReport(r.out);
      expect(rep.items.map((i) => i.id)).toContain(meeting.id);
      expect(rep.items.map((i) => i.id)).not.toContain(contract.id);
      expect(rep.items.map((i) => i.id)).not.toContain(namesake.id);
      expect(rep.items.find((i) => i.id === meeting.id)?.decision).toBe('include');
      expect(rep.selection).toMatchObject({
        reported: 4,
        needsReview: { possible: 0, namesake: 0 },
        excludedByReviewer: 2,
      });
      expect(rep.selection.reviewFile).toBe(join(tree.dir, 'scan.review.json'));
      expect(rep.draft).toBe(false);
    } finally {
      writeReview(tree, {});
    }
  });

  it("reports a kept item with its reason (JSON, HTML, CSV) and leaves out one that is not the subject's", () => {
    const contract = itemAt(tree, 'hr/contract.txt');
    const notes = itemAt(tree, 'hr/notes <b>.html');
    const meeting = itemAt(tree, 'misc/meeting.txt');
    writeReview(tree, {
      [contract.id]: { decision: 'keep', note: 'bogføringsloven: 5 år' },
      [meeting.id]: 'keep',
      [notes.id]: 'exclude',
    });
    try {
      const r = report(tree, ['--format', 'json', '--lang', 'en'], 'r-keep.json');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('2 kept by a reviewer (reported with the reason); 1 left out by a reviewer');
      const rep = readReport(r.out);
      const ids = rep.items.map((i) => i.id);
      expect(ids).toContain(contract.id);
      expect(ids).toContain(meeting.id);
      expect(ids).not.toContain(notes.id);
      const kept = rep.items.find((i) => i.id === contract.id)!;
      expect(kept).toMatchObject({ decision: 'keep', keepReason: 'bogføringsloven: 5 år' });
      expect(rep.items.find((i) => i.id === meeting.id)).toMatchObject({
        decision: 'keep',
        keepReason: 'legal obligation',
      });
      expect(rep.items.find((i) => i.decision !== 'keep')?.keepReason).toBeNull();
      expect(rep.selection).toMatchObject({ kept: 2, excludedByReviewer: 1 });
      const html = readFileSync(report(tree, ['--lang', 'en'], 'r-keep.html').out, 'utf8');
      const article = html.slice(html.indexOf(`data-item="${contract.id}"`));
      expect(article.slice(0, article.indexOf('</article>'))).toContain(
        '<p class="kept" data-kept><strong>We keep this data because:</strong> bogføringsloven: 5 år</p>',
      );
      expect(html).not.toContain(`data-item="${notes.id}"`);
      const da = readFileSync(report(tree, [], 'r-keep-da.html').out, 'utf8');
      expect(da).toContain('Vi opbevarer disse oplysninger, fordi:</strong> bogføringsloven: 5 år');
      const rows = parseCsv(readFileSync(report(tree, ['--lang', 'en'], 'r-keep.csv').out, 'utf8').slice(1));
      const row = rows.find((x) => x[0] === contract.id)!;
      expect(row[6]).toBe('reviewed: kept');
      expect(row[8]).toBe('bogføringsloven: 5 år');
    } finally {
      writeReview(tree, {});
    }
  });

  it('reads an old (dsr.review/1) exclude as keep: the subject is told, with a reason that says so', () => {
    const contract = itemAt(tree, 'hr/contract.txt');
    const namesake = itemAt(tree, 'misc/namesake.txt');
    writeReview(tree, { [contract.id]: 'exclude', [namesake.id]: 'namesake' }, 'dsr.review/1');
    try {
      const rep = readReport(report(tree, ['--format', 'json'], 'r-v1.json').out);
      expect(rep.items.find((i) => i.id === contract.id)).toMatchObject({
        decision: 'keep',
        keepReason: "kept (decision made before dsr distinguished keep from not-the-subject's)",
      });
      expect(rep.items.map((i) => i.id)).not.toContain(namesake.id);
      expect(rep.selection).toMatchObject({ kept: 1, excludedByReviewer: 1 });
    } finally {
      writeReview(tree, {});
    }
  });

  it('--include-possible adds possible items but never an unreviewed namesake', () => {
    const rep = readReport(report(tree, ['--format', 'json', '--include-possible'], 'r4.json').out);
    const ids = rep.items.map((i) => i.id);
    expect(ids).toContain(itemAt(tree, 'misc/meeting.txt').id);
    expect(ids).not.toContain(itemAt(tree, 'misc/namesake.txt').id);
    expect(rep.selection).toMatchObject({
      reported: 5,
      includePossible: true,
      needsReview: { possible: 0, namesake: 1 },
    });
  });

  it('writes CSV: one RFC 4180 row per finding, formulas defused', () => {
    const r = report(tree, ['--lang', 'en'], 'r5.csv');
    expect(r.code).toBe(0);
    const text = readFileSync(r.out, 'utf8');
    expect(
      text.startsWith(
        '\ufeffitem_id,path,item_path,category,value,location,evidence,context,kept_because\r\n',
      ),
    ).toBe(true);
    const rows = parseCsv(text.slice(1));
    const rep = readReport(base.out);
    const findings = rep.items.flatMap((i) => i.findings.map((f) => ({ i, f })));
    expect(rows.length - 1).toBe(findings.length);
    const member = rows.find(
      (row) => row[2] === 'file in the archive: docs/cv.txt' && row[3] === 'CPR number',
    )!;
    expect(member.slice(0, 7)).toEqual([
      itemAt(tree, 'archive/old.zip', ['member docs/cv.txt']).id,
      join(tree.root, 'archive/old.zip'),
      'file in the archive: docs/cv.txt',
      'CPR number',
      '150387-1236',
      'line 2',
      'confirmed',
    ]);
    expect(rows.find((row) => row[3] === 'Phone number')?.[4]).toBe("'+4521436587");
    const html = rows.filter((row) => row[1].endsWith('notes <b>.html'));
    expect(html.length).toBeGreaterThan(0);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^\s*[=+\-@]/);
    expect(html.some((row) => /^'\s*=HYPERLINK/.test(row[7]))).toBe(true);
  });

  it('writes Danish CSV for Danish Excel: Danish headers and values, ; and a BOM; --csv-separator', () => {
    const r = report(tree, [], 'r5-da.csv');
    expect(r.code).toBe(0);
    const text = readFileSync(r.out, 'utf8');
    expect(text.split('\r\n')[0]).toBe(
      '\ufeffElement-id;Fil;Inde i filen;Kategori;Værdi;Placering;Status;Sammenhæng;Opbevares fordi',
    );
    const rows = parseCsv(text.slice(1), ';');
    const member = rows.find((row) => row[2] === 'fil i arkivet: docs/cv.txt' && row[3] === 'CPR-nummer')!;
    expect(member.slice(4, 7)).toEqual(['150387-1236', 'linje 2', 'bekræftet']);
    const comma = readFileSync(report(tree, ['--csv-separator', ','], 'r5-da-comma.csv').out, 'utf8');
    expect(comma.split('\r\n')[0]).toBe(
      '\ufeffElement-id,Fil,Inde i filen,Kategori,Værdi,Placering,Status,Sammenhæng,Opbevares fordi',
    );
    expect(parseCsv(comma.slice(1))).toEqual(rows);
    const tab = readFileSync(report(tree, ['--csv-separator', 'tab'], 'r5-da-tab.csv').out, 'utf8');
    expect(tab.split('\r\n')[0]).toContain('Element-id\tFil\t');
    const bad = report(tree, ['--csv-separator', '|'], 'r5-bad.csv');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--csv-separator must be');
  });

  it('refuses an --out whose extension disagrees with --format (exit 2), never HTML in a .pdf', () => {
    for (const [args, name] of [
      [['--format', 'html'], 'x.pdf'],
      [['--format', 'pdf'], 'x.html'],
      [[], 'x.txt'],
    ] as const) {
      const r = report(tree, [...args], name);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toMatch(/--out .* ends in \.\w+, but the report's format is \w+/);
      expect(() => statSync(r.out)).toThrow();
    }
  });

  it('quotes cells per RFC 4180 and guards every formula prefix', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\nbye')).toBe('"say ""hi""\nbye"');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+45 21')).toBe("'+45 21");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell(' =1+2')).toBe("' =1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('=HYPERLINK("x","y")')).toBe('"\'=HYPERLINK(""x"",""y"")"');
  });

  it('masks cut-off and foreign identifiers in a context, keeps the subject', () => {
    expect(maskOthers('mail anna@firma.dk og soren.ostergard@example.dk', SUBJECT)).toBe(
      'mail a***@firma.dk og soren.ostergard@example.dk',
    );
    expect(maskOthers('CPR 010190-1234 / 150387-1236', SUBJECT)).toBe('CPR 0101XX-XXXX / 150387-1236');
    expect(maskOthers('tlf 22 …', SUBJECT)).toBe('tlf XX …');
    expect(maskOthers('tlf 22 33 44 55 eller +45 21 43 65 87', SUBJECT)).toBe(
      'tlf 22XXXX55 eller +45 21 43 65 87',
    );
    expect(maskOthers('skriv til anna@fir…', SUBJECT)).toBe('skriv til a***@fir…');
    expect(maskOthers('…36 ring 0101…', SUBJECT)).toBe('…XX ring XXXX…');
    expect(maskOthers('år 2024 og 12 stk', SUBJECT)).toBe('år 2024 og 12 stk');
  });

  it('refuses to overwrite without --force (exit 2) and replaces with it', () => {
    const out = join(tree.dir, 'r6.html');
    writeFileSync(out, 'an earlier report');
    const again = report(tree, ['--lang', 'en'], 'r6.html');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(again.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe('an earlier report');
    expect(report(tree, ['--lang', 'en', '--force'], 'r6.html').code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('<html lang="en">');
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('merges the controller profile into each category (JSON)', () => {
    const args = ['--format', 'json', '--controller', CONTROLLER, '--lang', 'en', '--given', 'name,email'];
    const rep = readReport(report(tree, args, 'r7.json').out);
    expect(rep.lang).toBe('en');
    // Identifiers the subject did not give in the request are masked in the header; found values stay whole.
    expect(rep.subject).toEqual({
      name: SUBJECT.name,
      aliases: SUBJECT.aliases,
      emails: SUBJECT.emails,
      phones: ['+4521XXXX87'],
      cpr: ['1503XX-XXXX'],
    });
    expect(rep.categories.find((c) => c.id === 'cpr')?.values).toEqual(['150387-1236']);
    expect(rep.controller?.organisation.name).toBe('Fjordlys Film ApS');
    const cpr = rep.categories.find((c) => c.id === 'cpr')!;
    expect(cpr.policy).toMatchObject({ retention: { en: expect.stringContaining('5 years') } });
  });

  it('refuses a controller profile with a missing field, naming it (exit 2)', () => {
    const profile = JSON.parse(readFileSync(CONTROLLER, 'utf8'));
    delete profile.categories.cpr.legalBasis;
    const bad = join(tree.dir, 'bad-controller.json');
    writeFileSync(bad, JSON.stringify(profile));
    const r = report(tree, ['--controller', bad], 'r8.html');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('categories.cpr.legalBasis');
    expect(() =>
      validateController({ ...profile, categories: { address: profile.categories.name } }),
    ).toThrow('categories.address.label');
    expect(() => validateController({ ...profile, contact: { email: 'nope' } })).toThrow('contact.email');
  });

  it('accepts the example profile and refuses an unknown language', () => {
    expect(validateController(JSON.parse(readFileSync(CONTROLLER, 'utf8'))).organisation.name).toBe(
      'Fjordlys Film ApS',
    );
    const r = report(tree, ['--lang', 'de'], 'r9.html');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lang must be da or en');
  });
});

/** RFC 4180 parser for the test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string, sep = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('report model and HTML (in process)', () => {
  const subject = { name: SUBJECT.name, emails: SUBJECT.emails, cpr: SUBJECT.cpr };
  const imapRoot = 'imap://alice@127.0.0.1:1143/';
  const box = 'imap://alice@127.0.0.1:1143/INBOX';
  function scanWith(items: ScanFile['items'], findings: ScanFile['findings']): ScanFile {
    return {
      schema: 'dsr.scan/1',
      scanId: 'test-scan',
      startedAt: '2026-01-01T10:00:00.000Z',
      finishedAt: '2026-01-01T10:05:00.000Z',
      roots: ['/srv/share', imapRoot],
      subject,
      stats: { files: 60, items: 70, bytes: 1234, skipped: 0, errors: 0 },
      findings,
      items,
      errors: [],
    };
  }
  const finding = (
    itemId: string,
    path: string,
    itemPath: string[],
    n: number,
  ): ScanFile['findings'][number] => ({
    id: `${itemId}-${n}`,
    path,
    itemPath,
    itemId,
    detector: 'email',
    subject: true,
    value: SUBJECT.emails[0],
    confidence: 0.99,
    evidence: 'confirmed',
    location: { line: n + 1, column: 1 },
    context: `line ${n} ${SUBJECT.emails[0]}`,
  });
  const item = (id: string, path: string, itemPath: string[] = []): ScanFile['items'][number] => ({
    id,
    path,
    itemPath,
    evidence: 'confirmed',
    detectors: ['email'],
    fingerprint: {},
  });

  it('groups by top folder and mailbox, folds long lists, escapes paths', () => {
    const items = Array.from({ length: 45 }, (_, i) => item(`f${i}`, `/srv/share/big/file-${i}.txt`));
    items.push(item('m1', `${box};UIDVALIDITY=7/;UID=3`, ['attachment <x>.txt']));
    items.push(item('long', '/srv/share/long.txt'));
    const findings = [
      ...items.slice(0, 46).map((it) => finding(it.id, it.path, it.itemPath, 0)),
      ...Array.from({ length: 12 }, (_, n) => finding('long', '/srv/share/long.txt', [], n)),
    ];
    const review = { schema: 'dsr.review/2' as const, scanId: 'test-scan', decisions: {} };
    const rep = buildReport(scanWith(items, findings), { lang: 'en', includePossible: false, review });
    expect(rep.sources.map((s) => [s.label, s.kind, s.itemIds.length])).toEqual([
      ['/srv/share', 'folder', 1],
      ['/srv/share/big', 'folder', 45],
      [box, 'mailbox', 1],
    ]);
    expect(rep.scan.roots).toEqual([
      { path: '/srv/share', kind: 'folder' },
      { path: imapRoot, kind: 'mailbox' },
    ]);
    const html = renderHtml(rep);
    // 47 items: every source starts collapsed; the 12-finding table folds away.
    expect(html.match(/<details class="source" data-source>/g)).toHaveLength(3);
    expect(html).not.toContain('data-source open');
    expect(html).toContain('<summary>All 12 findings</summary>');
    expect(html).toContain('attached file: &lt;x&gt;.txt');
    expect(html).not.toContain('<x>');
  });
});
