import type { DetectorId } from './types.js';

/**
 * Masks an identifier for logs, progress and terminal summaries. Raw values only ever go into the
 * scan file and the reports, which the subject has a right to see.
 */
export function maskValue(detector: DetectorId | string, value: string): string {
  switch (detector) {
    case 'cpr':
      return maskCpr(value);
    case 'email':
      return maskEmail(value);
    case 'phone':
      return maskPhone(value);
    default:
      return maskName(value);
  }
}

export function maskCpr(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length !== 10) return 'XXXXXX-XXXX';
  return `${digits.slice(0, 4)}XX-XXXX`;
}

export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 4) return 'XXXX';
  const plus = value.trim().startsWith('+') ? '+' : '';
  return `${plus}${digits.slice(0, Math.max(digits.length - 6, 0))}XXXX${digits.slice(-2)}`;
}

/** `Søren Kjærgaard Østergård` -> `S. K. Ø.` */
export function maskName(value: string): string {
  const parts = value.split(/[\s,]+/u).filter(Boolean);
  if (parts.length === 0) return '***';
  return parts.map((p) => `${[...p][0]}.`).join(' ');
}

export function maskSubject(subject: {
  name?: string;
  emails?: string[];
  phones?: string[];
  cpr?: string[];
}): string {
  const parts: string[] = [];
  if (subject.name) parts.push(maskName(subject.name));
  for (const e of subject.emails ?? []) parts.push(maskEmail(e));
  for (const p of subject.phones ?? []) parts.push(maskPhone(p));
  for (const c of subject.cpr ?? []) parts.push(maskCpr(c));
  return parts.join(', ');
}
