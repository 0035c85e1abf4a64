import { readFile } from 'node:fs/promises';
import type { Static } from '@sinclair/typebox';
import { type DetectorRegistry, registry as detectors } from '../../../detectors/index.js';
import { UsageError } from '../../core/errors.js';
import type { Assert, Same } from '../../core/schemas/build.js';
import type { ControllerProfileSchema } from '../../core/schemas/report.js';
import type { LocalText } from './i18n.js';

/** What the controller states about one data category: the facts GDPR art. 15(1)(a)-(d), (g) asks for. */
export interface CategoryPolicy {
  /** Required for a category dsr does not search (address, IP address, …); optional for the five it does. */
  label?: LocalText;
  purposes: LocalText[];
  legalBasis: LocalText[];
  retention: LocalText;
  recipients: LocalText[];
  /** Where the data came from when not from the subject (art. 15(1)(g)). */
  source?: LocalText;
}

/** `--controller file.json`: who the controller is and what it does with each category of data. */
export interface ControllerProfile {
  schema?: 'dsr.controller/1';
  organisation: {
    name: string;
    registration?: string;
    address?: LocalText;
    email?: string;
    phone?: string;
    website?: string;
  };
  /** Where the subject turns with questions: the DPO or privacy contact. */
  contact: { name?: LocalText; role?: LocalText; email: string; phone?: string; address?: LocalText };
  supervisoryAuthority?: { name: LocalText; url?: string };
  /** Transfers to countries outside the EU/EEA and their safeguards (art. 15(2)). */
  transfers?: LocalText;
  /** Keyed by category: a detector's id (the categories dsr searches), or any other key with a `label`. */
  categories: Record<string, CategoryPolicy>;
}

/** The profile's JSON Schema (docs/schemas/controller.schema.json) describes exactly this type. */
export type ControllerProfileMatchesSchema = Assert<
  Same<ControllerProfile, Static<typeof ControllerProfileSchema>>
>;

export async function loadController(
  path: string,
  registry: DetectorRegistry = detectors,
): Promise<ControllerProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `${path}: cannot read the controller profile (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return validateController(raw, path, registry);
}

/** Checks a parsed profile; the message names the first field that is wrong. */
export function validateController(
  raw: unknown,
  file = 'controller',
  registry: DetectorRegistry = detectors,
): ControllerProfile {
  const fail = (field: string, what: string): never => {
    throw new UsageError(
      `${file}: ${field} ${what}`,
      'see fixtures/controller.example.json for a complete profile',
    );
  };
  const obj = (v: unknown, field: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be an object');
    return v as Record<string, unknown>;
  };
  const str = (v: unknown, field: string, required: boolean): void => {
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || !v.trim()) fail(field, 'must be a non-empty string');
  };
  const local = (v: unknown, field: string, required: boolean): void => {
    if (v === undefined && !required) return;
    if (typeof v === 'string') {
      str(v, field, true);
      return;
    }
    const o = obj(v, field);
    const langs = Object.keys(o);
    if (!langs.length) fail(field, 'must be a string or { "da": "…", "en": "…" }');
    for (const l of langs) {
      if (l !== 'da' && l !== 'en') fail(`${field}.${l}`, 'is not a language of the report (da, en)');
      str(o[l], `${field}.${l}`, true);
    }
  };
  const list = (v: unknown, field: string): void => {
    if (!Array.isArray(v) || v.length === 0) fail(field, 'must be a non-empty list');
    for (const [i, x] of (v as unknown[]).entries()) local(x, `${field}[${i}]`, true);
  };

  const p = obj(raw, 'profile');
  if (p.schema !== undefined && p.schema !== 'dsr.controller/1') fail('schema', 'must be "dsr.controller/1"');
  const org = obj(p.organisation, 'organisation');
  str(org.name, 'organisation.name', true);
  for (const k of ['registration', 'email', 'phone', 'website']) str(org[k], `organisation.${k}`, false);
  local(org.address, 'organisation.address', false);
  const contact = obj(p.contact, 'contact');
  str(contact.email, 'contact.email', true);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(contact.email as string))
    fail('contact.email', 'must be an e-mail address');
  local(contact.name, 'contact.name', false);
  local(contact.role, 'contact.role', false);
  local(contact.address, 'contact.address', false);
  str(contact.phone, 'contact.phone', false);
  if (p.supervisoryAuthority !== undefined) {
    const sa = obj(p.supervisoryAuthority, 'supervisoryAuthority');
    local(sa.name, 'supervisoryAuthority.name', true);
    str(sa.url, 'supervisoryAuthority.url', false);
  }
  local(p.transfers, 'transfers', false);
  const cats = obj(p.categories, 'categories');
  if (!Object.keys(cats).length) fail('categories', 'must describe at least one data category');
  for (const [key, value] of Object.entries(cats)) {
    const field = `categories.${key}`;
    const c = obj(value, field);
    local(c.label, `${field}.label`, !registry.has(key));
    list(c.purposes, `${field}.purposes`);
    list(c.legalBasis, `${field}.legalBasis`);
    local(c.retention, `${field}.retention`, true);
    list(c.recipients, `${field}.recipients`);
    local(c.source, `${field}.source`, false);
  }
  return raw as ControllerProfile;
}
