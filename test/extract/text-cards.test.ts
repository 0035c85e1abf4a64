import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unfoldCards } from '../../src/extract/text/cards.js';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { scanFile } from '../helpers/documents-scan.js';

/** Written by fixtures/gen/formats.ts. */
const FORMATS = join(PROJECT, 'fixtures/formats');

const placed = (r: Awaited<ReturnType<typeof scanFile>>) =>
  r.findings.map((f) => `${f.location.line}:${f.location.column} | ${f.detector} | ${f.value}`).sort();

async function joined(pieces: string[]): Promise<string> {
  async function* gen() {
    yield* pieces;
  }
  let out = '';
  for await (const p of unfoldCards(gen())) out += p;
  return out;
}

describe('vCard', () => {
  it('decodes quoted-printable values (soft line breaks, UTF-8 and Windows-1252) and unfolds folded lines', async () => {
    const r = await scanFile(join(FORMATS, 'contacts.vcf'));
    expect(r.errors).toEqual([]);
    expect(r.items[0].format).toBe('text');
    // Line N is the Nth line once unfolded.
    expect(placed(r)).toEqual([
      '15:21 | email | soren.ostergard@example.dk',
      '4:44 | name | Søren Kjærgaard Østergård',
      '5:10 | phone | +4521436587',
      '9:55 | name | Søren K. Østergård',
    ]);
  });

  it('none: a vCard of another person has no finding', async () => {
    const r = await scanFile(join(FORMATS, 'contacts.vcf'), {
      subject: { name: 'Jonas Vestergaard', emails: ['jonas.vestergaard@example.org'] },
    });
    expect(r.findings).toEqual([]);
  });

  it('is recognised by its first line without a .vcf name', async () => {
    const dir = tempTree({
      kontakt: 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Søren Kjærgaard Øst\r\n ergård\r\nEND:VCARD\r\n',
    });
    const r = await scanFile(join(dir, 'kontakt'));
    expect(placed(r)).toEqual(['3:4 | name | Søren Kjærgaard Østergård']);
  });
});

describe("real files (fixtures/realdata, from exiftool's test images)", () => {
  const REAL = join(PROJECT, 'fixtures/realdata/exiftool-test-images');

  it("an Apple Contacts vCard: the person's name and addresses are found", async () => {
    const r = await scanFile(join(REAL, 'VCard.vcf'), {
      subject: { name: 'Phil Harvey', emails: ['someone@work.email'] },
    });
    expect(r.errors).toEqual([]);
    expect(r.findings.map((f) => `${f.detector} ${f.value} ${f.location.line}`).sort()).toEqual([
      'email someone@work.email 8',
      'name Phil Harvey 5',
    ]);
  });
});

describe('iCalendar', () => {
  it('unfolds lines before detection: a name, an address and a phone number cut by folds are found', async () => {
    const r = await scanFile(join(FORMATS, 'calendar.ics'));
    expect(r.errors).toEqual([]);
    expect(placed(r)).toEqual([
      '10:31 | phone | +4521436587',
      '9:14 | name | Søren Kjærgaard Østergård',
      '9:69 | email | soren.ostergard@example.dk',
    ]);
  });
});

describe('unfolding pieces', () => {
  it('gives the same lines however the text is cut into pieces (also between \\r and \\n)', async () => {
    const text =
      'BEGIN:VCARD\r\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:S=C3=B8ren =\r\n=C3=98sterg=C3=A5rd\r\nEMAIL:a@\r\n b.dk\r\nEND:VCARD\r\n';
    const whole = await joined([text]);
    expect(whole).toBe(
      'BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Søren Østergård\nEMAIL:a@b.dk\nEND:VCARD',
    );
    for (let cut = 1; cut < text.length; cut++)
      expect(await joined([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toBe(whole);
  });

  it('leaves lines that are not quoted-printable as they are (an `=` at the end is text)', async () => {
    expect(await joined(['NOTE:a=\r\nb\r\n'])).toBe('NOTE:a=\nb');
  });
});
