/** Danish CPR number rules: date, century from the 7th digit, modulus 11. */

const WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/**
 * The digits of a CPR number written with a hyphen, a space or a no-break space, or with one of the
 * dashes word processors put in a hyphen's place (U+2010 hyphen, U+2011 non-breaking hyphen, U+2012
 * figure dash, U+2013 en dash).
 */
export function cprDigits(value: string): string {
  return value.replace(/[-\s\u00a0\u2010-\u2013]/g, '');
}

export function formatCpr(digits: string): string {
  return `${digits.slice(0, 6)}-${digits.slice(6)}`;
}

/** The full birth year from the two-digit year and the 7th digit, per the CPR office's table. */
export function cprCentury(yy: number, seventh: number): number {
  if (seventh <= 3) return 1900 + yy;
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  return yy <= 57 ? 2000 + yy : 1800 + yy;
}

export function isValidCprDate(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  const dd = Number(digits.slice(0, 2));
  const mm = Number(digits.slice(2, 4));
  const yy = Number(digits.slice(4, 6));
  if (mm < 1 || mm > 12 || dd < 1) return false;
  const year = cprCentury(yy, Number(digits[6]));
  const days = new Date(Date.UTC(year, mm, 0)).getUTCDate();
  return dd <= days;
}

/**
 * True when the birth date lies after `today` (local date): `230451-6782` reads as 23 April 2051, which
 * no one alive has, so it is not a CPR number. Expects a valid date (see isValidCprDate).
 */
export function isFutureCprDate(digits: string, today = new Date()): boolean {
  const year = cprCentury(Number(digits.slice(4, 6)), Number(digits[6]));
  const birth = year * 10000 + Number(digits.slice(2, 4)) * 100 + Number(digits.slice(0, 2));
  const now = today.getFullYear() * 10000 + (today.getMonth() + 1) * 100 + today.getDate();
  return birth > now;
}

export function passesModulus11(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(digits[i]) * WEIGHTS[i];
  return sum % 11 === 0;
}
