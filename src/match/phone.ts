import { createRequire } from 'node:module';

type PhoneLib = typeof import('libphonenumber-js');
let lib: PhoneLib | undefined;

/**
 * libphonenumber, loaded on first need: it takes a tenth of a second to load in every worker, and a
 * Danish number written in full (the usual subject profile) never needs it.
 */
export function phoneLib(): PhoneLib {
  lib ??= createRequire(import.meta.url)('libphonenumber-js') as PhoneLib;
  return lib;
}

/** `+45` and eight digits, or eight digits alone: Danish numbers have no other length. */
const DANISH = /^(?:\+45)?(\d{8})$/;

/** Parses a number as a person writes it (`+45 21 43 65 87`, `21436587`, `(+45) 2143-6587`) to E.164. */
export function parsePhone(
  raw: string,
  defaultCountry: 'DK' = 'DK',
): { e164: string; national: string; country: string } | undefined {
  const cleaned = raw
    .trim()
    .replace(/^\(\+?(\d{1,3})\)/, '+$1')
    .replace(/^00/, '+');
  const danish = DANISH.exec(cleaned.replace(/[\s\u00a0.-]/g, ''));
  if (danish) return { e164: `+45${danish[1]}`, national: danish[1], country: '45' };
  const parsed = phoneLib().parsePhoneNumberFromString(cleaned, defaultCountry);
  if (!parsed?.isPossible()) return undefined;
  return { e164: parsed.number, national: String(parsed.nationalNumber), country: parsed.countryCallingCode };
}
