import type { Candidate, DetectorId, Evidence } from '../core/types.js';
import { foldToken } from './fold.js';
import type { CompiledSubject } from './subject.js';

/** A candidate placed in its item: which text stream it came from and where. */
export interface PlacedCandidate extends Candidate {
  field: string;
  /** Absolute offset in the field's stream. */
  offset: number;
  structured?: boolean;
}

const UNIQUE: ReadonlySet<DetectorId> = new Set(['cpr', 'email', 'phone']);
/** How close a different CPR number must be to the subject's name to be "his" CPR. */
const NAMESAKE_DISTANCE = 150;

/**
 * One evidence level per item (PRODUCT.md): confirmed when a unique identifier of the subject is
 * present; namesake when the subject's name sits next to a different CPR number, or beside an e-mail
 * address made of that name that is not the subject's; possible for a name or face tag alone.
 * Undefined when the item holds nothing of the subject.
 */
export function evidenceOf(
  cands: readonly PlacedCandidate[],
  subject: CompiledSubject,
): Evidence | undefined {
  const mine = cands.filter((c) => c.subject);
  if (!mine.length) return undefined;
  if (mine.some((c) => UNIQUE.has(c.detector))) return 'confirmed';
  const names = mine.filter((c) => c.detector === 'name' || c.detector === 'face');
  for (const other of cands) {
    if (other.subject) continue;
    if (other.detector === 'cpr') {
      const near = names.some(
        (n) =>
          // A face tag names the person in the whole photo, so any other CPR in the same item counts.
          n.detector === 'face' ||
          (n.field === other.field &&
            (n.structured || Math.abs(n.offset - other.offset) <= NAMESAKE_DISTANCE)),
      );
      if (near) return 'namesake';
    }
    if (other.detector === 'email' && emailMadeOfName(other.value, subject)) return 'namesake';
  }
  return 'possible';
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
