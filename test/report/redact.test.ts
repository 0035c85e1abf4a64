import { describe, expect, it } from 'vitest';
import { maskOthers, redactContext } from '../../src/report/access/redact.js';
import { SUBJECT } from '../helpers/cli.js';

const own = (c: string) =>
  redactContext(c, SUBJECT)
    .filter((s) => s.own)
    .map((s) => s.text);

describe('context snippets for the subject', () => {
  it('leaves dates, times and amounts alone', () => {
    expect(maskOthers('logget ind 2024-03-01T10:15:00Z og 2024-03-02', SUBJECT)).toBe(
      'logget ind 2024-03-01T10:15:00Z og 2024-03-02',
    );
    expect(maskOthers('kl. 10:15 pris 12,50 kr', SUBJECT)).toBe('kl. 10:15 pris 12,50 kr');
  });

  it('masks an IP address alone, never together with the next line', () => {
    expect(maskOthers('fra 192.168.1.10\n22334455 ring', SUBJECT)).toBe('fra 192.168.X.X\n22XXXX55 ring');
    expect(maskOthers('fra 192.168.1.10 22 33 44 55', SUBJECT)).toBe('fra 192.168.X.X 22XXXX55');
  });

  it("keeps the subject's phone whole beside other numbers in a spreadsheet row, and marks it", () => {
    const row = 'Søren\t1503871236\t21436587\t0101901234\t31728450';
    expect(maskOthers(row, SUBJECT)).toBe('Søren\t1503871236\t21436587\t0101XX-XXXX\t31XXXX50');
    expect(own(row)).toEqual(['1503871236', '21436587']);
    expect(own('ring +45 21 43 65 87 eller 0045 21436587')).toEqual(['+45 21 43 65 87', '0045 21436587']);
    expect(own('skriv til SOREN.OSTERGARD@example.dk')).toEqual(['SOREN.OSTERGARD@example.dk']);
  });

  it('keeps cells and lines apart', () => {
    expect(maskOthers('a\t22334455\tb\n31728450', SUBJECT)).toBe('a\t22XXXX55\tb\n31XXXX50');
  });
});

describe('context snippets: numbers with a country code', () => {
  it('masks a +45 number as a phone, never as a CPR number', () => {
    expect(maskOthers('tel:+4531234566\ntel:+4521436587', SUBJECT)).toBe('tel:+4531XXXX66\ntel:+4521436587');
  });
});
