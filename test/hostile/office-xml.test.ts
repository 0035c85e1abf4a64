import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBytes } from '../helpers/scan-bytes.js';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const TYPES = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;

function docx(documentXml: string): Uint8Array {
  const enc = (s: string) => new TextEncoder().encode(s);
  return zipSync({ '[Content_Types].xml': enc(TYPES), 'word/document.xml': enc(documentXml) });
}

const para = (text: string) => `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`;

describe('a .docx whose XML is broken', () => {
  it.each([
    [
      'truncated',
      `<w:document xmlns:w="${W}"><w:body>${para('CPR 150387-1236')}<w:p><w:r><w:t>Ri`,
      /never closed/,
    ],
    [
      'a tag closed out of order',
      `<w:document xmlns:w="${W}"><w:body>${para('CPR 150387-1236')}<w:p><w:r><w:t>x</w:p></w:r></w:body></w:document>`,
      /closes/,
    ],
    [
      'a stray <',
      `<w:document xmlns:w="${W}"><w:body>${para('CPR 150387-1236')}<w:p><w:r><w:t>x < 1</w:t></w:r></w:p></w:body></w:document>`,
      /stray/,
    ],
  ])(
    '%s: a `corrupt` error naming word/document.xml, and the text before the damage is searched',
    async (_, xml, why) => {
      const r = await scanBytes('brev.docx', docx(xml));
      expect(r.errors.map((e) => e.kind)).toEqual(['corrupt']);
      expect(r.errors[0].message).toMatch(/^word\/document\.xml is not well-formed XML/);
      expect(r.errors[0].message).toMatch(why);
      expect(r.findings.map((f) => f.value)).toContain('150387-1236');
    },
  );

  it('a well-formed body gives no error', async () => {
    const r = await scanBytes(
      'brev.docx',
      docx(`<w:document xmlns:w="${W}"><w:body>${para('CPR 150387-1236')}</w:body></w:document>`),
    );
    expect(r.errors).toEqual([]);
    expect(r.findings.map((f) => f.value)).toContain('150387-1236');
  });
});
