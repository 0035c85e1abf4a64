import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parsePhone } from '../../src/match/phone.js';
import { compileSubject, subjectFromOptions, validateSubject } from '../../src/match/subject.js';
import { SUBJECT, tempTree, writeSubject } from '../helpers/cli.js';

/** The message of the UsageError that validateSubject throws for this input. */
function refusal(input: unknown): string {
  try {
    validateSubject(input);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('the subject was accepted');
}

describe('subject validation', () => {
  it.each([
    [{ name: 'Søren Østergård', cpr: ['320187-1234'] }, 'subject.cpr[0]', 'not a valid birth date'],
    [{ cpr: ['150387-1236', '290200-1234'] }, 'subject.cpr[1]', 'not a valid birth date'],
    [{ cpr: '311387-1234' }, 'subject.cpr[0]', 'not a valid birth date'],
    [{ cpr: ['150387-123'] }, 'subject.cpr[0]', '10 digits'],
    [{ cpr: ['15.03.87-1236'] }, 'subject.cpr[0]', '10 digits'],
    [{ cpr: 1503871236 }, 'subject.cpr', 'string'],
    [{ phones: ['abc'] }, 'subject.phones[0]', 'not a phone number'],
    [{ phones: ['+45 21 43 65 8'] }, 'subject.phones[0]', 'not a phone number'],
    [{ phones: ['+45 21 43 65 87', '12'] }, 'subject.phones[1]', 'not a phone number'],
    [{ name: 'Søren' }, 'subject.name', 'first name and a surname'],
    [{ name: '  ' }, 'subject.name', 'empty'],
    [{ name: 42 }, 'subject.name', 'string'],
    [{ name: 'Søren Østergård', aliases: ['Østergård'] }, 'subject.aliases[0]', 'first name and a surname'],
    [{ name: 'Søren 150387 Østergård' }, 'subject.name', 'does not look like'],
    [{ emails: ['not-an-address'] }, 'subject.emails[0]', 'not an e-mail address'],
    [{}, 'subject', 'empty profile'],
    [{ emails: [], phones: [] }, 'subject', 'empty profile'],
    [{ name: 'Søren Østergård', email: 'x@y.dk' }, 'subject.email', 'unknown field'],
    [[], 'subject', 'JSON object'],
    [null, 'subject', 'JSON object'],
  ])('refuses %j naming %s', (input, field, reason) => {
    const message = refusal(input);
    expect(message.startsWith(field)).toBe(true);
    expect(message).toContain(reason);
  });

  it('normalises what it accepts', () => {
    expect(
      validateSubject({
        name: '  Søren   Østergård '.normalize('NFD'),
        emails: ' Soren.Ostergard@Example.DK ',
        phones: [' +45 21 43 65 87 '],
        cpr: ['1503871236', '150387 1236'],
      }),
    ).toEqual({
      name: 'Søren Østergård',
      emails: ['soren.ostergard@example.dk'],
      phones: ['+45 21 43 65 87'],
      cpr: ['150387-1236', '150387-1236'],
    });
  });

  it('compiles the identifiers detectors compare against', () => {
    const compiled = compileSubject(validateSubject(SUBJECT));
    expect([...compiled.emails]).toEqual(['soren.ostergard@example.dk']);
    expect([...compiled.phones]).toEqual(['+4521436587']);
    expect([...compiled.phoneNational]).toEqual([['21436587', '+4521436587']]);
    expect([...compiled.cprs]).toEqual(['1503871236']);
    expect(compiled.names.map((n) => n.display)).toEqual(['Søren Kjærgaard Østergård', 'Søren K. Østergård']);
    expect([...compiled.nameTokens].sort()).toEqual(['kjargard', 'ostergard', 'soren']);
    expect(compiled.isEmpty).toBe(false);
  });

  it('keeps a foreign number reachable in its national writing', () => {
    const compiled = compileSubject(validateSubject({ phones: ['+46 70 123 45 67'] }));
    expect([...compiled.phoneNational]).toEqual([['0701234567', '+46701234567']]);
  });

  it('merges a subject file with repeatable flags', async () => {
    const dir = tempTree();
    const file = writeSubject(dir, { name: 'Søren Østergård', cpr: ['150387-1236'] });
    expect(
      await subjectFromOptions({ subject: file, email: ['s@x.dk'], name: ['Søren K. Østergård'] }),
    ).toEqual({
      name: 'Søren Østergård',
      aliases: ['Søren K. Østergård'],
      emails: ['s@x.dk'],
      cpr: ['150387-1236'],
    });
    await expect(subjectFromOptions({ phone: ['nope'] })).rejects.toThrow(/subject\.phones\[0\]/);
    await expect(subjectFromOptions({ subject: `${dir}/missing.json` })).rejects.toThrow(/cannot read/);
  });
});

describe('parsePhone', () => {
  it.each([
    '+45 21 43 65 87',
    '21436587',
    '(+45) 2143-6587',
    '0045 21.43.65.87',
    '+4501234567',
    '21\u00a043\u00a065\u00a087',
  ])('reads the Danish number %s without libphonenumber, exactly as libphonenumber does', (raw) => {
    const cleaned = raw
      .trim()
      .replace(/^\(\+?(\d{1,3})\)/, '+$1')
      .replace(/^00/, '+');
    const lib = parsePhoneNumberFromString(cleaned, 'DK');
    expect(lib?.isPossible()).toBe(true);
    expect(parsePhone(raw)).toEqual({
      e164: lib?.number,
      national: String(lib?.nationalNumber),
      country: lib?.countryCallingCode,
    });
  });

  it.each(['+45 2143 658', '+46 70 123 45 67', '+44 20 7946 0958'])('leaves %s to libphonenumber', (raw) => {
    const lib = parsePhoneNumberFromString(raw, 'DK');
    const parsed = parsePhone(raw);
    if (!lib?.isPossible()) expect(parsed).toBeUndefined();
    else expect(parsed?.e164).toBe(lib.number);
  });
});
