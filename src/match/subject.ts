import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import type { Subject } from '../core/types.js';
import { cprDigits, formatCpr, isValidCprDate } from './cpr.js';
import { foldToken } from './fold.js';
import { NameMatcher } from './names.js';
import { parsePhone } from './phone.js';

/** The subject in the form detectors use: normalised identifiers and compiled name patterns. */
export interface CompiledSubject {
  /** The identifiers as given (normalised), as written into the scan file. */
  profile: Subject;
  emails: Set<string>;
  /** E.164 numbers (`+4521436587`). */
  phones: Set<string>;
  /** National numbers as written locally (`21436587`, or `0` + national number outside Denmark) to E.164. */
  phoneNational: Map<string, string>;
  /** Ten-digit CPR numbers. */
  cprs: Set<string>;
  names: NameMatcher[];
  /** Folded tokens of every profile name, to tell whether another e-mail address is "for that name". */
  nameTokens: Set<string>;
  isEmpty: boolean;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/u;

function asStringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new UsageError(`subject.${field} must be a string or a list of strings`);
  }
  return value as string[];
}

/** Checks and normalises a subject profile; refuses it with the field named when anything is wrong. */
export function validateSubject(input: unknown): Subject {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UsageError('subject: expected a JSON object with name, aliases, emails, phones, cpr');
  }
  const raw = input as Record<string, unknown>;
  const known = new Set(['name', 'aliases', 'emails', 'phones', 'cpr']);
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      throw new UsageError(`subject.${key}: unknown field (expected name, aliases, emails, phones, cpr)`);
  }
  const subject: Subject = {};
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string') throw new UsageError('subject.name must be a string');
    subject.name = checkName(raw.name, 'subject.name');
  }
  const aliases = asStringList(raw.aliases, 'aliases').map((a, i) => checkName(a, `subject.aliases[${i}]`));
  if (aliases.length) subject.aliases = aliases;
  const emails = asStringList(raw.emails, 'emails').map((e, i) => {
    const v = e.trim().toLowerCase();
    if (!EMAIL_RE.test(v)) throw new UsageError(`subject.emails[${i}]: "${e}" is not an e-mail address`);
    return v;
  });
  if (emails.length) subject.emails = emails;
  const phones = asStringList(raw.phones, 'phones').map((p, i) => {
    if (!parsePhone(p))
      throw new UsageError(`subject.phones[${i}]: "${p}" is not a phone number (try +45 21 43 65 87)`);
    return p.trim();
  });
  if (phones.length) subject.phones = phones;
  const cprs = asStringList(raw.cpr, 'cpr').map((c, i) => {
    const digits = cprDigits(c.trim());
    if (!/^\d{10}$/.test(digits))
      throw new UsageError(`subject.cpr[${i}]: expected 10 digits as DDMMYY-SSSS`);
    if (!isValidCprDate(digits))
      throw new UsageError(`subject.cpr[${i}]: ${digits.slice(0, 6)} is not a valid birth date`);
    return formatCpr(digits);
  });
  if (cprs.length) subject.cpr = cprs;
  if (!subject.name && !aliases.length && !emails.length && !phones.length && !cprs.length) {
    throw new UsageError('subject: empty profile — give at least a name, an e-mail, a phone or a CPR number');
  }
  return subject;
}

function checkName(name: string, field: string): string {
  const v = name.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (!v) throw new UsageError(`${field}: empty name`);
  if (v.split(' ').length < 2) {
    throw new UsageError(
      `${field}: "${v}" needs a first name and a surname (a single name matches too many people)`,
    );
  }
  if (/[\d@<>]/u.test(v)) throw new UsageError(`${field}: "${v}" does not look like a person's name`);
  return v;
}

export function compileSubject(subject: Subject): CompiledSubject {
  const phones = new Set<string>();
  const phoneNational = new Map<string, string>();
  for (const p of subject.phones ?? []) {
    const parsed = parsePhone(p);
    if (!parsed) continue;
    phones.add(parsed.e164);
    phoneNational.set(parsed.country === '45' ? parsed.national : `0${parsed.national}`, parsed.e164);
  }
  const allNames = [subject.name, ...(subject.aliases ?? [])].filter((n): n is string => Boolean(n));
  const nameTokens = new Set<string>();
  for (const n of allNames)
    for (const t of n.split(' ')) if (t.replace(/\./g, '').length > 1) nameTokens.add(foldToken(t));
  const compiled: CompiledSubject = {
    profile: subject,
    emails: new Set((subject.emails ?? []).map((e) => e.toLowerCase())),
    phones,
    phoneNational,
    cprs: new Set((subject.cpr ?? []).map(cprDigits)),
    names: allNames.map((n) => new NameMatcher(n)),
    nameTokens,
    isEmpty: false,
  };
  compiled.isEmpty =
    !compiled.emails.size && !compiled.phones.size && !compiled.cprs.size && !compiled.names.length;
  return compiled;
}

export const EMPTY_SUBJECT: CompiledSubject = {
  profile: {},
  emails: new Set(),
  phones: new Set(),
  phoneNational: new Map(),
  cprs: new Set(),
  names: [],
  nameTokens: new Set(),
  isEmpty: true,
};

export async function loadSubjectFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--subject ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--subject ${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Builds the subject from a JSON file and/or repeatable flags; flags add to the file's identifiers. */
export async function subjectFromOptions(opts: {
  subject?: string;
  name?: string[];
  alias?: string[];
  email?: string[];
  phone?: string[];
  cpr?: string[];
}): Promise<Subject> {
  const base = (opts.subject ? await loadSubjectFile(opts.subject) : {}) as Record<string, unknown>;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return validateSubject(base);
  const merged: Record<string, unknown> = { ...base };
  const add = (field: string, values?: string[]) => {
    if (!values?.length) return;
    merged[field] = [...asStringList(merged[field], field), ...values];
  };
  if (opts.name?.length) {
    if (merged.name === undefined) merged.name = opts.name[0];
    add('aliases', merged.name === opts.name[0] ? opts.name.slice(1) : opts.name);
  }
  add('aliases', opts.alias);
  add('emails', opts.email);
  add('phones', opts.phone);
  add('cpr', opts.cpr);
  return validateSubject(merged);
}
