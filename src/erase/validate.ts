import { ACTION_KINDS, approvalHash, PLAN_SCHEMA, type Plan, planHash } from './plan.js';

/**
 * Strict check of a plan read from disk: a plan is an instruction to destroy data, so anything dsr did
 * not write itself — an unknown field, a newer schema, an edit after the hash or the approval — is refused.
 * Returns a message naming the problem, or undefined when the plan is intact.
 */
export function validatePlan(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a dsr plan (expected a JSON object)';
  const schema = value.schema;
  if (schema !== PLAN_SCHEMA) {
    const m = typeof schema === 'string' ? /^dsr\.plan\/(\d+)$/.exec(schema) : null;
    if (m && Number(m[1]) > 1)
      return `plan schema ${schema} is newer than this dsr understands (${PLAN_SCHEMA}); use a newer dsr`;
    return `not a dsr plan (schema ${JSON.stringify(schema)}, expected ${PLAN_SCHEMA})`;
  }
  const top = unknownKey(value, [
    'schema',
    'createdAt',
    'scanId',
    'roots',
    'subject',
    'options',
    'actions',
    'sha256',
    'approval',
  ]);
  if (top) return `unknown field "${top}" in the plan`;
  if (typeof value.createdAt !== 'string') return 'createdAt must be a string';
  if (typeof value.scanId !== 'string') return 'scanId must be a string';
  if (!isStringArray(value.roots) || !value.roots.length) return 'roots must be a non-empty list of paths';
  if (!isObject(value.subject)) return 'subject must be an object';
  const subj = unknownKey(value.subject, ['name', 'aliases', 'emails', 'phones', 'cpr']);
  if (subj) return `unknown field "subject.${subj}"`;
  if (!isObject(value.options)) return 'options must be an object';
  const opt = unknownKey(value.options, ['includePossible', 'blurFaces']);
  if (opt) return `unknown field "options.${opt}"`;
  if (!Array.isArray(value.actions)) return 'actions must be a list';
  const ids = new Set<string>();
  for (const [i, a] of value.actions.entries()) {
    const p = actionProblem(a);
    if (p) return `actions[${i}]: ${p}`;
    const id = (a as { id: string }).id;
    if (ids.has(id)) return `actions[${i}]: duplicate action id ${id}`;
    ids.add(id);
  }
  if (typeof value.sha256 !== 'string') return 'sha256 is missing';
  const plan = value as unknown as Plan;
  if (planHash(plan) !== plan.sha256)
    return 'the plan was edited after it was made (its sha256 does not match its content)';
  if (value.approval !== undefined) {
    if (!isObject(value.approval)) return 'approval must be an object';
    const ap = unknownKey(value.approval, ['by', 'at', 'sha256']);
    if (ap) return `unknown field "approval.${ap}"`;
    const { by, at, sha256 } = value.approval;
    if (typeof by !== 'string' || typeof at !== 'string' || typeof sha256 !== 'string')
      return 'approval needs by, at and sha256';
    if (approvalHash(plan.sha256, by, at) !== sha256)
      return 'the approval seal is broken: the plan or its approval was edited after approval';
  }
  return undefined;
}

const BASE_KEYS = [
  'id',
  'kind',
  'path',
  'itemPath',
  'items',
  'evidence',
  'detectors',
  'format',
  'others',
  'fingerprint',
  'rule',
];
const EXTRA_KEYS: Record<string, string[]> = {
  'expunge-imap-message': ['mailbox', 'uidValidity', 'uid'],
  'redact-text': ['spans'],
  'remove-face-tags': ['blurFaces'],
  manual: ['reason'],
};
const FINGERPRINT_KEYS = [
  'size',
  'mtimeMs',
  'ino',
  'sha256',
  'offset',
  'length',
  'uidValidity',
  'uid',
  'modseq',
];
const SPAN_KEYS = ['detector', 'field', 'line', 'column', 'offset', 'masked'];

function actionProblem(a: unknown): string | undefined {
  if (!isObject(a)) return 'not an object';
  if (typeof a.kind !== 'string' || !(ACTION_KINDS as readonly string[]).includes(a.kind))
    return `unknown action kind ${JSON.stringify(a.kind)}`;
  const extra = unknownKey(a, [...BASE_KEYS, ...(EXTRA_KEYS[a.kind] ?? [])]);
  if (extra) return `unknown field "${extra}" for a ${a.kind} action`;
  if (typeof a.id !== 'string' || typeof a.path !== 'string' || !a.path) return 'id and path must be strings';
  if (!isStringArray(a.itemPath) || !isStringArray(a.items) || !isStringArray(a.detectors))
    return 'itemPath, items and detectors must be lists of strings';
  if (typeof a.rule !== 'string') return 'rule must be a string';
  if (!isObject(a.fingerprint)) return 'fingerprint must be an object';
  const fp = unknownKey(a.fingerprint, FINGERPRINT_KEYS);
  if (fp) return `unknown fingerprint field "${fp}"`;
  if (a.kind === 'redact-text') {
    if (!Array.isArray(a.spans)) return 'spans must be a list';
    for (const s of a.spans) {
      if (!isObject(s)) return 'a span must be an object';
      const k = unknownKey(s, SPAN_KEYS);
      if (k) return `unknown span field "${k}"`;
    }
  }
  if (a.kind === 'expunge-imap-message') {
    if (typeof a.mailbox !== 'string' || typeof a.uidValidity !== 'string' || !Number.isInteger(a.uid))
      return 'mailbox, uidValidity and uid are required';
  }
  if (a.kind === 'manual' && typeof a.reason !== 'string') return 'a manual action needs a reason';
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function unknownKey(o: Record<string, unknown>, allowed: string[]): string | undefined {
  return Object.keys(o).find((k) => !allowed.includes(k));
}
