import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressRtf } from '../../fixtures/gen/tnef.js';
import { decompressRtf } from '../../src/extract/mail/compressed-rtf.js';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';

/** Written by fixtures/gen/formats.ts (TNEF by fixtures/gen/tnef.ts). */
const FORMATS = join(PROJECT, 'fixtures/formats');
const NAME = 'Søren Kjærgaard Østergård';
const CPR = '150387-1236';
const PHONE = '+4521436587';
const EMAIL = 'soren.ostergard@example.dk';

describe('TNEF (winmail.dat)', () => {
  it('the wrapped message (subject, compressed RTF body) and its attachments are read', async () => {
    const r = await scanFile(join(FORMATS, 'winmail.dat'));
    expect(errorLines(r)).toEqual([]);
    expect(r.items.find((i) => i.itemPath.length === 0)?.format).toBe('tnef');
    expect(findingLines(r)).toEqual([
      ` | name | ${NAME} | header:Subject`,
      ` | phone | ${PHONE} | rtf`,
      `attachment kontrakt.txt | cpr | ${CPR} | body`,
      `attachment referat.docx | cpr | ${CPR} | body`,
      `attachment referat.docx | email | ${EMAIL} | header1`,
      `attachment referat.docx | email | ${EMAIL} | links`,
      'attachment referat.docx | name | Søren K. Østergård | comments',
      `attachment referat.docx | name | ${NAME} | body`,
      `attachment referat.docx | name | ${NAME} | properties`,
      `attachment referat.docx | phone | ${PHONE} | footnotes`,
    ]);
  });

  it('a winmail.dat attached to a mail (application/ms-tnef) is read like any other attachment', async () => {
    const r = await scanFile(join(FORMATS, 'winmail.eml'));
    expect(errorLines(r)).toEqual([]);
    const lines = findingLines(r);
    expect(lines).toContain(`attachment winmail.dat | name | ${NAME} | header:Subject`);
    expect(lines).toContain(`attachment winmail.dat | phone | ${PHONE} | rtf`);
    expect(lines).toContain(`attachment winmail.dat › attachment kontrakt.txt | cpr | ${CPR} | body`);
  });

  it('none: another person is not found in it', async () => {
    const r = await scanFile(join(FORMATS, 'winmail.eml'), {
      subject: { name: 'Jonas Hvid', emails: ['jonas.hvid@example.org'], cpr: ['241275-1118'] },
    });
    expect(r.findings).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it('a truncated winmail.dat is a `corrupt` error, with what came before the cut still searched', async () => {
    const data = readFileSync(join(FORMATS, 'winmail.dat'));
    const at = data.indexOf(Buffer.from('referat.docx')) + 40;
    const dir = tempTree({
      'winmail.dat': data.subarray(0, at),
      'junk.dat': Buffer.from([0x78, 0x9f, 0x3e, 0x22, 1]),
    });
    const r = await scanFile(join(dir, 'winmail.dat'));
    expect(errorLines(r)).toEqual([' | corrupt']);
    expect(findingLines(r)).toContain(`attachment kontrakt.txt | cpr | ${CPR} | body`);
    // The signature and nothing after it: claimed as TNEF, and damaged.
    expect(errorLines(await scanFile(join(dir, 'junk.dat')))).toEqual([' | corrupt']);
  });
});

describe('compressed RTF (MS-OXRTFCP)', () => {
  it('decompresses the specification example', () => {
    const hex =
      '2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0';
    expect(decompressRtf(Buffer.from(hex, 'hex'), 1 << 20)).toBe(
      '{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n',
    );
  });

  it('round-trips what the fixture writer compresses, and stops at the byte limit', () => {
    const rtf = `{\\rtf1\\ansi\\deff0 ${"Ring til S\\'f8ren p\\'e5 21 43 65 87.\\par ".repeat(50)}}`;
    expect(decompressRtf(compressRtf(rtf), 1 << 20)).toBe(rtf);
    expect(decompressRtf(compressRtf(rtf), 100)).toBe(rtf.slice(0, 100));
    expect(decompressRtf(Buffer.from('not compressed rtf'), 1 << 20)).toBeUndefined();
  });
});
