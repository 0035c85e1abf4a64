import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Parses a number as a person writes it (`+45 21 43 65 87`, `21436587`, `(+45) 2143-6587`) to E.164. */
export function parsePhone(
  raw: string,
  defaultCountry: 'DK' = 'DK',
): { e164: string; national: string; country: string } | undefined {
  const cleaned = raw
    .trim()
    .replace(/^\(\+?(\d{1,3})\)/, '+$1')
    .replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(cleaned, defaultCountry);
  if (!parsed?.isPossible()) return undefined;
  return { e164: parsed.number, national: String(parsed.nationalNumber), country: parsed.countryCallingCode };
}
