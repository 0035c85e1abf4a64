import { caselessSteps } from '../src/byte-scan/index.js';
import type { Candidate } from '../src/core/types.js';
import { foldToken, NON_ASCII_BYTES } from '../src/match/fold.js';
import type { CompiledSubject } from '../src/match/subject.js';
import { defineDetector, escapeRegex } from './define.js';

/**
 * An address from the start of its local part. The scan is anchored on each `@` (found with indexOf,
 * far faster than trying the pattern at every position); the local part is walked back from it, and an
 * address can only start where no local-part character precedes it.
 */
const EMAIL_AT_RE =
  /[\p{L}\p{N}._%+-]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,24}(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/uy;
const NON_ASCII_LOCAL = /[\p{L}\p{N}]/u;
/** No local-part character before an address, and no domain character (or `.label`) after it. */
const NOT_AFTER_LOCAL = String.raw`(?<![\p{L}\p{N}._%+-])`;
const NOT_BEFORE_DOMAIN = String.raw`(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])`;

function isLocalChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) {
    return (
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 46 ||
      c === 95 ||
      c === 37 ||
      c === 43 ||
      c === 45
    );
  }
  // A low surrogate belongs to the code point before it.
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) return NON_ASCII_LOCAL.test(text.slice(i - 1, i + 1));
  return NON_ASCII_LOCAL.test(text[i]);
}

/** Start of the address whose `@` is at `at`, or -1 when there is no local part of 1–64 characters. */
function localStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && at - i <= 64 && isLocalChar(text, i - 1)) i--;
  if (i === at || at - i > 64) return -1;
  return i;
}

export default defineDetector({
  meta: {
    id: 'email',
    kind: 'identifier',
    description: 'E-mail addresses (case-insensitive), in text, headers and mailto links.',
    keywords: ['@'],
    labels: {
      en: { short: 'e-mail', one: 'e-mail address', many: 'e-mail addresses', category: 'E-mail address' },
      da: { short: 'e-mail', one: 'e-mailadresse', many: 'e-mailadresser', category: 'E-mailadresse' },
    },
    color: '#2a8f6f',
    profile: ['emails'],
    correspondents: true,
  },
  // Other people's addresses come back too (subject: false), with or without --all: they tell a namesake
  // and keep an erasure plan from deleting a file that holds them.
  detect(chunk, { subject }) {
    const { text } = chunk;
    if (!text.includes('@')) return [];
    const out: Candidate[] = [];
    for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
      const from = localStart(text, at);
      if (from === -1) continue;
      EMAIL_AT_RE.lastIndex = from;
      const m = EMAIL_AT_RE.exec(text);
      if (!m) continue;
      let raw = m[0];
      // A local part cannot start or end with a dot; trim one that a sentence glued on.
      const lead = raw.match(/^\.+/)?.[0].length ?? 0;
      raw = raw.slice(lead);
      const value = raw.toLowerCase();
      const isSubject = subject.emails.has(value);
      out.push({
        detector: 'email',
        start: m.index + lead,
        end: m.index + m[0].length,
        value,
        subject: isSubject,
        confidence: isSubject ? 0.99 : 0.9,
      });
      at = m.index + m[0].length - 1;
    }
    return out;
  },
  mask: maskEmail,
  // Another person's address made of the subject's name tells a namesake (`soren.ostergaard@firma.dk`).
  evidence: { subject: 'confirmed', namesake: emailMadeOfName },
  anchors: {
    text(subject) {
      if (!subject.emails.size) return undefined;
      const re = new RegExp([...subject.emails].map(escapeRegex).join('|'), 'iu');
      return (text) => text.includes('@') && re.test(text);
    },
    // The address itself, case-insensitively: a byte program when it is printable ASCII.
    raw: (subject) =>
      [...subject.emails].map((email) =>
        /^[\x21-\x7e]+$/.test(email)
          ? { kind: 'program', program: { steps: caselessSteps(email) } }
          : { kind: 'pattern', pattern: literalBytePattern(email) },
      ),
  },
  indexTokens: (subject) => [...subject.emails].map((e) => `e:${e}`),
  // As a whole address, as detect() reads one: not the end of a longer local part (`jo_ann@…`), nor the
  // start of a longer domain (`…@example.dk.evil.com`, `…@example.dk2`).
  written: (value) => new RegExp(`${NOT_AFTER_LOCAL}${escapeRegex(value)}${NOT_BEFORE_DOMAIN}`, 'giu'),
  conceal: {
    // An address cut off by the end of the snippet (`name@exam…`) is still someone's address.
    pattern: String.raw`[\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}.-]+\.\p{L}{2,}|[\p{L}\p{N}.-]*(?=…))`,
    precedence: 3,
    mine: (written, subject) => subject.emails.has(written.toLowerCase()),
  },
});

/** `soren.ostergard@example.dk` -> `s***@example.dk`. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

/** An address as bytes read as Latin-1: ASCII as itself (escaped), any other character as its UTF-8 or Windows-1252 bytes. */
function literalBytePattern(s: string): string {
  return [...s]
    .map((ch) => (ch.charCodeAt(0) < 0x80 ? ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&') : NON_ASCII_BYTES))
    .join('');
}

/**
 * An address made of the subject's name: the surname plus the first name (`soren.ostergaard@…`,
 * `ostergaard.soren@…`) or plus initials only (`s.ostergaard@…`, `sk.ostergaard@…`), in any spelling.
 * `steen.ostergaard@…` or `info@ostergaard.dk` is not.
 */
export function emailMadeOfName(email: string, subject: CompiledSubject): boolean {
  const raw = email.slice(0, Math.max(0, email.lastIndexOf('@')));
  // Folding is slow next to a regex test, and most addresses hold no trace of the surname.
  if (!subject.names.some((m) => m.containsSurname(raw))) return false;
  const local = lettersOf(raw);
  if (!local) return false;
  return subject.names.some((m) => {
    const first = lettersOf(m.folded[0]);
    const last = lettersOf(m.folded[m.folded.length - 1]);
    const at = last ? local.indexOf(last) : -1;
    if (!first || at === -1) return false;
    const rest = local.slice(0, at) + local.slice(at + last.length);
    if (rest.includes(first)) return true;
    return rest.length > 0 && rest.length < m.folded.length && rest[0] === first[0];
  });
}

function lettersOf(s: string): string {
  return foldToken(s).replace(/[^a-z]/g, '');
}
