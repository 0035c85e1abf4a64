/**
 * The access report in words the data subject uses: a scan of real fixture files with every kind of place
 * (archive member, mail message, attachment, PDF page, spreadsheet sheet, mail header, XMP face tag, a
 * picture in a spreadsheet), a symlink, a named pipe and an unreadable file, rendered in Danish and English.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

const CONTROLLER = join(PROJECT, 'fixtures/controller.example.json');
const FILES: Record<string, string> = {
  'docs/bundle.zip': 'fixtures/documents/bundle.zip',
  'docs/cv.pdf': 'fixtures/documents/cv.pdf',
  'docs/customers.xlsx': 'fixtures/documents/customers.xlsx',
  'post/breve.eml': 'fixtures/mail/eml/attachments.eml',
  'post/arkiv.mbox': 'fixtures/mail/mbox/archive.mbox',
  'fotos/person.jpg': 'fixtures/media/iptc-person.jpg',
  'docs/pictures.xlsx': 'fixtures/office-media/pictures.xlsx',
};

/** The report's visible text: tags dropped, entities decoded. */
function textOf(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('the access report in plain words', () => {
  let dir: string;
  let scanPath: string;
  const render = (args: string[], name: string, env: NodeJS.ProcessEnv = {}) => {
    const out = join(dir, name);
    const r = runCli(
      ['report', scanPath, '--include-possible', '--controller', CONTROLLER, '-o', out, ...args],
      {
        env: { ...process.env, TZ: 'UTC', ...env },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return out;
  };

  beforeAll(() => {
    dir = tempTree({}, 'dsr-plain-');
    const share = join(dir, 'share');
    for (const [to, from] of Object.entries(FILES)) {
      mkdirSync(join(share, to, '..'), { recursive: true });
      copyFileSync(join(PROJECT, from), join(share, to));
    }
    symlinkSync('/etc/hostname', join(share, 'genvej'));
    execFileSync('mkfifo', [join(share, 'rør')]);
    scanPath = join(dir, 'scan.json');
    const r = runCli(['scan', share, '--subject', writeSubject(dir), '--out', scanPath, '--no-progress']);
    expect([0, 3]).toContain(r.code);
    // Run as root, a permission error cannot be made with chmod: it is written into the scan as the
    // walk records one, with the raw system message.
    const scan = JSON.parse(readFileSync(scanPath, 'utf8')) as ScanFile;
    scan.errors.push({
      path: join(share, 'løn.xlsx'),
      itemPath: [],
      kind: 'permission',
      message: `EACCES: permission denied, open '${join(share, 'løn.xlsx')}'`,
    });
    scan.startedAt = '2026-01-15T09:30:00.000Z';
    scan.finishedAt = '2026-07-01T11:05:00.000Z';
    writeFileSync(scanPath, JSON.stringify(scan));
    // Every kind of place is in the scan, as dsr names it internally.
    const places = JSON.stringify([scan.items.map((i) => i.itemPath), scan.findings.map((f) => f.location)]);
    for (const raw of [
      'member ',
      'message <',
      'message #',
      'attachment ',
      'page 2',
      'sheet Kunder',
      'header:From',
    ])
      expect(places).toContain(raw);
    expect(places).toContain('XMP-iptcExt PersonInImage');
    expect(scan.skippedFiles?.map((f) => f.reason).sort()).toEqual(['special file', 'symlink']);
  });

  const INTERNAL = [
    /\bmember [^\s]/,
    /\bmessage [<‹#]/,
    /\battachment \S+\.\w{2,4}\b/,
    /header:/,
    /XMP-/,
    /PersonInImage|RegionList/,
    /EACCES|permission denied/,
    /\b(field|felt) (page|sheet|header|body)/,
  ];

  it('speaks Danish without internal words', () => {
    const text = textOf(
      readFileSync(render(['--lang', 'da', '--tz', 'Europe/Copenhagen'], 'da.html'), 'utf8'),
    );
    for (const word of [
      ...INTERNAL,
      /\bpage\b/,
      /\bsheet\b/,
      /\bfelt\b/,
      /\bkolonne\b/,
      /attachment|message/i,
    ])
      expect(text).not.toMatch(word);
    for (const phrase of [
      'side 2',
      'arket Kunder',
      'afsenderfeltet',
      'vedhæftet fil: cpr-brev.pdf',
      'fil i arkivet: docs/notes.docx',
      'billede i dokumentet: image1.jpeg',
      'e-mail nr. 3 i postkassefilen',
      'ansigtsmarkering i billedets metadata',
      'dokumentets egenskaber',
      'Vi havde ikke adgang til at læse den.',
      'Genveje til andre steder (ikke fulgt) ',
      'Systemfiler, som ikke er dokumenter',
    ])
      expect(text).toContain(phrase);
    // The symlink and the pipe are counted as what they are, not as files without text.
    expect(text).toMatch(/ 0 Filer uden tekst/);
  });

  it('speaks English without internal words', () => {
    const text = textOf(readFileSync(render(['--lang', 'en'], 'en.html'), 'utf8'));
    for (const word of INTERNAL) expect(text).not.toMatch(word);
    for (const phrase of [
      'page 2',
      'the sheet Kunder',
      'the sender field',
      'attached file: cpr-brev.pdf',
      'file in the archive: docs/notes.docx',
      'picture in the document: image1.jpeg',
      "face tag in the picture's metadata",
      'We had no permission to read it.',
      'Shortcuts to other places (not followed)',
    ])
      expect(text).toContain(phrase);
  });

  it("writes times in the reader's zone, the Danish way in Danish", () => {
    const da = textOf(
      readFileSync(render(['--lang', 'da', '--tz', 'Europe/Copenhagen'], 'tz1.html'), 'utf8'),
    );
    expect(da).toContain('15. januar 2026 kl. 10.30 (CET) – 1. juli 2026 kl. 13.05 (CEST)');
    const env = textOf(
      readFileSync(render(['--lang', 'da'], 'tz2.html', { TZ: 'Europe/Copenhagen' }), 'utf8'),
    );
    expect(env).toContain('15. januar 2026 kl. 10.30');
    const en = textOf(readFileSync(render(['--lang', 'en', '--tz', 'America/New_York'], 'tz3.html'), 'utf8'));
    expect(en).toContain('15 January 2026 at 04:30');
    const bad = runCli(['report', scanPath, '--tz', 'Mars/Olympus', '-o', join(dir, 'x.html')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tz takes a time zone name');
  });

  it('marks the subject’s own values in a snippet and masks the others', () => {
    const html = readFileSync(render(['--lang', 'da'], 'marks.html'), 'utf8');
    const rows = html.split('<tr data-finding').filter((r) => r.includes('0101XX-XXXX'));
    expect(rows.length).toBeGreaterThan(0);
    expect(html).not.toContain('0101901234');
    expect(rows.some((r) => r.includes('<mark>21436587</mark>'))).toBe(true);
    expect(html).not.toMatch(/21436XX|XXXX87/);
  });

  it("keeps a spreadsheet's cells and a text's lines apart in snippets", () => {
    const rep = JSON.parse(readFileSync(render(['--lang', 'da'], 'cells.json'), 'utf8')) as {
      items: { findings: { location: { field?: string }; context: string }[] }[];
    };
    const findings = rep.items.flatMap((i) => i.findings);
    const sheet = findings.find(
      (f) => f.location.field === 'sheet Kunder' && f.context.includes('21436587'),
    )!;
    expect(sheet.context).toMatch(/1503871236\t21436587\t/);
    expect(findings.some((f) => f.context.includes('\n'))).toBe(true);
    const html = readFileSync(render(['--lang', 'da'], 'cells.html'), 'utf8');
    expect(html).toMatch(/<mark>1503871236<\/mark><span class="cell-sep"> │ <\/span><mark>21436587<\/mark>/);
    expect(html).toContain('<br>');
  });

  it('is a draft without a controller profile and says so on stderr', () => {
    const out = join(dir, 'nocontroller.json');
    const r = runCli(['report', scanPath, '--include-possible', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: no --controller profile');
    expect(JSON.parse(readFileSync(out, 'utf8')).draft).toBe(true);
    const html = join(dir, 'nocontroller.html');
    runCli(['report', scanPath, '--include-possible', '-o', html]);
    expect(readFileSync(html, 'utf8')).toContain('data-banner="draft"');
    expect(
      JSON.parse(readFileSync(join(dir, 'da.html').replace('da.html', 'nocontroller.json'), 'utf8'))
        .controller,
    ).toBe(null);
  });
});
